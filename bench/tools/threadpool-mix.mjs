// libuv's thread pool carries three kinds of work in Tessera: argon2id hashes (sign-in, ~10 ms and
// 19 MiB each), client_credentials' ES256 signatures (architecture.md §4) and, on SQLite, the WAL
// syncs of the group commit (§12). This tool measures what a mixed burst does to each, against each
// alone, for several pool sizes: one server process per UV_THREADPOOL_SIZE (bench/tools/
// threadpool-mix-server.mjs), each loaded in turn, rounds interleaved, alternating which size goes
// first. Per round and size: sign-ins alone (autocannon, 8 connections), client_credentials alone
// (autocannon, 16 connections), refresh rotation alone (20 chains, bench/lib/refresh-chains.mjs),
// then all three at once (each its own load process). Prints each workload's rate, p50 and p99,
// alone and mixed, with medians and ranges over the rounds, the server's CPU per request and its
// peak RSS over the whole run.
// Usage: node bench/tools/threadpool-mix.mjs [rounds] [seconds] [sizes, e.g. 4,8] [dist]
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { promisify } from 'node:util'
import { processCpu } from '../lib/backend-cpu.mjs'
import { startChild } from '../lib/child-server.mjs'
import { exchange, form, json } from '../lib/harness.mjs'
import { startLoader } from '../lib/loader.mjs'
import { spread } from '../lib/stats.mjs'

const [rounds = '4', seconds = '4', sizeList = '4,8', dist] = process.argv.slice(2)
const SIZES = sizeList.split(',').map(Number)
const RESOURCE = 'https://api.example.com'
const CHAINS = 20
const duration = Number(seconds)

const servers = {}
for (const size of SIZES) {
  servers[size] = await startChild(
    new URL('./threadpool-mix-server.mjs', import.meta.url).pathname,
    { dist },
    {
      env: { UV_THREADPOOL_SIZE: String(size) },
    },
  )
}
// One load process per workload, so the mixed burst's three loads do not share an event loop.
const loaders = {
  signIn: startLoader({ duration, connections: 8 }),
  clientCredentials: startLoader({ duration, connections: 16 }),
}

const workloads = {
  signIn: (server) => loaders.signIn.run(`${server.address}/v1/sign-in`, { method: 'POST', headers: json, body: server.signIn }),
  clientCredentials: (server) =>
    loaders.clientCredentials.run(`${server.address}/oauth/token`, {
      method: 'POST',
      headers: { ...form, authorization: server.clientCredentials.authorization },
      body: server.clientCredentials.body,
    }),
  refresh: async (server) => {
    const { authorization, sessionToken } = server.web
    const tokens = []
    for (let i = 0; i < CHAINS; i++) tokens.push((await exchange(server.address, authorization, sessionToken, RESOURCE)).refresh_token)
    const { stdout } = await promisify(execFile)(process.execPath, [
      new URL('../lib/refresh-chains.mjs', import.meta.url).pathname,
      JSON.stringify({ url: `${server.address}/oauth/token`, authorization, tokens, seconds: duration }),
    ])
    const { rps, p50, p99 } = JSON.parse(stdout)
    return { rate: rps, p50, p99 }
  },
}

/** results[size][workload][alone|mixed] = [{ rate, p50, p99 }, ...]; cpu[size][alone|mixed] = [µs per request] */
const results = Object.fromEntries(
  SIZES.map((size) => [size, Object.fromEntries(Object.keys(workloads).map((name) => [name, { alone: [], mixed: [] }]))]),
)
const cpu = Object.fromEntries(SIZES.map((size) => [size, { alone: [], mixed: [] }]))
const loads = []
const total = (answers) => Object.values(answers).reduce((sum, { rate }) => sum + rate * duration, 0)

for (let round = 0; round < Number(rounds); round++) {
  loads.push(loadavg()[0])
  for (const size of round % 2 ? [...SIZES].reverse() : SIZES) {
    const server = servers[size]
    const aloneAnswers = {}
    const startedAlone = processCpu(server.pid)
    for (const [name, run] of Object.entries(workloads)) aloneAnswers[name] = await run(server)
    cpu[size].alone.push(((processCpu(server.pid) - startedAlone) * 1e6) / total(aloneAnswers))
    const startedMixed = processCpu(server.pid)
    const names = Object.keys(workloads)
    const mixed = await Promise.all(names.map((name) => workloads[name](server)))
    cpu[size].mixed.push(((processCpu(server.pid) - startedMixed) * 1e6) / total(Object.fromEntries(names.map((n, i) => [n, mixed[i]]))))
    for (const [i, name] of names.entries()) {
      results[size][name].alone.push(aloneAnswers[name])
      results[size][name].mixed.push(mixed[i])
      const [a, m] = [aloneAnswers[name], mixed[i]]
      console.log(
        `round ${round + 1} pool ${size} ${name}: alone ${Math.round(a.rate)} req/s p50 ${a.p50} p99 ${a.p99} ms; mixed ${Math.round(m.rate)} req/s p50 ${m.p50} p99 ${m.p99} ms`,
      )
    }
  }
}

/** The process's peak resident memory so far (MB), from /proc (Linux): each argon2id hash in flight holds 19 MiB. */
const peakRss = (pid) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024

const range = (values, digits = 0) => {
  const s = spread(values)
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`
}
console.log(`\n${rounds} rounds of ${seconds} s per load, SQLite, load average ${range(loads, 1)}`)
for (const size of SIZES) {
  console.log(
    `UV_THREADPOOL_SIZE=${size}: server CPU per request alone ${range(cpu[size].alone)} µs, mixed ${range(cpu[size].mixed)} µs; ` +
      `peak RSS ${peakRss(servers[size].pid).toFixed(0)} MB`,
  )
  for (const [name, { alone, mixed }] of Object.entries(results[size])) {
    const field = (list, key, digits) =>
      range(
        list.map((each) => each[key]),
        digits,
      )
    console.log(
      `  ${name.padEnd(17)} alone: ${field(alone, 'rate')} req/s, p50 ${field(alone, 'p50', 1)}, p99 ${field(alone, 'p99', 1)} ms` +
        ` | mixed: ${field(mixed, 'rate')} req/s, p50 ${field(mixed, 'p50', 1)}, p99 ${field(mixed, 'p99', 1)} ms`,
    )
  }
}
for (const loader of Object.values(loaders)) loader.close()
await Promise.all(Object.values(servers).map((server) => server.close()))
