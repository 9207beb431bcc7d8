// Profiles POST /oauth/token client_credentials under load: the load phase only (start-up and the
// set-up requests are left out), written to <dir>/client-credentials.cpuprofile for Chrome DevTools
// or bench/tools/profile-summary.mjs.
// Usage: node bench/tools/profile-client-credentials.mjs [seconds] [dir]   (no dir: CPU per request only)
import { execFile } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { promisify } from 'node:util'
import { profilePhase } from '../lib/cpu-profile.mjs'
import { basic, form, grantReader, startTessera } from '../lib/harness.mjs'

const seconds = Number(process.argv[2] ?? 5)
const dir = process.argv[3]
if (dir) mkdirSync(dir, { recursive: true })
// As bench/suites/issuance.mjs and `tessera start` run: with the background tasks, so the
// per-instance config cache (app/config-cache.ts) is on, and with a role granting the scope.
const server = await startTessera({ background: true })
const { address, tessera } = server
const cli = { kind: 'cli' }
const resource = 'https://api.example.com'
await tessera.services.apis.create({ identifier: resource, name: 'Orders', mode: 'jwt', scopes: ['orders:read'] }, cli)
const m2m = await tessera.services.applications.create({ name: 'job', type: 'm2m', apis: [resource], scopes: ['orders:read'] }, cli)
await grantReader(tessera, [resource], { applications: [m2m.application.id] })
const autocannon = new URL('../../node_modules/autocannon/autocannon.js', import.meta.url).pathname
const authorization = basic(m2m.application.id, m2m.clientSecret)
const body = new URLSearchParams({ grant_type: 'client_credentials', resource }).toString()
const args = [autocannon, '--json', '-c', '50', '-d', String(seconds), '-m', 'POST']
args.push('-H', `content-type=${form['content-type']}`, '-H', `authorization=${authorization}`, '-b', body)
// CPU time of this process (the server) per request holds still on a busy machine, unlike req/s.
const stopProfile = await profilePhase(dir, 'client-credentials')
const cpu = process.cpuUsage()
const { stdout } = await promisify(execFile)(process.execPath, [...args, `${address}/oauth/token`])
const result = JSON.parse(stdout)
const used = process.cpuUsage(cpu)
await stopProfile()
console.log(
  `client_credentials: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, non2xx ${result.non2xx}, ` +
    `${((used.user + used.system) / result.requests.total).toFixed(0)} µs of server CPU per request`,
)
await server.close()
