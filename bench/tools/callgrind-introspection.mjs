// A fixed number of POST /oauth/introspect requests (an opaque session-mode access token, by its
// resource server with client_secret_basic), or of GET /v1/session of the same user's session, or
// of GET /healthz (the baseline the session check is read against, issue 17 target 2a), through the
// app in this process (Fastify's inject: hooks, form parser, client authentication, the read
// caches, serialisation; not the socket), for instruction counts that hold still on a busy
// machine (issue 17 target 3). Counters are zeroed after set-up and warm-up and dumped after the
// counted requests, so the dump `<out>.1` holds those requests only:
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/in.out node bench/tools/callgrind-introspection.mjs <dist|-> 1000 [introspect|session|healthz] - [warm-up, 2000] [sqlite|postgres]
//   callgrind_annotate /tmp/in.out.1 | head   (the total / 1000 = instructions per request)
// The world (clients, API, user, tokens) is made by a child process that valgrind does not trace
// (a sign-up's password estimate would pass its deadline under callgrind), on a SQLite file this
// process then opens. The config cache is on, as with the background tasks, which are not started
// (their timers would add work that depends on how long the run takes).
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { callgrindWindow } from '../lib/callgrind-window.mjs'
import { basic, dropSchema, exchange, form, grantReader, signUpUser, startTessera } from '../lib/harness.mjs'

const [dist, count = '1000', which = 'introspect', setupDir, warmUp = '2000', dialect = 'sqlite'] = process.argv.slice(2)
const build = dist === '-' ? undefined : dist
const resource = 'https://api.example.com'
const cli = { kind: 'cli' }
// The world's database: a SQLite file in `dir`, or a PostgreSQL schema named after the process that
// measures (the set-up child is its child), which the measuring process drops; the master key is
// in `dir` either way.
const at = (dir) =>
  dialect === 'postgres'
    ? { database: 'postgres', schema: `callgrind_${which === 'setup' ? process.ppid : process.pid}`, dataDir: dir }
    : { databaseUrl: `sqlite:${join(dir, 'tessera.db')}`, dataDir: dir }

if (which === 'setup') {
  const server = await startTessera({ dist: build, ...at(setupDir) })
  const { tessera, address } = server
  await tessera.services.apis.create({ identifier: resource, name: 'Orders', mode: 'session', scopes: ['orders:read'] }, cli)
  const web = await tessera.services.applications.create(
    { name: 'web', type: 'web', grants: ['token_exchange'], apis: [resource], scopes: ['orders:read'] },
    cli,
  )
  const rs = await tessera.services.applications.create({ name: 'rs', type: 'resource-server', apis: [resource] }, cli)
  const { token: sessionToken, userId } = await signUpUser(address)
  await grantReader(tessera, [resource], { users: [userId] })
  const opaque = (await exchange(address, basic(web.application.id, web.clientSecret), sessionToken, resource)).access_token
  process.stdout.write(JSON.stringify({ sessionToken, opaque, authorization: basic(rs.application.id, rs.clientSecret) }))
  await server.close()
  process.exit(0)
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-callgrind-'))
const self = fileURLToPath(import.meta.url)
const { stdout } = await promisify(execFile)(process.execPath, [self, dist, '0', 'setup', dir, '0', dialect])
const world = JSON.parse(stdout)
const server = await startTessera({ dist: build, ...at(dir) })
server.tessera.services.configCache.enable()
const app = await server.tessera.app()
const request =
  which === 'healthz'
    ? { method: 'GET', url: '/healthz' }
    : which === 'session'
      ? { method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${world.sessionToken}` } }
      : {
          method: 'POST',
          url: '/oauth/introspect',
          headers: { ...form, authorization: world.authorization },
          payload: new URLSearchParams({ token: world.opaque }).toString(),
        }
async function run(total) {
  for (let done = 0; done < total; done += 50) {
    const responses = await Promise.all(Array.from({ length: Math.min(50, total - done) }, () => app.inject(request)))
    for (const response of responses) {
      if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}: ${response.body}`)
      if (which === 'introspect' && !response.body.startsWith('{"active":true')) throw new Error('the introspected token is not active')
    }
  }
}
await callgrindWindow(run, Number(count), Number(warmUp))
await server.close()
if (dialect === 'postgres') await dropSchema(at(dir).schema)
rmSync(dir, { recursive: true, force: true })
process.exit(0)
