// Child process of bench/suites/revocation.mjs: `count` hybrid verifiers, each with its own
// subscription to Tessera's revocation feed. For each token the parent names, it reports the time
// (ms since the Unix epoch, sub-millisecond) at which each verifier first refused it.
//
// Each verifier's fetch taps its own feed stream: when bytes with a revocation event reach that
// verifier, its check runs (and runs again on each turn of the event loop until the verifier
// refuses), so the time is the first refusal, measured at the event rather than by blind polling.
import { createVerifier, isTesseraAuthError } from '@tessera/sdk'
import { profilePhase } from './cpu-profile.mjs'
import { tappedFetch } from './tapped-fetch.mjs'

const { issuer, audience, client, count } = JSON.parse(process.argv[2])
const GIVE_UP_MS = 10_000
const now = () => performance.timeOrigin + performance.now()

const subscribers = Array.from({ length: count }, () => {
  const subscriber = { onRevocationBytes: () => {} }
  subscriber.verifier = createVerifier({
    issuer,
    audience,
    mode: 'hybrid',
    client,
    fetch: tappedFetch(() => subscriber.onRevocationBytes()),
  })
  return subscriber
})
// 1,000 feeds connecting at once can outlast the SDK's 5 s connect timeout on a loaded machine;
// each feed reconnects by itself (with back-off), so readiness is asked again, as a service's
// readiness probe would, for up to a minute.
async function ready(verifier) {
  for (const started = Date.now(); ; ) {
    try {
      return await verifier.ready()
    } catch (error) {
      if (Date.now() - started > 60_000) throw error
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  }
}
await Promise.all(subscribers.map(({ verifier }) => ready(verifier)))
process.send({ type: 'ready' })

let watched = 0

async function watch(token) {
  // Every verifier has the token in its cache, so a check at the event costs a few map lookups.
  await Promise.all(subscribers.map(({ verifier }) => verifier.verify(token)))
  const times = new Array(count).fill(null)
  let left = count
  const observed = new Promise((resolve) => {
    const timer = setTimeout(resolve, GIVE_UP_MS)
    subscribers.forEach((subscriber, index) => {
      const check = () =>
        subscriber.verifier.verify(token).then(
          () => setImmediate(check), // the bytes arrived but are not applied yet: look again next turn
          (error) => {
            if (!isTesseraAuthError(error, 'token_revoked')) throw error
            times[index] = now()
            subscriber.onRevocationBytes = () => {}
            left -= 1
            if (left === 0) {
              clearTimeout(timer)
              resolve()
            }
          },
        )
      let started = false
      subscriber.onRevocationBytes = () => {
        if (started) return
        started = true
        setImmediate(check)
      }
    })
  })
  // BENCH_PROFILE_DIR (bench/tools/profile-revocation-fanout.mjs): a CPU profile of each measured window.
  const stopProfile = await profilePhase(process.env.BENCH_PROFILE_DIR, `subscribers-${process.pid}-${watched++}`)
  const cpu = process.cpuUsage()
  process.send({ type: 'watching' })
  await observed
  // This process's CPU time from the sign-out to its last refusal: less sensitive to a loaded machine than the times.
  const { user, system } = process.cpuUsage(cpu)
  await stopProfile()
  process.send({ type: 'observed', times, cpuMs: (user + system) / 1000 })
}

// Never outlive the bench: if it goes away (or fails), so do these verifiers.
process.on('disconnect', () => process.exit(0))

process.on('message', (message) => {
  if (message.type === 'watch') {
    watch(message.token).catch((error) => {
      process.send({ type: 'failed', message: String(error) })
    })
  } else if (message.type === 'close') {
    Promise.all(subscribers.map(({ verifier }) => verifier.close())).then(() => process.exit(0))
  }
})
