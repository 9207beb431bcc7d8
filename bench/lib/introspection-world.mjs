// The world of the introspection A/B and instruction tools: an API in `mode` (session or jwt), a web
// application that trades a user's session for an access token (token exchange), a resource server
// that introspects it with client_secret_basic, and one signed-up user granted the API's scope.
// Returns the two requests benchmarks.md §1c compares, as [path, fetch options]: `introspect`
// (POST /oauth/introspect of that access token) and `session` (GET /v1/session of the user's
// session). Shared by bench/tools/ab-token-server.mjs and bench/tools/pipeline-pieces-server.mjs.
import { basic, form, grantReader, signUpUser } from './harness.mjs'

const resource = 'https://api.example.com'
const cli = { kind: 'cli' }

export async function introspectionWorld(tessera, address, mode = 'session') {
  await tessera.services.apis.create({ identifier: resource, name: 'Orders', mode, scopes: ['orders:read'] }, cli)
  const web = await tessera.services.applications.create(
    { name: 'web', type: 'web', grants: ['token_exchange'], apis: [resource], scopes: ['orders:read'] },
    cli,
  )
  const rs = await tessera.services.applications.create({ name: 'rs', type: 'resource-server', apis: [resource] }, cli)
  const { token: sessionToken, userId } = await signUpUser(address, 'ab@example.com')
  await grantReader(tessera, [resource], { users: [userId] })
  const exchanged = await fetch(`${address}/oauth/token`, {
    method: 'POST',
    headers: { ...form, authorization: basic(web.application.id, web.clientSecret) },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: sessionToken,
      subject_token_type: 'urn:tessera:token-type:session',
      resource,
    }).toString(),
  })
  const token = (await exchanged.json()).access_token
  const authorization = basic(rs.application.id, rs.clientSecret)
  const check = await fetch(`${address}/oauth/introspect`, {
    method: 'POST',
    headers: { ...form, authorization },
    body: new URLSearchParams({ token }).toString(),
  })
  if (!(await check.json()).active) throw new Error('the introspected token is not active')
  return {
    introspect: [
      '/oauth/introspect',
      { method: 'POST', headers: { ...form, authorization }, body: new URLSearchParams({ token }).toString() },
    ],
    session: ['/v1/session', { method: 'GET', headers: { authorization: `Bearer ${sessionToken}` } }],
  }
}
