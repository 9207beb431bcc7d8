// A/A of the A/B tools' set-up: `count` servers of ONE build, each in a process of its own
// (bench/tools/ab-session-server.mjs, as ab-session-check.mjs starts them), started one after the
// other, loaded in turn by the bench's loader (50 connections) with GET /v1/session and GET /healthz.
// Prints, per window, each server's CPU per request: every thread by name, the main thread's
// context switches, which CPU its main thread ran on (sampled every 20 ms), and the loader's.
// Which server goes first rotates from round to round. Finds out whether the process started
// first costs more per request, and where.
// Usage: node bench/tools/ab-start-order.mjs [dist|-] [rounds] [seconds] [count] [--pin=cpus,cpus,…] [--loader-pin=cpus] [--perf]
//   --pin=0,0: taskset the servers (all threads), in start order; --loader-pin=1: the loader too.
//   --perf: record each server's session-check window of the last round with perf and print the
//   flat profiles side by side (run the servers with NODE_OPTIONS=--perf-basic-prof-only-functions).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { processCpu } from '../lib/backend-cpu.mjs'
import { startChild } from '../lib/child-server.mjs'
import { startLoader } from '../lib/loader.mjs'
import { flat, PERF_ENV, recordTree } from '../lib/perf-tree.mjs'
import { spread } from '../lib/stats.mjs'

const flags = process.argv.slice(2).filter((a) => a.startsWith('--'))
const [dist = '-', rounds = '4', seconds = '4', count = '2'] = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const flag = (name) => flags.find((f) => f.startsWith(`--${name}=`))?.slice(name.length + 3)
const pins = flag('pin')?.split(',')
const perf = flags.includes('--perf')

const servers = []
for (let i = 0; i < Number(count); i++) {
  servers.push(
    await startChild(
      new URL('./ab-session-server.mjs', import.meta.url).pathname,
      { dist: dist === '-' ? undefined : dist, database: 'sqlite', sessions: 1 },
      perf ? { env: PERF_ENV } : {},
    ),
  )
  if (pins?.[i] !== undefined) execFileSync('taskset', ['-a', '-p', '-c', pins[i], String(servers[i].pid)], { stdio: 'ignore' })
}
const loader = startLoader({ duration: Number(seconds), connections: 50 })
if (flag('loader-pin')) execFileSync('taskset', ['-a', '-p', '-c', flag('loader-pin'), String(loader.pid)], { stdio: 'ignore' })

function threads(pid) {
  const out = {}
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = Number(tid) === pid ? 'main' : readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim()
      out[name] = (out[name] ?? 0) + processCpu(`${pid}/task/${tid}`)
    } catch {
      // ended in between
    }
  }
  return out
}
function mainStat(pid) {
  const fields = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  const status = readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8')
  const get = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)[1])
  // field 10 minflt, field 39 processor (indexes from field 3)
  return {
    minflt: Number(fields[7]),
    cpu: Number(fields[36]),
    vol: get('voluntary_ctxt_switches'),
    invol: get('nonvoluntary_ctxt_switches'),
  }
}

// --warm=S: before the rounds, an unmeasured window of S seconds of each kind on each server (in
// start order), so that neither the loader's nor a server's first window (JIT compilation,
// first-touch page faults) is counted.
const warm = Number(flag('warm') ?? 0)
if (warm > 0)
  for (const { address, authorizations } of servers) {
    await loader.run(`${address}/v1/session`, { headers: { authorization: authorizations[0] }, seconds: warm })
    await loader.run(`${address}/healthz`, { seconds: warm })
  }
