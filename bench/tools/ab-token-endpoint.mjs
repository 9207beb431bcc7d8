// Before/after in the same run: two builds of the server (two dist folders, e.g. a copy of
// packages/server/dist taken before a change, and the new one), each in this process on its own
// SQLite file, loaded in turn by autocannon with client_credentials (and the session check).
// Usage: node bench/tools/ab-token-endpoint.mjs <dist-before> <dist-after> [rounds] [seconds]
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { basic, form, grantReader } from '../lib/harness.mjs'
import { startLoader } from '../lib/loader.mjs'
import { spread } from '../lib/stats.mjs'

const [before, after, rounds = '5', seconds = '4'] = process.argv.slice(2)
const resource = 'https://api.example.com'
const cli = { kind: 'cli' }

async function start(dist) {
  const { createTessera, loadConfig } = await import(pathToFileURL(resolve(dist, 'index.js')).href)
  const dir = mkdtempSync(join(tmpdir(), 'tessera-ab-'))
  const config = loadConfig({
    env: {},
    overrides: {
      databaseUrl: `sqlite:${join(dir, 'tessera.db')}`,
      dataDir: dir,
      logLevel: 'silent',
      rateLimit: { credentialRequestsPerIp: 1_000_000 },
    },
  })
  const tessera = await createTessera(config)
  const app = await tessera.app()
  // As `tessera start` runs (the revocation signals, and the caches they keep fresh).
  await tessera.startBackgroundTasks()
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  await tessera.services.apis.create({ identifier: resource, name: 'Orders', mode: 'jwt', scopes: ['orders:read'] }, cli)
  const m2m = await tessera.services.applications.create({ name: 'job', type: 'm2m', apis: [resource], scopes: ['orders:read'] }, cli)
  await grantReader(tessera, [resource], { applications: [m2m.application.id] })
  return { tessera, address, authorization: basic(m2m.application.id, m2m.clientSecret) }
}

const servers = { before: await start(before), after: await start(after) }
const loader = startLoader({ duration: Number(seconds), connections: 50 })
const body = new URLSearchParams({ grant_type: 'client_credentials', resource }).toString()
const rates = { before: [], after: [] }
for (let round = 0; round < Number(rounds); round++) {
  // Alternate which build goes first: the first of a pair was measured faster in an A/A run.
  for (const name of round % 2 ? ['after', 'before'] : ['before', 'after']) {
    const { address, authorization } = servers[name]
    const result = await loader.run(`${address}/oauth/token`, { method: 'POST', headers: { ...form, authorization }, body })
    rates[name].push(result.rate)
    console.log(`round ${round + 1} ${name}: ${Math.round(result.rate)} req/s, p50 ${result.p50} ms`)
  }
}
const ratio = spread(rates.after.map((rate, i) => rate / rates.before[i]))
const b = spread(rates.before)
const a = spread(rates.after)
console.log(`client_credentials before ${Math.round(b.median)} req/s, after ${Math.round(a.median)} req/s`)
console.log(
  `after / before: median ${ratio.median.toFixed(2)} (min ${ratio.min.toFixed(2)}, max ${ratio.max.toFixed(2)}) over ${rounds} rounds`,
)
loader.close()
for (const server of Object.values(servers)) await server.tessera.close()
process.exit(0)
