// Before/after in the same run for the hybrid-guarded route's SDK work: two builds of @tessera/sdk
// (two dist folders), each with a hybrid verifier subscribed to one Tessera's revocation feed, and
// the Fastify `requireAuth` hook called on a warm (cached) token, interleaved; calls per CPU-second.
// The request is a plain object with Fastify's `protocol`/`host` as getters, so this measures the
// SDK's share of a request, not Fastify's.
// Usage: node bench/tools/ab-sdk-hybrid-hook.mjs <sdk-dist-before> <sdk-dist-after> [rounds]
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { startChild } from '../lib/child-server.mjs'
import { spread } from '../lib/stats.mjs'

const HYBRID_WORLD = new URL('../lib/hybrid-world-server.mjs', import.meta.url).pathname

await measure(...process.argv.slice(2))

async function measure(before, after, rounds = '7') {
  const world = await startChild(HYBRID_WORLD)
  const { issuer, audience, client, userId, token } = world
  const request = {
    method: 'GET',
    url: '/orders',
    headers: { host: 'api.example.test', authorization: `Bearer ${token}` },
    get protocol() {
      return 'http'
    },
    get host() {
      return this.headers.host
    },
  }
  const reply = {}
  const done = (error) => {
    if (error) throw error
  }
  // Once, to check it authenticates: a callback hook's `done`, or an async hook's promise.
  const call = (hook) => (hook.length === 3 ? new Promise((settle) => hook(request, reply, settle)) : hook(request, reply))
  const hooks = {}
  const verifiers = []
  for (const [name, dist] of Object.entries({ before, after })) {
    const { createVerifier } = await import(pathToFileURL(resolve(dist, 'index.js')).href)
    const { requireAuth } = await import(pathToFileURL(resolve(dist, 'fastify/index.js')).href)
    const verifier = createVerifier({ issuer, audience, mode: 'hybrid', client })
    await verifier.ready()
    verifiers.push(verifier)
    hooks[name] = requireAuth(verifier)
    await call(hooks[name])
    if (request.auth?.subject !== userId) throw new Error(`${name}: the hook did not authenticate`)
  }
  const calls = 200_000
  const rates = { before: [], after: [] }
  for (let round = 0; round < Number(rounds); round++) {
    for (const name of round % 2 ? ['after', 'before'] : ['before', 'after']) {
      const hook = hooks[name]
      const cpu = process.cpuUsage()
      for (let i = 0; i < calls; i++) {
        // An async hook returns a promise; a callback one (`done`) settles a cached token at once.
        const settled = hook(request, reply, done)
        if (settled) await settled
      }
      const { user, system } = process.cpuUsage(cpu)
      rates[name].push(calls / ((user + system) / 1e6))
    }
  }
  const ratio = spread(rates.after.map((rate, i) => rate / rates.before[i]))
  console.log(
    `hook calls per CPU-second: before ${Math.round(spread(rates.before).median)}, after ${Math.round(spread(rates.after).median)}`,
  )
  console.log(
    `after / before: median ${ratio.median.toFixed(2)} (min ${ratio.min.toFixed(2)}, max ${ratio.max.toFixed(2)}) over ${rounds} rounds`,
  )
  for (const verifier of verifiers) await verifier.close()
  await world.close()
}
