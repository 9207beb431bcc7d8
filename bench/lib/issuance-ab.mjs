// Two builds of the server loaded in turn with token exchange and refresh rotation (issue 17 target
// 4), as bench/suites/issuance.mjs loads its in-process server: token exchange by the bench's loader
// (autocannon in a child process) and refresh rotation by 20 chains (lib/refresh-chains.mjs, a child
// process; each request presents the token the previous one returned). Each build runs in a process
// of its own (lib/issuance-server.mjs): two servers in one process were measured unequal in an A/A
// run (the second started ran at about 0.6 of the first). Each server's first window of each case is
// run unmeasured first (lib/warm-up.mjs), and which build goes first alternates from round to round
// (bench/tools/ab-start-order.mjs). Besides the rates, the CPU time of each server's process per
// request: on a shared machine it moves less than the rates do. Used by bench/tools/ab-refresh.mjs
// (any two dist folders) and by the issuance suite (the build issue 17 was filed with against this one).
import { execFile } from 'node:child_process'
import { loadavg } from 'node:os'
import { promisify } from 'node:util'
import { processCpu } from './backend-cpu.mjs'
import { startChild } from './child-server.mjs'
import { exchange, exchangeBody, form } from './harness.mjs'
import { WARM_UP_SECONDS, warmUp } from './warm-up.mjs'

/** The API the fixture of lib/issuance-server.mjs creates. */
export const RESOURCE = 'https://api.example.com'
export const CHAINS = 20

/**
 * One build (`dist`, a server dist folder; the workspace's when undefined) in a process of its own,
 * ready with its fixture: { address, authorization, sessionToken, pid, close }. `syncMs`: SQLite on
 * tmpfs with each WAL sync a fixed wait (lib/slow-wal-sync.mjs); `fill`: rows stored in each token
 * table first (lib/token-fill.mjs).
 */
export function startIssuanceServer({ dist, database = 'sqlite', name, syncMs, fill = 0 }) {
  return startChild(
    new URL('./issuance-server.mjs', import.meta.url).pathname,
    { dist, database, name, syncMs, fill },
    syncMs === undefined ? {} : { env: { TMPDIR: '/dev/shm' } },
  )
}

/**
 * The two cases, each { prepare(server) → state, load(server, state, seconds) → { rate, p50, p99,
 * requests } }; what `prepare` does (the refresh chains' first tokens) is outside the measured window.
 */
export function issuanceCases(loader) {
  return {
    exchange: {
      prepare: async () => null,
      load: async ({ address, authorization, sessionToken }, _, seconds) => {
        const result = await loader.run(`${address}/oauth/token`, {
          method: 'POST',
          headers: { ...form, authorization },
          body: exchangeBody(sessionToken, RESOURCE),
          seconds,
        })
        return { rate: result.rate, p50: result.p50, p99: result.p99, requests: result.total }
      },
    },
    refresh: {
      prepare: async ({ address, authorization, sessionToken }) => {
        const starts = []
        for (let i = 0; i < CHAINS; i++) starts.push((await exchange(address, authorization, sessionToken, RESOURCE)).refresh_token)
        return starts
      },
      load: async ({ address, authorization }, starts, seconds) => {
        const { stdout } = await promisify(execFile)(process.execPath, [
          new URL('./refresh-chains.mjs', import.meta.url).pathname,
          JSON.stringify({ url: `${address}/oauth/token`, authorization, tokens: starts, seconds }),
        ])
        const result = JSON.parse(stdout)
        return { rate: result.rps, p50: result.p50, p99: result.p99, requests: result.rps * seconds }
      },
    },
  }
}

/** One window of `kind` on `server`, with its server process's CPU time per request (µs, /proc). */
export async function measureWindow(kind, server, seconds) {
  const state = await kind.prepare(server)
  const before = processCpu(server.pid)
  const result = await kind.load(server, state, seconds)
  const cpuUs = ((processCpu(server.pid) - before) * 1_000_000) / result.requests
  return { ...result, cpuUs }
}

/**
 * Every case on every server (`servers`: name → started server, in the first round's order), `rounds`
 * times: round by round, case by case, each server in turn, the order of the servers reversed every
 * other round (so neither always follows the other's load; an even count gives each order as many
 * rounds). First an unmeasured window of each case on each server (`warmUpSeconds`). Returns
 * { samples: case → server → [{ rate, p50, p99, requests, cpuUs }] (one per round), loads: the
 * 1-minute load average at the start of each round }.
 */
export async function rotateBuilds({ servers, cases, rounds, seconds, warmUpSeconds = WARM_UP_SECONDS, log = () => {} }) {
  const names = Object.keys(servers)
  await warmUp(
    names.flatMap((name) => Object.values(cases).map((kind) => (s) => measureWindow(kind, servers[name], s))),
    warmUpSeconds,
  )
  const samples = Object.fromEntries(Object.keys(cases).map((kind) => [kind, Object.fromEntries(names.map((name) => [name, []]))]))
  const loads = []
  for (let round = 0; round < rounds; round++) {
    loads.push(loadavg()[0])
    for (const [kind, measure] of Object.entries(cases)) {
      for (const name of round % 2 ? [...names].reverse() : names) {
        const sample = await measureWindow(measure, servers[name], seconds)
        samples[kind][name].push(sample)
        log(round, kind, name, sample)
      }
    }
  }
  return { samples, loads }
}
