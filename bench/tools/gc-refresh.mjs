// What the garbage collector does per refresh-token rotation (issue 17 target 4), in the server
// over sockets and in process through Fastify's inject, side by side: the V8 trace of every
// collection (--trace-gc-nvp) in the window, summarised per rotation: scavenges and mark-compacts,
// bytes allocated, bytes that survived a scavenge and bytes it promoted to the old generation
// (which only a mark-compact takes back), and each kind's pause.
//   sockets: one build in its own process (lib/issuance-server.mjs, as ab-refresh.mjs runs it) under
//            20 chains from a child process (lib/refresh-chains.mjs), after a window of warm-up;
//   inject:  the same build's app in its own process (lib/inject-refresh-chains.mjs, as
//            callgrind-refresh, alloc-refresh and ab-refresh-inject drive it), `chains` chains.
// Usage: node bench/tools/gc-refresh.mjs [dist|-] [seconds over sockets] [rotations in process] [chains in process]
//   AB_SYNC_MS=3: on tmpfs, each WAL sync a fixed 3 ms (as ab-refresh.mjs), for both.
import { execFile, fork } from 'node:child_process'
import { promisify } from 'node:util'
import { exchange } from '../lib/harness.mjs'

const [mode, ...rest] = process.argv.slice(2)
const RESOURCE = 'https://api.example.com'
const syncMs = process.env.AB_SYNC_MS === undefined ? undefined : Number(process.env.AB_SYNC_MS)
const env = { ...process.env, ...(syncMs === undefined ? {} : { TMPDIR: '/dev/shm' }) }
const START = 'GC-WINDOW-START'
const END = 'GC-WINDOW-END'

if (mode === '--inject') await injectChild(JSON.parse(rest[0]))
else await parent(mode, ...rest)

/** In-process rotations between two markers on stdout, which the parent cuts the trace by. */
async function injectChild({ dist, rotations, chains }) {
  const { injectRefreshChains } = await import('../lib/inject-refresh-chains.mjs')
  const { slowWalSyncs } = await import('../lib/slow-wal-sync.mjs')
  if (syncMs !== undefined) await slowWalSyncs(syncMs)
  const { server, run } = await injectRefreshChains({ dist, chains })
  await run(3000)
  console.log(START)
  await run(rotations)
  console.log(END)
  await server.close()
  process.exit(0)
}

/** Starts `script` with the GC trace on, collecting its stdout. */
function traced(script, args) {
  const child = fork(script, args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], execArgv: ['--trace-gc-nvp'], env })
  const trace = { text: '' }
  child.stdout.on('data', (chunk) => {
    trace.text += chunk
  })
  return { child, trace }
}

/** The collections of a trace, per rotation. */
function summary(lines, rotations) {
  const field = (line, name) => Number(new RegExp(` ${name}=([0-9.]+)`).exec(line)?.[1] ?? 0)
  const scavenges = lines.filter((line) => line.includes(' gc=s '))
  const fulls = lines.filter((line) => line.includes(' gc=mc '))
  const per = (set, name, scale = 1) => ((set.reduce((sum, line) => sum + field(line, name), 0) * scale) / rotations).toFixed(1)
  return (
    `${rotations} rotations: ${scavenges.length} scavenges, ${fulls.length} mark-compacts; per rotation: ` +
    `${per(scavenges, 'allocated')} B allocated, ${per(scavenges, 'new_space_survived')} B survived a scavenge, ` +
    `${per(scavenges, 'promoted')} B promoted; pauses ${per(scavenges, 'pause', 1000)} µs scavenging, ${per(fulls, 'pause', 1000)} µs in mark-compacts`
  )
}

async function parent(dist = '-', seconds = '20', rotations = '6000', chains = '20') {
  const build = dist === '-' ? undefined : dist
  // Over sockets.
  const server = traced(new URL('../lib/issuance-server.mjs', import.meta.url).pathname, [
    JSON.stringify({ dist: build, database: 'sqlite', syncMs }),
  ])
  const ready = await new Promise((resolve) => server.child.once('message', resolve))
  const address = `http://127.0.0.1:${ready.port}`
  const load = async (s) => {
    const starts = []
    for (let i = 0; i < 20; i++) starts.push((await exchange(address, ready.authorization, ready.sessionToken, RESOURCE)).refresh_token)
    const { stdout } = await promisify(execFile)(process.execPath, [
      new URL('../lib/refresh-chains.mjs', import.meta.url).pathname,
      JSON.stringify({ url: `${address}/oauth/token`, authorization: ready.authorization, tokens: starts, seconds: s }),
    ])
    return JSON.parse(stdout)
  }
  await load(3)
  server.trace.text = ''
  const result = await load(Number(seconds))
  const socketLines = server.trace.text.split('\n').filter((line) => line.includes(' gc='))
  server.child.disconnect()
  console.log(
    `sockets (20 chains, ${seconds} s, ${result.rps.toFixed(0)} rotations/s): ${summary(socketLines, result.rps * Number(seconds))}`,
  )

  // In process, through inject.
  const injected = traced(new URL(import.meta.url).pathname, [
    '--inject',
    JSON.stringify({ dist: build, rotations: Number(rotations), chains: Number(chains) }),
  ])
  await new Promise((resolve) => injected.child.once('exit', resolve))
  const text = injected.trace.text
  const window = text.slice(text.indexOf(START), text.indexOf(END)).split('\n')
  console.log(
    `inject (${chains} chains): ${summary(
      window.filter((line) => line.includes(' gc=')),
      Number(rotations),
    )}`,
  )
}
