// Token endpoint benchmark: client_credentials, token exchange, refresh-token rotation and the
// JWKS, on SQLite, next to a bare route measured in the same run.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { basic, DURATION, form, header, json, load, startTessera, table } from './lib/harness.mjs'

const server = await startTessera()
const { address, tessera } = server
const cli = { kind: 'cli' }
const resource = 'https://api.example.com'
await tessera.services.apis.create({ identifier: resource, name: 'Orders', mode: 'jwt', scopes: ['orders:read'] }, cli)
const m2m = await tessera.services.applications.create({ name: 'job', type: 'm2m', apis: [resource], scopes: ['orders:read'] }, cli)
const web = await tessera.services.applications.create(
  { name: 'web', type: 'web', grants: ['token_exchange', 'refresh_token'], apis: [resource], scopes: ['orders:read'] },
  cli,
)
const signUp = await fetch(`${address}/v1/sign-up`, {
  method: 'POST',
  headers: json,
  body: JSON.stringify({ email: 'bench@example.com', password: 'correct horse battery staple', transport: 'bearer' }),
})
const signedUp = await signUp.json()
const sessionToken = signedUp.session.token
// RBAC: tokens carry orders:read only through a role, held by the user and by the m2m job.
await tessera.services.roles.create({ name: 'reader' }, cli)
await tessera.services.roles.addPermissions('reader', resource, ['orders:read'], cli)
await tessera.services.roles.assignToUser('reader', signedUp.user.id, cli)
await tessera.services.roles.assignToApplication('reader', m2m.application.id, cli)
const webAuth = basic(web.application.id, web.clientSecret)
const exchangeBody = new URLSearchParams({
  grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
  subject_token: sessionToken,
  subject_token_type: 'urn:tessera:token-type:session',
  resource,
}).toString()

// Refresh chains: each chain refreshes its own token one request after another (a fixed body
// would be a replay), driven from a child process like autocannon.
const CHAINS = 20
const starts = []
for (let i = 0; i < CHAINS; i++) {
  const response = await fetch(`${address}/oauth/token`, {
    method: 'POST',
    headers: { ...form, authorization: webAuth },
    body: exchangeBody,
  })
  starts.push((await response.json()).refresh_token)
}

const baseline = await load(`${address}/healthz`)
const jwks = await load(`${address}/.well-known/jwks.json`)
const clientCredentials = await load(`${address}/oauth/token`, {
  method: 'POST',
  headers: { ...form, authorization: basic(m2m.application.id, m2m.clientSecret) },
  body: new URLSearchParams({ grant_type: 'client_credentials', resource }).toString(),
})
const exchange = await load(`${address}/oauth/token`, { method: 'POST', headers: { ...form, authorization: webAuth }, body: exchangeBody })
const { stdout } = await promisify(execFile)(process.execPath, [
  new URL('./lib/refresh-chains.mjs', import.meta.url).pathname,
  JSON.stringify({ url: `${address}/oauth/token`, authorization: webAuth, tokens: starts, seconds: DURATION }),
])
const refresh = JSON.parse(stdout)

header('Tessera token endpoint benchmark')
table(
  [
    ['GET /healthz (baseline)', baseline],
    ['GET /.well-known/jwks.json', jwks],
    ['POST /oauth/token client_credentials (ES256 JWT, no write)', clientCredentials],
    ['POST /oauth/token token exchange (JWT + refresh token, one transaction)', exchange],
    [`POST /oauth/token refresh_token rotation (${CHAINS} chains)`, refresh],
  ],
  baseline,
)
await server.close()
