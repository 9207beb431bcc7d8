// In-process CPU per refresh rotation, before/after (issue 17 target 4): two builds of the server
// (two dist folders), each in a process of its own, each driving its own app through Fastify's
// inject as bench/tools/callgrind-refresh.mjs does (20 chains, each presenting the token the previous
// rotation returned: hooks, client authentication, the grant's transaction and group commit,
// signing, serialisation; no socket, no load generator). No other process shares the work, so the
// CPU a round costs the build's process (every thread: the WAL syncs on the thread pool too), over
// the rotations it ran, is the build's own cost; rounds alternate which build runs first, and the
// processes are started again in the other order for the second half of the rounds (the process
// started second was measured faster in other A/B tools: each half's ratios are printed).
// Usage: node bench/tools/ab-refresh-inject.mjs <dist-before> <dist-after> [rounds] [rotations] [warm-up]
//   AB_SYNC_MS=3: on tmpfs, each WAL sync a fixed 3 ms (as ab-refresh.mjs).
import { loadavg } from 'node:os'
import { forkChild, startInOrder } from '../lib/ab-child.mjs'
import { injectRefreshChains } from '../lib/inject-refresh-chains.mjs'
import { slowWalSyncs } from '../lib/slow-wal-sync.mjs'
import { spread } from '../lib/stats.mjs'

const [mode, ...rest] = process.argv.slice(2)

if (mode === '--child') await child(JSON.parse(rest[0]))
else await parent(mode, ...rest)

async function parent(before, after, rounds = '10', rotations = '2000', warmUp = '3000') {
  const syncMs = process.env.AB_SYNC_MS === undefined ? undefined : Number(process.env.AB_SYNC_MS)
  const dists = { before, after }
  const start = (name) =>
    forkChild(
      new URL(import.meta.url).pathname,
      { dist: dists[name], syncMs, warmUp: Number(warmUp) },
      { ...process.env, ...(syncMs === undefined ? {} : { TMPDIR: '/dev/shm' }) },
    )
  const startBoth = (order) => startInOrder(order, start)
  const half = Math.ceil(Number(rounds) / 2)
  const cpu = { before: [], after: [] }
  const halves = [[], []]
  const loads = []
  let builds = await startBoth(['before', 'after'])
  for (let round = 0; round < Number(rounds); round++) {
    if (round === half) {
      for (const build of Object.values(builds)) await build.close()
      builds = await startBoth(['after', 'before'])
    }
    loads.push(loadavg()[0])
    const perRotation = {}
    for (const name of round % 2 ? ['after', 'before'] : ['before', 'after']) {
      const { micros } = await builds[name].run(Number(rotations))
      perRotation[name] = micros / Number(rotations)
      cpu[name].push(perRotation[name])
    }
    halves[round < half ? 0 : 1].push(perRotation.after / perRotation.before)
    console.log(`round ${round + 1}: before ${perRotation.before.toFixed(1)} µs, after ${perRotation.after.toFixed(1)} µs CPU per rotation`)
  }
  for (const build of Object.values(builds)) await build.close()
  const range = (s, digits = 1) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`
  console.log(
    `${rounds} rounds of ${rotations} rotations, load average ${range(spread(loads))}` +
      (syncMs === undefined ? '' : `, on tmpfs with each WAL sync a fixed ${syncMs} ms`),
  )
  console.log(`CPU per rotation: before ${range(spread(cpu.before))} µs, after ${range(spread(cpu.after))} µs`)
  console.log(`after / before: ${range(spread([...halves[0], ...halves[1]]), 3)}`)
  console.log(`  before started first: ${range(spread(halves[0]), 3)}; after started first: ${range(spread(halves[1]), 3)}`)
  process.exit(0)
}

async function child({ dist, syncMs, warmUp }) {
  // As bench/lib/issuance-server.mjs: every WAL sync the real (tmpfs) one plus a fixed wait.
  if (syncMs !== undefined) await slowWalSyncs(syncMs)
  const { server, run } = await injectRefreshChains({ dist })
  await run(warmUp)
  process.on('message', async ({ count }) => {
    const started = process.cpuUsage()
    await run(count)
    const used = process.cpuUsage(started)
    process.send({ micros: used.user + used.system })
  })
  process.on('disconnect', async () => {
    await server.close()
    process.exit(0)
  })
  process.send({ ready: true })
}
