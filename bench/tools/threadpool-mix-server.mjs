// Child process of bench/tools/threadpool-mix.mjs: Tessera (the workspace build, or a dist folder)
// on SQLite, running its background tasks as `tessera start` does, with a user who signs in
// (argon2id at the default 19 MiB, two passes), an m2m client (client_credentials, an ES256 JWT
// signed on libuv's thread pool), and a web client whose refresh tokens rotate (a WAL sync per
// group commit, on the same pool). libuv reads UV_THREADPOOL_SIZE from this process's environment.
// Sends { port, signIn, clientCredentials, web } when ready; closes when the parent disconnects.
import { basic, grantReader, PASSWORD, signUpUser, startTessera } from '../lib/harness.mjs'

const { dist } = JSON.parse(process.argv[2])
const RESOURCE = 'https://api.example.com'
const cli = { kind: 'cli' }

const server = await startTessera({ dist, background: true })
const { tessera, address } = server
await tessera.services.apis.create({ identifier: RESOURCE, name: 'Orders', mode: 'jwt', scopes: ['orders:read'] }, cli)
const m2m = await tessera.services.applications.create({ name: 'job', type: 'm2m', apis: [RESOURCE], scopes: ['orders:read'] }, cli)
const web = await tessera.services.applications.create(
  { name: 'web', type: 'web', grants: ['token_exchange', 'refresh_token'], apis: [RESOURCE], scopes: ['orders:read'] },
  cli,
)
const email = 'mix@example.com'
const { token: sessionToken, userId } = await signUpUser(address, email)
await grantReader(tessera, [RESOURCE], { users: [userId], applications: [m2m.application.id] })
process.send({
  port: Number(new URL(address).port),
  signIn: JSON.stringify({ email, password: PASSWORD }),
  clientCredentials: {
    authorization: basic(m2m.application.id, m2m.clientSecret),
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: RESOURCE }).toString(),
  },
  web: { authorization: basic(web.application.id, web.clientSecret), sessionToken },
})
process.on('disconnect', async () => {
  await server.close()
  process.exit(0)
})
