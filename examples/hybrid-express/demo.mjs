// Hybrid mode, shown end to end: Tessera and the Orders API in this process, a user signs in and
// gets an access token, the API accepts it, the user signs out, and the API refuses the same
// token as soon as the revocation feed brings the news. Run `npm run build` at the root first.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createVerifier } from '@tessera/sdk'
import { createTessera, loadConfig } from 'tessera'
import { createOrdersApi } from './orders-api.mjs'

const AUDIENCE = 'https://orders.example.test'
const EMAIL = 'ann@example.com'
const PASSWORD = 'correct horse battery staple'
const say = (line) => process.stdout.write(`${line}\n`)
const elapsed = (since) => `${(performance.now() - since).toFixed(1)} ms`

async function freePort() {
  const probe = createServer()
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address()
  await new Promise((resolve) => probe.close(resolve))
  return port
}

async function post(url, { json, form, authorization } = {}) {
  const headers = { ...(authorization ? { authorization } : {}) }
  let body
  if (json) [headers['content-type'], body] = ['application/json', JSON.stringify(json)]
  if (form) [headers['content-type'], body] = ['application/x-www-form-urlencoded', new URLSearchParams(form).toString()]
  const response = await fetch(url, { method: 'POST', headers, body })
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`)
  return response.status === 204 ? null : response.json()
}

// 1. Tessera, as `tessera start` runs it, on a throwaway SQLite file.
const dir = mkdtempSync(join(tmpdir(), 'tessera-demo-'))
const port = await freePort()
const issuer = `http://localhost:${port}`
const tessera = await createTessera(
  loadConfig({
    env: {},
    overrides: { databaseUrl: `sqlite:${join(dir, 'tessera.db')}`, dataDir: dir, logLevel: 'silent', port, issuer },
  }),
)
const tesseraApp = await tessera.app()
await tessera.startBackgroundTasks()
await tesseraApp.listen({ port, host: 'localhost' })
say(`Tessera listening on ${issuer}`)

// 2. The API in hybrid mode, a web app that trades sessions for tokens, and the API's resource server
//    (what `tessera apis create` and `tessera apps create` do).
const operator = { kind: 'cli' }
const api = await tessera.services.apis.create({ identifier: AUDIENCE, name: 'Orders', mode: 'hybrid', scopes: ['orders:read'] }, operator)
const web = await tessera.services.applications.create(
  { name: 'Web', type: 'web', grants: ['token_exchange', 'refresh_token'], apis: [AUDIENCE], scopes: ['orders:read'] },
  operator,
)
const rs = await tessera.services.applications.create({ name: 'Orders API', type: 'resource-server', apis: [AUDIENCE] }, operator)
say(`Registered ${AUDIENCE} (hybrid, access tokens live ${api.accessTokenTtl} s), a web app and the API's resource server`)

// 3. The Orders API, protected by a hybrid verifier subscribed to Tessera's revocation feed.
const verifier = createVerifier({
  issuer,
  audience: AUDIENCE,
  mode: 'hybrid',
  client: { id: rs.application.id, secret: rs.clientSecret },
})
const ordersServer = createOrdersApi(verifier).listen(0, '127.0.0.1')
await new Promise((resolve) => ordersServer.once('listening', resolve))
const orders = `http://127.0.0.1:${ordersServer.address().port}/orders`
await verifier.ready()
say(`Orders API listening on ${orders.replace('/orders', '')}, its revocation feed is live`)

// 4. A user signs in (bearer session) and the web app exchanges the session for an access token.
const { user } = await post(`${issuer}/v1/sign-up`, { json: { email: EMAIL, password: PASSWORD } })
// Roles decide what a token carries: a `reader` role granting orders:read, given to the user
// (what `tessera roles create|grant|assign` do).
await tessera.services.roles.create({ name: 'reader' }, operator)
await tessera.services.roles.addPermissions('reader', AUDIENCE, ['orders:read'], operator)
await tessera.services.roles.assignToUser('reader', user.id, operator)
const { session } = await post(`${issuer}/v1/sign-in`, { json: { email: EMAIL, password: PASSWORD, transport: 'bearer' } })
const webClient = `Basic ${Buffer.from(`${web.application.id}:${web.clientSecret}`).toString('base64')}`
const { access_token: accessToken } = await post(`${issuer}/oauth/token`, {
  authorization: webClient,
  form: {
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: session.token,
    subject_token_type: 'urn:tessera:token-type:session',
    resource: AUDIENCE,
    scope: 'orders:read',
  },
})
say(`${EMAIL} signed in (session ${session.id}) and got an access token for ${AUDIENCE}`)

const getOrders = () => fetch(orders, { headers: { authorization: `Bearer ${accessToken}` } })
const accepted = await getOrders()
say(`GET /orders with the token: ${accepted.status} ${JSON.stringify(await accepted.json())}`)

// 5. Sign out: the session is revoked, and the feed carries the revocation to the verifier.
await post(`${issuer}/v1/sign-out`, { authorization: `Bearer ${session.token}` })
const signedOut = performance.now()
say('Signed out: the session is revoked')
let attempts = 0
let refused
while (performance.now() - signedOut < 5_000) {
  attempts += 1
  const response = await getOrders()
  if (response.status !== 200) {
    refused = response
    break
  }
  await response.arrayBuffer()
}
if (!refused) throw new Error('the API still accepted the token 5 s after the sign-out')
const took = elapsed(signedOut)
const problem = await refused.json()
say(`GET /orders with the same token: ${refused.status} ${problem.code}, ${took} after the sign-out's response (request ${attempts})`)
say(`  WWW-Authenticate: ${refused.headers.get('www-authenticate')}`)
say(`In jwt mode the API would have accepted that token for up to ${api.accessTokenTtl} s more (its TTL).`)

// 6. Clean up.
await verifier.close()
ordersServer.closeAllConnections()
await new Promise((resolve) => ordersServer.close(resolve))
await tessera.close()
rmSync(dir, { recursive: true, force: true })
