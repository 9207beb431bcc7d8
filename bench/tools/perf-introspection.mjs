// Profiles POST /oauth/introspect and GET /v1/session over real sockets with Linux `perf`, side by
// side (issue 17 target 3): one build of the server in its own process, run as for
// ab-token-endpoint.mjs (bench/tools/ab-token-server.mjs) with --perf-basic-prof-only-functions so
// JIT frames have names, loaded by the bench's loader (50 connections). Unlike a V8 cpu-profile it
// sees native frames too: Node's HTTP parser, the socket's writev, SQLite, SHA-256, the kernel.
// Prints, per request (µs of samples at 2 kHz), the JS call tree of each endpoint, native leaves
// folded into their JS caller, next to each other. perf inflates both; compare them, not absolutes.
// Usage: node bench/tools/perf-introspection.mjs [dist] [sqlite|postgres] [seconds] [depth] [min µs]
//   (needs `perf`: apt-get install linux-perf; run as a user allowed to attach to the process)
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startChild } from '../lib/child-server.mjs'
import { startLoader } from '../lib/loader.mjs'
import { PERF_ENV, printTrees, recordTree } from '../lib/perf-tree.mjs'

const [dist, database = 'sqlite', seconds = '8', depth = '6', minimum = '0.4'] = process.argv.slice(2)
const dir = mkdtempSync(join(tmpdir(), 'tessera-perf-'))
const server = await startChild(
  new URL('./ab-token-server.mjs', import.meta.url).pathname,
  { dist: dist === '-' ? undefined : dist, database, which: 'introspect' },
  { env: PERF_ENV },
)
const loader = startLoader({ duration: Number(seconds), connections: 50 })
// Warm-up of both, so the JIT has settled before the recorded runs.
for (const kind of ['session', 'introspect', 'session', 'introspect']) {
  const [path, options] = server.requests[kind]
  await loader.run(`${server.address}${path}`, { ...options, seconds: 2 })
}

const trees = {}
for (const kind of ['introspect', 'session']) {
  const [path, options] = server.requests[kind]
  const load = async () => {
    const result = await loader.run(`${server.address}${path}`, options)
    return { ...result, requests: result.total }
  }
  const { result, micros, tree } = await recordTree(server.pid, dir, kind, load)
  console.log(`${kind} (${database}): ${Math.round(result.rate)} req/s, ${micros.toFixed(0)} µs CPU per request under perf`)
  trees[kind] = tree
}
loader.close()
await server.close()
rmSync(dir, { recursive: true, force: true })

printTrees(trees, Number(depth), Number(minimum))
process.exit(0)
