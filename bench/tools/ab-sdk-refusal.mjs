// Before/after in the same run for what a refused `verifier.verify(token)` costs the SDK, as the
// revocation suite's check meets it (lib/revocation-subscribers.mjs: verify(token).then(ok, refused)
// on a token revoked by the feed): two builds of @tessera/sdk (two dist folders, under the checkout
// so that their dependencies resolve, e.g. .ab/sdk/before), each with a hybrid verifier subscribed to
// one Tessera whose session behind the token was signed out, 100,000 refusals per case and round in
// batches of 250 per event-loop turn, interleaved (the order alternates); refusals per CPU-second.
// Usage: node bench/tools/ab-sdk-refusal.mjs <sdk-dist-before> <sdk-dist-after> [rounds]
import { loadavg } from 'node:os'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { startChild } from '../lib/child-server.mjs'
import { spread } from '../lib/stats.mjs'

const HYBRID_WORLD = new URL('../lib/hybrid-world-server.mjs', import.meta.url).pathname

await measure(...process.argv.slice(2))

async function measure(before, after, rounds = '7') {
  const world = await startChild(HYBRID_WORLD, { signOut: true })
  const { issuer, audience, client, token } = world
  const verifiers = {}
  const isErr = {}
  for (const [name, dist] of Object.entries({ before, after })) {
    const sdk = await import(pathToFileURL(resolve(dist, 'index.js')).href)
    const verifier = sdk.createVerifier({ issuer, audience, mode: 'hybrid', client })
    await verifier.ready()
    verifiers[name] = verifier
    isErr[name] = sdk.isTesseraAuthError
    await new Promise((r) => setTimeout(r, 300))
    const e = await verifier.verify(token).then(
      () => null,
      (error) => error,
    )
    if (!sdk.isTesseraAuthError(e, 'token_revoked')) throw new Error(`${name}: not refused: ${e}`)
  }
  const calls = 100_000
  const rates = { before: [], after: [] }
  for (let round = 0; round < Number(rounds); round++) {
    for (const name of round % 2 ? ['after', 'before'] : ['before', 'after']) {
      const verifier = verifiers[name]
      const is = isErr[name]
      const cpu = process.cpuUsage()
      // As lib/revocation-subscribers.mjs checks: verify(token).then(ok, refused), a batch per turn.
      let left = calls
      await new Promise((done) => {
        const refused = (error) => {
          if (!is(error, 'token_revoked')) throw error
          left -= 1
          if (left === 0) done()
          else if (left % 250 === 0) setImmediate(batch)
        }
        const batch = () => {
          for (let i = 0; i < 250; i++)
            verifier.verify(token).then(() => {
              throw new Error('accepted')
            }, refused)
        }
        batch()
      })
      const { user, system } = process.cpuUsage(cpu)
      rates[name].push(calls / ((user + system) / 1e6))
    }
  }
  const ratio = spread(rates.after.map((rate, i) => rate / rates.before[i]))
  console.log(
    `refusals per CPU-second: before ${Math.round(spread(rates.before).median)}, after ${Math.round(spread(rates.after).median)}; µs each ${(1e6 / spread(rates.before).median).toFixed(2)} -> ${(1e6 / spread(rates.after).median).toFixed(2)}`,
  )
  console.log(
    `after / before: median ${ratio.median.toFixed(2)} (min ${ratio.min.toFixed(2)}, max ${ratio.max.toFixed(2)}) over ${rounds} rounds; load ${loadavg()[0].toFixed(1)}`,
  )
  for (const verifier of Object.values(verifiers)) await verifier.close()
  await world.close()
}
