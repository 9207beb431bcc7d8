// Child process of bench/revocation-propagation.mjs: `count` hybrid verifiers, each with its own
// subscription to Tessera's revocation feed. For each token the parent names, it reports the time
// (ms since the Unix epoch, sub-millisecond) at which each verifier first refused it.
//
// Each verifier's fetch taps its own feed stream: when bytes with a revocation event reach that
// verifier, its check runs (and runs again on each turn of the event loop until the verifier
// refuses), so the time is the first refusal, measured at the event rather than by blind polling.
import { createVerifier, isTesseraAuthError } from '@tessera/sdk'

const { issuer, audience, client, count } = JSON.parse(process.argv[2])
const GIVE_UP_MS = 10_000
const now = () => performance.timeOrigin + performance.now()

function tappedFetch(onRevocationBytes) {
  return async (url, init) => {
    const response = await globalThis.fetch(url, init)
    if (!url.endsWith('/v1/revocations') || !response.ok || !response.body) return response
    const decoder = new TextDecoder()
    let tail = ''
    const tap = new TransformStream({
      transform(chunk, controller) {
        controller.enqueue(chunk)
        const text = tail + decoder.decode(chunk, { stream: true })
        if (text.includes('event: revocation')) onRevocationBytes()
        tail = text.slice(-32)
      },
    })
    return new Response(response.body.pipeThrough(tap), { status: response.status, headers: response.headers })
  }
}

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
await Promise.all(subscribers.map(({ verifier }) => verifier.ready()))
process.send({ type: 'ready' })

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
  process.send({ type: 'watching' })
  await observed
  process.send({ type: 'observed', times })
}

process.on('message', (message) => {
  if (message.type === 'watch') {
    watch(message.token).catch((error) => {
      process.send({ type: 'failed', message: String(error) })
    })
  } else if (message.type === 'close') {
    Promise.all(subscribers.map(({ verifier }) => verifier.close())).then(() => process.exit(0))
  }
})