// --loader-warm-on=K: before the rounds, warm only the loader, on the server started K-th, which is
// then left out of the rounds; the others meet their first load cold, as after ab-token-endpoint's
// restart. --first=K: the server started K-th is measured first in round 1.
const loaderWarmOn = Number(flag('loader-warm-on') ?? 0)
if (loaderWarmOn > 0) {
  const { address, authorizations } = servers[loaderWarmOn - 1]
  await loader.run(`${address}/v1/session`, { headers: { authorization: authorizations[0] }, seconds: 3 })
  await loader.run(`${address}/healthz`, { seconds: 3 })
}
const measured = servers.map((_, i) => i).filter((i) => i !== loaderWarmOn - 1)
const firstOffset = Math.max(0, measured.indexOf(Number(flag('first') ?? 1) - 1))
const dir = mkdtempSync(join(tmpdir(), 'ab-start-order-'))
const results = servers.map(() => ({ session: [], healthz: [] }))
const profiles = {}
const loads = []
for (let round = 0; round < Number(rounds); round++) {
  loads.push(loadavg()[0])
  const order = measured.map((_, j) => measured[(j + round + firstOffset) % measured.length])
  for (const i of order) {
    const { address, authorizations, pid } = servers[i]
    for (const kind of ['session', 'healthz']) {
      const url = `${address}${kind === 'session' ? '/v1/session' : '/healthz'}`
      const options = kind === 'session' ? { headers: { authorization: authorizations[0] } } : {}
      const t0 = threads(pid)
      const m0 = mainStat(pid)
      const l0 = processCpu(loader.pid)
      const onCpu = [0, 0]
      const sampler = setInterval(() => {
        const c = mainStat(pid).cpu
        onCpu[c] = (onCpu[c] ?? 0) + 1
      }, 20)
      let result
      if (perf && kind === 'session' && round === Number(rounds) - 1) {
        const recorded = await recordTree(pid, dir, `s${i + 1}`, async () => {
          const r = await loader.run(url, options)
          return { ...r, requests: r.total }
        })
        result = recorded.result
        profiles[`started ${i + 1}`] = recorded.tree
      } else result = await loader.run(url, options)
      clearInterval(sampler)
      const t1 = threads(pid)
      const m1 = mainStat(pid)
      const per = (s) => (s * 1e6) / result.total
      const total = per(Object.values(t1).reduce((a, b) => a + b, 0) - Object.values(t0).reduce((a, b) => a + b, 0))
      const sample = {
        rate: result.rate,
        us: total,
        byThread: Object.fromEntries(
          Object.keys(t1)
            .map((k) => [k, per(t1[k] - (t0[k] ?? 0))])
            .filter(([, v]) => v > 0.05),
        ),
        loaderUs: per(processCpu(loader.pid) - l0),
        involPerK: ((m1.invol - m0.invol) * 1000) / result.total,
        volPerK: ((m1.vol - m0.vol) * 1000) / result.total,
        minfltPerK: ((m1.minflt - m0.minflt) * 1000) / result.total,
        onCpu,
      }
      results[i][kind].push(sample)
      console.log(
        `round ${round + 1} server started ${i + 1} (pid ${pid}) ${kind.padEnd(7)} ${String(Math.round(sample.rate)).padStart(6)}/s ${sample.us.toFixed(1)} µs/req ` +
          `[${Object.entries(sample.byThread)
            .map(([k, v]) => `${k} ${v.toFixed(1)}`)
            .join(
              ', ',
            )}] loader ${sample.loaderUs.toFixed(1)} µs/req; main: ctx/1k req ${sample.volPerK.toFixed(0)} vol ${sample.involPerK.toFixed(0)} invol, ` +
          `minflt/1k ${sample.minfltPerK.toFixed(1)}, on CPU0/CPU1 ${onCpu[0]}/${onCpu[1]}`,
      )
    }
  }
}
const show = (s, d = 1) => `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})`
console.log(`${rounds} rounds of ${seconds} s, load average ${show(spread(loads))}${pins ? `, servers pinned ${pins.join(' / ')}` : ''}`)
for (const [i, r] of results.entries()) {
  if (r.session.length === 0) continue
  for (const kind of ['session', 'healthz']) {
    const rows = r[kind]
    console.log(
      `server started ${i + 1} ${kind}: ${show(spread(rows.map((s) => s.us)))} µs/req, main ${show(spread(rows.map((s) => s.byThread.main ?? 0)))}, ` +
        `loader ${show(spread(rows.map((s) => s.loaderUs)))} µs/req, invol ctx/1k ${show(spread(rows.map((s) => s.involPerK)), 0)}`,
    )
  }
}
for (const kind of ['session', 'healthz']) {
  const [a, b] = measured
  const perRound = results[a][kind].map((s, j) => s.us / results[b][kind][j].us)
  console.log(
    `${kind}: CPU per request, started ${a + 1} / started ${b + 1} ${show(spread(perRound), 2)}; by round ${perRound.map((r) => r.toFixed(2)).join(' ')}` +
      `; rounds 2 on ${show(spread(perRound.slice(1)), 2)}`,
  )
}
if (perf) {
  const views = Object.fromEntries(Object.entries(profiles).map(([k, t]) => [k, new Map(flat(t))]))
  const keys = [...new Set(Object.values(views).flatMap((v) => [...v.keys()]))]
  const sum = (k) => Object.values(views).reduce((a, v) => a + (v.get(k) ?? 0), 0)
  keys.sort((a, b) => sum(b) - sum(a))
  console.log(`flat self µs per request: ${Object.keys(views).join(' | ')}`)
  for (const k of keys.slice(0, 40))
    console.log(
      `${Object.values(views)
        .map((v) => (v.get(k) ?? 0).toFixed(2).padStart(7))
        .join(' ')}  ${k}`,
    )
}
loader.close()
for (const server of servers) await server.close()
process.exit(0)
