// Profiles POST /oauth/introspect of an opaque (session-mode) access token by a resource server,
// next to GET /v1/session on the same server (issue 17, target 3): run with
// `node [--cpu-prof --cpu-prof-dir=<dir>] bench/tools/profile-introspection.mjs [seconds] [sqlite|postgres]`
// and summarise a .cpuprofile with bench/tools/profile-summary.mjs.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { basic, CLI, exchange, grantReader, signUpUser, startTessera } from '../lib/harness.mjs'

const seconds = Number(process.argv[2] ?? 5)
const database = process.argv[3] ?? 'sqlite'
const API = 'https://session.example.test'
const server = await startTessera({ database, background: true })
const { tessera, address } = server
await tessera.services.apis.create({ identifier: API, name: 'session', mode: 'session', scopes: ['orders:read'] }, CLI)
const web = await tessera.services.applications.create(
  { name: 'web', type: 'web', grants: ['token_exchange'], apis: [API], scopes: ['orders:read'] },
  CLI,
)
const rs = await tessera.services.applications.create({ name: 'rs', type: 'resource-server', apis: [API] }, CLI)
const { token: sessionToken, userId } = await signUpUser(address)
await grantReader(tessera, [API], { users: [userId] })
const opaque = (await exchange(address, basic(web.application.id, web.clientSecret), sessionToken, API)).access_token

const autocannon = new URL('../../node_modules/autocannon/autocannon.js', import.meta.url).pathname
const run = async (label, extra, url) => {
  const args = [autocannon, '--json', '-c', '50', '-d', String(seconds), ...extra, url]
  // CPU time of this process (the server) per request holds still on a busy machine, unlike req/s.
  const cpu = process.cpuUsage()
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 24 })
  const used = process.cpuUsage(cpu)
  const r = JSON.parse(stdout)
  const perRequest = (used.user + used.system) / r.requests.total
  console.log(
    `${label} (${database}): ${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} ms, non2xx ${r.non2xx}, ` +
      `${perRequest.toFixed(0)} µs of server CPU per request`,
  )
  return 1 / perRequest
}
const session = await run('GET /v1/session', ['-H', `authorization=Bearer ${sessionToken}`], `${address}/v1/session`)
const introspect = await run(
  'POST /oauth/introspect',
  [
    '-m',
    'POST',
    '-H',
    `authorization=${basic(rs.application.id, rs.clientSecret)}`,
    '-H',
    'content-type=application/x-www-form-urlencoded',
    '-b',
    `token=${encodeURIComponent(opaque)}`,
  ],
  `${address}/oauth/introspect`,
)
console.log(`introspection / session check, by CPU per request: ${(introspect / session).toFixed(2)}`)
await server.close()
