// Profiles refresh-token rotation or token exchange (issue 17 target 4) and counts what each
// request costs the database: the statements it runs (by kind) and, on SQLite, how many
// transactions shared each COMMIT (store/sqlite-group-commit.ts).
// Usage: node bench/tools/profile-refresh.mjs refresh|exchange [sqlite|postgres] [seconds] [out.cpuprofile]
// PROFILE_FILL=<n>: n more rows in each token table first (below).
// PROFILE_DIST=<dist folder>: profile another build (a copy of packages/server/dist) than the workspace's.
// The load runs in a child process; with `out`, this process is profiled while the load runs (not
// its start-up) and the profile written there: summarise it with bench/tools/profile-summary.mjs.
import { execFile } from 'node:child_process'
import { openSync, readSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { exchange, exchangeBody, form, refreshFixture, startTessera } from '../lib/harness.mjs'
import { fillTokenTables } from '../lib/token-fill.mjs'

const [mode = 'refresh', database = 'sqlite', seconds = '5', out] = process.argv.slice(2)
const RESOURCE = 'https://api.example.com'
const CHAINS = 20

// Statement counts: every statement better-sqlite3 or pg runs in this process, by its first words.
const counts = new Map()
let counting = false
/** Time spent in SQLite's COMMIT (its fsync, on the event loop). */
let commitMs = 0
const count = (sql) => {
  if (!counting) return
  // A compiled statement starts with a comment (store/prepared-statements.ts's PREPARED_MARK): skip it.
  const kind = sql
    .replace(/^\s*(\/\*[\s\S]*?\*\/\s*)+/, '')
    .trim()
    .replace(/\s+/g, ' ')
    .match(/^(\w+( \w+)?( "?\w+"?)?)/)?.[1]
    .toLowerCase()
  counts.set(kind, (counts.get(kind) ?? 0) + 1)
  return kind
}
/**
 * SQLite: the CPU on the connection's critical path: from the end of a group's WAL sync to the
 * next group's COMMIT (the next group's statements, and whatever else the event loop ran
 * meanwhile, such as the synced group's answers). Measured in CPU time, not wall time, so that a
 * busy machine's waits do not count; the COMMIT itself is left out.
 */
let syncedAt
/**
 * SQLite: the pages each COMMIT appended to the WAL (one frame each), from the wal-index header's
 * mxFrame (offset 16 of the -shm file, sqlite.org/walformat.html; native byte order, read as
 * little-endian here) before and after it; a WAL restarted after a checkpoint begins at frame 0.
 */
let walFrames = 0
let shm
const mxFrame = (database) => {
  shm ??= openSync(`${database.name}-shm`, 'r')
  const header = Buffer.alloc(4)
  readSync(shm, header, 0, 4, 16)
  return header.readUInt32LE(0)
}
const walFramesOf = []
/** SQLite: time in each kind of statement (better-sqlite3 runs them on the event loop). */
const statementMs = new Map()
const require = createRequire(new URL('../../packages/server/package.json', import.meta.url))
if (database === 'sqlite') {
  const SQLite = require('better-sqlite3')
  const probe = new SQLite(':memory:')
  const proto = Object.getPrototypeOf(probe.prepare('select 1'))
  probe.close()
  for (const method of ['run', 'get', 'all', 'iterate']) {
    const original = proto[method]
    proto[method] = function (...args) {
      const kind = count(this.source)
      if (!counting) return original.apply(this, args)
      const started = performance.now()
      const framesBefore = kind === 'commit' ? mxFrame(this.database) : 0
      if (kind === 'commit' && syncedAt !== undefined) {
        const cpu = process.cpuUsage(syncedAt)
        record("CPU (this process's) from a sync to the next COMMIT", (cpu.user + cpu.system) / 1000)
        syncedAt = undefined
      }
      try {
        return original.apply(this, args)
      } finally {
        const ms = performance.now() - started
        if (kind === 'commit') {
          const framesAfter = mxFrame(this.database)
          const frames = framesAfter >= framesBefore ? framesAfter - framesBefore : framesAfter
          walFrames += frames
          if (timing) walFramesOf.push(frames)
          commitMs += ms
          record('COMMIT on the event loop (checkpoints included)', ms)
        }
        statementMs.set(kind, (statementMs.get(kind) ?? 0) + ms)
      }
    }
  }
} else {
  const pg = require('pg')
  const original = pg.Client.prototype.query
  pg.Client.prototype.query = function (query, ...rest) {
    count(typeof query === 'string' ? query : (query?.text ?? ''))
    return original.call(this, query, ...rest)
  }
}

const dist = process.env.PROFILE_DIST ? resolve(process.env.PROFILE_DIST) : undefined
const server = await startTessera({ database, background: true, dist })
const { address, tessera } = server

// What a request's latency is made of under the load (SQLite): its time in the server (request
// event to the response's finish); the wait for the connection (store/sqlite-group-commit.ts); the
// time a caller holds it (its statements, and the work between them, signing included); the
// release (the group's COMMIT and WAL sync when it closes the group); each sync of the WAL.
const spans = new Map()
let timing = false
const record = (name, ms) => {
  if (!timing) return
  if (!spans.has(name)) spans.set(name, [])
  spans.get(name).push(ms)
}
;(await tessera.app()).server.on('request', (_request, response) => {
  const started = performance.now()
  response.once('finish', () => record('request in the server', performance.now() - started))
})
if (database === 'sqlite') {
  const { GroupCommitSqliteDriver } = await import(
    dist
      ? pathToFileURL(join(dist, 'store/sqlite-group-commit.js')).href
      : new URL('../../packages/server/dist/store/sqlite-group-commit.js', import.meta.url).href
  )
  const driver = GroupCommitSqliteDriver.prototype
  const acquire = driver.acquireConnection
  const acquiredAt = new WeakMap()
  driver.acquireConnection = function () {
    const started = performance.now()
    // Called synchronously: the driver takes the runner's handover before its first await.
    return acquire.call(this).then((connection) => {
      record('wait for the connection', performance.now() - started)
      acquiredAt.set(connection, performance.now())
      return connection
    })
  }
  const release = driver.releaseConnection
  driver.releaseConnection = function (connection) {
    const started = performance.now()
    const at = acquiredAt.get(connection)
    if (at !== undefined) record('connection held (statements, signing)', started - at)
    return release.call(this, connection).then(() => record('release (COMMIT and sync when the group closes)', performance.now() - started))
  }
  const { open } = await import('node:fs/promises')
  const handle = await open(process.execPath, 'r')
  const fileHandle = Object.getPrototypeOf(handle)
  await handle.close()
  const datasync = fileHandle.datasync
  fileHandle.datasync = function () {
    const started = performance.now()
    return datasync.call(this).then(() => {
      record('WAL sync (fdatasync, thread pool)', performance.now() - started)
      if (timing) syncedAt = process.cpuUsage()
    })
  }
}
const { authorization, sessionToken } = await refreshFixture(tessera, address, RESOURCE)

// PROFILE_FILL=<n>: first n more rows in each token table, under random ids (bench/lib/token-fill.mjs).
const fill = Number(process.env.PROFILE_FILL ?? 0)
if (fill > 0) {
  await fillTokenTables(tessera, { address, authorization, sessionToken, resource: RESOURCE }, fill)
  console.log(`filled: ${fill} refresh tokens and ${fill} access tokens under random ids`)
}

// Statements per request: 50 requests one after another (warm caches first).
async function one(token) {
  if (mode === 'exchange') return exchange(address, authorization, sessionToken, RESOURCE)
  const response = await fetch(`${address}/oauth/token`, {
    method: 'POST',
    headers: { ...form, authorization },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString(),
  })
  if (response.status !== 200) throw new Error(`refresh failed: ${response.status}`)
  return response.json()
}
let token = (await exchange(address, authorization, sessionToken, RESOURCE)).refresh_token
for (let i = 0; i < 20; i++) token = (await one(token)).refresh_token ?? token
const N = 50
counting = true
for (let i = 0; i < N; i++) token = (await one(token)).refresh_token ?? token
counting = false
console.log(`${mode} on ${database}: statements per request (${N} sequential requests)`)
let total = 0
for (const [kind, n] of [...counts].sort((a, b) => b[1] - a[1])) {
  total += n
  console.log(`  ${(n / N).toFixed(2).padStart(6)}  ${kind}`)
}
console.log(`  ${(total / N).toFixed(2).padStart(6)}  total`)
counts.clear()

// The load, from a child process.
const inspector = new Session()
if (out) {
  inspector.connect()
  await inspector.post('Profiler.enable')
  await inspector.post('Profiler.start')
}
counting = true
timing = true
commitMs = 0
walFrames = 0
const loadStarted = performance.now()
const utilization = performance.eventLoopUtilization()
let result
if (mode === 'refresh') {
  const starts = []
  for (let i = 0; i < CHAINS; i++) starts.push((await exchange(address, authorization, sessionToken, RESOURCE)).refresh_token)
  const { stdout } = await promisify(execFile)(process.execPath, [
    new URL('../lib/refresh-chains.mjs', import.meta.url).pathname,
    JSON.stringify({ url: `${address}/oauth/token`, authorization, tokens: starts, seconds: Number(seconds) }),
  ])
  result = JSON.parse(stdout)
} else {
  const autocannon = new URL('../../node_modules/autocannon/autocannon.js', import.meta.url).pathname
  const args = [autocannon, '--json', '-c', '50', '-d', seconds, '-m', 'POST']
  args.push(
    '-H',
    `content-type=${form['content-type']}`,
    '-H',
    `authorization=${authorization}`,
    '-b',
    exchangeBody(sessionToken, RESOURCE),
  )
  const { stdout } = await promisify(execFile)(process.execPath, [...args, `${address}/oauth/token`])
  const parsed = JSON.parse(stdout)
  result = { rps: parsed.requests.average, p50: parsed.latency.p50, p99: parsed.latency.p99, non2xx: parsed.non2xx }
}
counting = false
timing = false
const elu = performance.eventLoopUtilization(utilization).utilization
if (out) writeFileSync(out, JSON.stringify((await inspector.post('Profiler.stop')).profile))
const loadMs = performance.now() - loadStarted
console.log(`${mode} on ${database} under load: ${Math.round(result.rps)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms`)
if (database === 'sqlite') {
  const commits = counts.get('commit') ?? 0
  const members = counts.get('release tessera_member') ?? 0
  console.log(
    `  group commit: ${members} transactions in ${commits} COMMITs (${(members / Math.max(1, commits)).toFixed(1)} per COMMIT), ` +
      `COMMIT ${(commitMs / Math.max(1, commits)).toFixed(2)} ms each, ${((100 * commitMs) / loadMs).toFixed(0)}% of the time`,
  )
  walFramesOf.sort((a, b) => a - b)
  console.log(
    `  WAL pages per COMMIT: mean ${(walFrames / Math.max(1, commits)).toFixed(1)}, p50 ${walFramesOf[walFramesOf.length >> 1]}, ` +
      `per transaction ${(walFrames / Math.max(1, members)).toFixed(2)}`,
  )
}
for (const [kind, ms] of [...statementMs].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
  console.log(
    `  ${((100 * ms) / loadMs).toFixed(1).padStart(5)}% of the time in ${kind} (${(ms / (counts.get(kind) ?? 1)).toFixed(2)} ms each)`,
  )
}
console.log(`  event-loop utilization ${(100 * elu).toFixed(0)}%`)
console.log(`  latency (ms): p50 / mean / count; the client's round trip p50 ${result.p50} ms`)
for (const [name, values] of spans) {
  values.sort((a, b) => a - b)
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length
  console.log(
    `    ${values[values.length >> 1].toFixed(2).padStart(7)} / ${mean.toFixed(2).padStart(7)} / ${String(values.length).padStart(6)}  ${name}` +
      ` (p99 ${values[Math.floor(values.length * 0.99)].toFixed(1)}, max ${values[values.length - 1].toFixed(1)}, ` +
      `${((100 * values.reduce((sum, value) => sum + value, 0)) / loadMs).toFixed(0)}% of the time)`,
  )
}
await server.close()
process.exit(0)
