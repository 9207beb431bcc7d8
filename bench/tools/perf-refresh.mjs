// Profiles refresh-token rotation and token exchange over real sockets with Linux `perf` (issue 17
// target 4), as bench/tools/perf-introspection.mjs does for introspection: one build of the server
// in its own process (bench/lib/issuance-server.mjs, as ab-refresh.mjs runs it), loaded as
// ab-refresh.mjs loads it (20 refresh chains in a child process; token exchange by the bench's
// loader, 50 connections). Native frames are seen too: SQLite, OpenSSL's ECDSA and HMAC, Node's
// HTTP parser, the kernel. Prints the JS call tree of both side by side (µs of samples per request
// at 2 kHz, native leaves folded into their JS caller), then the heaviest self times of refresh.
// perf inflates everything; compare paths with each other, not with ab-refresh's figures.
// Usage: node bench/tools/perf-refresh.mjs [dist|-] [sqlite|postgres] [seconds] [depth] [min µs] [flat rows]
//   AB_SYNC_MS=3: on tmpfs, each WAL sync a fixed 3 ms (as ab-refresh.mjs).
//   (needs `perf`: apt-get install linux-perf; run as a user allowed to attach to the process)
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { startChild } from '../lib/child-server.mjs'
import { exchange, exchangeBody, form } from '../lib/harness.mjs'
import { startLoader } from '../lib/loader.mjs'
import { flat, PERF_ENV, printTrees, recordTree } from '../lib/perf-tree.mjs'

const [dist, database = 'sqlite', seconds = '8', depth = '8', minimum = '1', rows = '40'] = process.argv.slice(2)
const RESOURCE = 'https://api.example.com'
const CHAINS = 20
const syncMs = process.env.AB_SYNC_MS === undefined ? undefined : Number(process.env.AB_SYNC_MS)
const dir = mkdtempSync(join(tmpdir(), 'tessera-perf-'))
const server = await startChild(
  new URL('../lib/issuance-server.mjs', import.meta.url).pathname,
  { dist: dist === '-' || dist === undefined ? undefined : dist, database, name: 'perf', syncMs },
  { env: { ...PERF_ENV, ...(syncMs === undefined ? {} : { TMPDIR: '/dev/shm' }) } },
)
const { address, authorization, sessionToken } = server
const loader = startLoader({ duration: Number(seconds), connections: 50 })

const loads = {
  refresh: async (duration) => {
    const starts = []
    for (let i = 0; i < CHAINS; i++) starts.push((await exchange(address, authorization, sessionToken, RESOURCE)).refresh_token)
    const { stdout } = await promisify(execFile)(process.execPath, [
      new URL('../lib/refresh-chains.mjs', import.meta.url).pathname,
      JSON.stringify({ url: `${address}/oauth/token`, authorization, tokens: starts, seconds: duration }),
    ])
    const result = JSON.parse(stdout)
    return { rate: result.rps, requests: result.rps * duration }
  },
  exchange: async (duration) => {
    const result = await loader.run(`${address}/oauth/token`, {
      method: 'POST',
      headers: { ...form, authorization },
      body: exchangeBody(sessionToken, RESOURCE),
      seconds: duration,
    })
    return { rate: result.rate, requests: result.total }
  },
}
// Warm-up of both, so the JIT has settled before the recorded runs.
for (const name of ['refresh', 'exchange', 'refresh']) await loads[name](2)

const trees = {}
for (const name of ['refresh', 'exchange']) {
  const { result, micros, tree } = await recordTree(server.pid, dir, name, () => loads[name](Number(seconds)))
  console.log(`${name} (${database}): ${Math.round(result.rate)} req/s, ${micros.toFixed(0)} µs CPU per request under perf`)
  trees[name] = tree
}
loader.close()
await server.close()
rmSync(dir, { recursive: true, force: true })

printTrees(trees, Number(depth), Number(minimum))
console.log('\nrefresh, self µs per request (native leaves and JS functions):')
for (const [leaf, micros] of flat(trees.refresh).slice(0, Number(rows))) console.log(`  ${micros.toFixed(2)}  ${leaf}`)
process.exit(0)
