// What every request pays in Tessera over a bare Fastify, by instructions over real sockets
// (issue 17 target 2a; docs/architecture.md §9, "Per-request cost over bare Fastify"). Runs
// bench/tools/pipeline-pieces-server.mjs (a bare Fastify with the pieces named, or Tessera) under
// `valgrind --tool=callgrind --separate-threads=yes --instr-atstart=no`, sends it `warm-up` GET
// /healthz requests uninstrumented, then turns instrumentation on, zeroes the counters, sends
// `count` requests and dumps: autocannon with 50 connections in another process, so the count
// includes the socket, the HTTP parser and the response write that inject (light-my-request)
// replaces with its own work. Prints main-thread and all-thread instructions per request.
// Insensitive to the machine's load; a window is ~10-20 s, so timers (Tessera's background tasks)
// weigh ~70 times what they do at a real rate.
//   node bench/tools/callgrind-pipeline.mjs <pieces> [count, 3000] [warm-up, 4000] [dist] [--route=R]
//   e.g. pieces '' (bare), 'logger,lazylog', 'all', 'tessera', 'tessera-bg'
// --route=session or --route=introspect (issue 17 target 3): Tessera with the introspection world
// (pieces 'tessera' or 'tessera-bg', plus 'world', added here), loaded with benchmarks.md §1c's
// request instead of GET /healthz: GET /v1/session of the user's session, or POST /oauth/introspect
// of its opaque session-mode access token by the resource server (client_secret_basic); each answer
// is checked (status 200, and an active token) before and after the counted window.
// --names: the server runs with --perf-basic-prof, and the tool prints its V8 perf map, which
// bench/tools/callgrind-diff.mjs uses to name JIT code in two dumps compared function by function.
// The dump stays in /tmp/callgrind-pipeline-<pid>.out.1-01 (main thread) for callgrind_annotate.
import { execFile, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { sendCount } from '../lib/autocannon-count.mjs'

const route = process.argv.find((a) => a.startsWith('--route='))?.slice('--route='.length) ?? 'healthz'
const [given = '', count = '3000', warmUp = '4000', dist] = process.argv.slice(2).filter((a) => !a.startsWith('--'))
if (!['healthz', 'session', 'introspect'].includes(route)) throw new Error(`unknown route ${route}`)
if (route !== 'healthz' && !/\btessera(-bg)?\b/.test(given)) throw new Error('--route= needs the pieces tessera or tessera-bg')
const pieces = route === 'healthz' ? given : `${given},world`
const run = promisify(execFile)
const out = join(tmpdir(), `callgrind-pipeline-${process.pid}.out`)
const portFile = join(tmpdir(), `callgrind-pipeline-${process.pid}.port`)
const serverScript = fileURLToPath(new URL('./pipeline-pieces-server.mjs', import.meta.url))

const valgrind = spawn(
  'valgrind',
  [
    '--tool=callgrind',
    '--separate-threads=yes',
    '--dump-instr=no',
    '--instr-atstart=no',
    `--callgrind-out-file=${out}`,
    process.execPath,
    serverScript,
    pieces,
    ...(dist ? [resolve(dist)] : []),
  ],
  {
    // --perf-basic-prof also leaves V8 log files in the working directory: keep them out of the tree.
    cwd: tmpdir(),
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PORT_FILE: portFile,
      ...(process.argv.includes('--names') ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --perf-basic-prof` } : {}),
    },
  },
)
const exited = new Promise((resolve) => valgrind.once('exit', resolve))
// A failure below must not leave the server running under valgrind.
process.once('uncaughtException', (error) => {
  valgrind.kill()
  console.error(error)
  process.exit(1)
})
while (!existsSync(portFile) || readFileSync(portFile, 'utf8') === '') {
  if (valgrind.exitCode !== null) throw new Error(`the server exited (${valgrind.exitCode}) before it listened`)
  await new Promise((resolve) => setTimeout(resolve, 500))
}
const { port, requests: world } = JSON.parse(readFileSync(portFile, 'utf8'))
const [path, { method = 'GET', headers = {}, body } = {}] = world[route] ?? ['/healthz']
const url = `http://127.0.0.1:${port}${path}`
/** One answer, read as a client would: a 200, and for introspection an active token. */
async function check() {
  const response = await fetch(url, { method, headers, body })
  const text = await response.text()
  if (response.status !== 200) throw new Error(`${route}: status ${response.status}`)
  if (route === 'introspect' && !text.startsWith('{"active":true')) throw new Error('the introspected token is not active')
}
// Under callgrind a request can take long: 60 s before autocannon counts it as failed.
const load = (amount) => sendCount(url, { method, headers, body }, amount, { timeout: 60 })
const control = (...flags) => run('callgrind_control', [...flags, String(valgrind.pid)])
await check()
await load(warmUp)
await control('-i', 'on')
await control('-z')
const counted = await load(count)
await control('-d')
await check()
valgrind.kill()
await exited

/** The total of one dump file (callgrind's `summary:` or `totals:` line). */
const total = (file) => Number(/^(?:summary|totals): (\d+)/m.exec(readFileSync(file, 'utf8'))?.[1] ?? 0)
const dumps = readdirSync(tmpdir())
  .filter((name) => name.startsWith(`callgrind-pipeline-${process.pid}.out.1-`))
  .map((name) => join(tmpdir(), name))
const main = dumps.find((file) => file.endsWith('.1-01'))
if (!main) throw new Error('no dump of the main thread')
const requests = counted.requests.total
const perRequest = (n) => `${(n / requests / 1000).toFixed(1)}k`
const all = dumps.reduce((sum, file) => sum + total(file), 0)
console.log(
  `${pieces || 'bare'} ${path}: ${perRequest(total(main))} main-thread instructions per request, ${perRequest(all)} all threads (${requests} requests)`,
)
console.log(`  callgrind_annotate ${main}`)
if (process.argv.includes('--names')) console.log(`  V8 perf map /tmp/perf-${valgrind.pid}.map`)
