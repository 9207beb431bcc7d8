// Profiles GET /v1/session (a bearer session token, SQLite or PostgreSQL): run with
// `node --cpu-prof --cpu-prof-dir=<dir> bench/tools/profile-session-check.mjs [seconds] [sqlite|postgres]`
// and summarise the .cpuprofile with bench/tools/profile-summary.mjs.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { signUp, startTessera } from '../lib/harness.mjs'

const seconds = Number(process.argv[2] ?? 5)
const database = process.argv[3] ?? 'sqlite'
const server = await startTessera({ database, background: true })
const token = await signUp(server.address)
const autocannon = new URL('../../node_modules/autocannon/autocannon.js', import.meta.url).pathname
const args = [autocannon, '--json', '-c', '50', '-d', String(seconds), '-H', `authorization=Bearer ${token}`]
const { stdout } = await promisify(execFile)(process.execPath, [...args, `${server.address}/v1/session`])
const result = JSON.parse(stdout)
console.log(
  `GET /v1/session (${database}): ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, non2xx ${result.non2xx}`,
)
await server.close()
