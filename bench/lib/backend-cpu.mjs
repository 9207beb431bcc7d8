// CPU of a process, and of the PostgreSQL backends that serve one server (found by the
// application_name its database URL sets), read from /proc (Linux; the backends run on this
// machine in the bench setup).
import { readFileSync } from 'node:fs'
import pg from 'pg'
import { POSTGRES_URL } from './harness.mjs'

/** CPU seconds (user + system) of process `pid` so far: fields 14 and 15 of /proc/<pid>/stat, in ticks of 1/100 s. */
export function processCpu(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/**
 * CPU seconds of the main thread (the event loop) of process `pid`, the same fields of
 * /proc/<pid>/task/<pid>/stat: with spare cores, a server's rate is bound by this thread alone,
 * while work on libuv's thread pool or V8's helper threads runs beside it.
 */
export function mainThreadCpu(pid) {
  return processCpu(`${pid}/task/${pid}`)
}

/**
 * Runs one measurement (`measure`: async () => { rate, total, … }) and adds `cpuRate`: its requests
 * per CPU-second of process `pid` (every thread, user + system) over the load window. On a
 * 2-core machine shared by the server and the load generator, a rate is bound by how the two
 * share the cores; CPU per request is the server's own cost (bench/suites/verify-http.mjs says why).
 */
export async function perCpuSecond(pid, measure) {
  const before = processCpu(pid)
  const result = await measure()
  const seconds = processCpu(pid) - before
  return { ...result, cpuRate: seconds > 0 ? result.total / seconds : Number.NaN }
}

/** CPU seconds (user + system) so far of the backends connected as `applicationName`. */
export async function backendCpu(applicationName) {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  const { rows } = await client.query('select pid from pg_stat_activity where application_name = $1', [applicationName])
  await client.end()
  let seconds = 0
  for (const { pid } of rows) {
    try {
      seconds += processCpu(pid)
    } catch {
      // a backend that ended in between
    }
  }
  return seconds
}
