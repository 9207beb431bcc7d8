// Before/after in the same run for the SDK's warm path: two builds of @tessera/sdk (two dist
// folders), each verifying the same cached ES256 tokens, interleaved; rates per CPU-second.
// Usage: node bench/tools/ab-sdk-warm.mjs <sdk-dist-before> <sdk-dist-after> [rounds]
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { CLI, startTessera } from '../lib/harness.mjs'
import { spread } from '../lib/stats.mjs'

const [before, after, rounds = '7'] = process.argv.slice(2)
const audience = 'https://api.example.com'
const server = await startTessera()
const { tessera, issuer } = server
await tessera.services.apis.create({ identifier: audience, name: 'Orders', mode: 'jwt', scopes: ['orders:read'] }, CLI)
const m2m = await tessera.services.applications.create({ name: 'job', type: 'm2m', apis: [audience], scopes: ['orders:read'] }, CLI)
const tokens = []
for (let i = 0; i < 2000; i++) {
  tokens.push((await tessera.services.tokens.clientCredentials(m2m.application, { resource: [audience], scope: undefined })).access_token)
}
const verifiers = {}
for (const [name, dist] of Object.entries({ before, after })) {
  const { createVerifier } = await import(pathToFileURL(resolve(dist, 'index.js')).href)
  verifiers[name] = createVerifier({ issuer, audience, mode: 'jwt' })
  for (const token of tokens) await verifiers[name].verify(token)
}
const rates = { before: [], after: [] }
for (let round = 0; round < Number(rounds); round++) {
  // Alternate which build goes first: the first of a pair was measured faster in an A/A run.
  for (const name of round % 2 ? ['after', 'before'] : ['before', 'after']) {
    const verifier = verifiers[name]
    const cpu = process.cpuUsage()
    for (let pass = 0; pass < 50; pass++) for (const token of tokens) await verifier.verify(token, { scopes: ['orders:read'] })
    const { user, system } = process.cpuUsage(cpu)
    rates[name].push((tokens.length * 50) / ((user + system) / 1e6))
  }
}
const ratio = spread(rates.after.map((rate, i) => rate / rates.before[i]))
console.log(
  `warm verify per CPU-second: before ${Math.round(spread(rates.before).median)}, after ${Math.round(spread(rates.after).median)}`,
)
console.log(
  `after / before: median ${ratio.median.toFixed(2)} (min ${ratio.min.toFixed(2)}, max ${ratio.max.toFixed(2)}) over ${rounds} rounds`,
)
for (const verifier of Object.values(verifiers)) await verifier.close()
await server.close()
