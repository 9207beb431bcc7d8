// Child process of bench/tools/ab-token-endpoint.mjs: one build of Tessera (a dist folder) on its
// own database, running its background tasks as `tessera start` does, set up for one case.
// Sends { port, schema, requests } when ready (requests: name -> [path, fetch options]); closes
// when the parent disconnects.
import { basic, form, grantReader, signUpUser, startTessera } from '../lib/harness.mjs'

const { dist, database, which } = JSON.parse(process.argv[2])
const resource = 'https://api.example.com'
const cli = { kind: 'cli' }

async function clientCredentialsCase(tessera) {
  await tessera.services.apis.create({ identifier: resource, name: 'Orders', mode: 'jwt', scopes: ['orders:read'] }, cli)
  const m2m = await tessera.services.applications.create({ name: 'job', type: 'm2m', apis: [resource], scopes: ['orders:read'] }, cli)
  await grantReader(tessera, [resource], { applications: [m2m.application.id] })
  const authorization = basic(m2m.application.id, m2m.clientSecret)
  const body = new URLSearchParams({ grant_type: 'client_credentials', resource }).toString()
  return { client_credentials: ['/oauth/token', { method: 'POST', headers: { ...form, authorization }, body }] }
}

async function introspectCase(tessera, address, mode) {
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

// As `tessera start` runs (background: the revocation signals, and the caches they keep fresh).
const server = await startTessera({ dist, database, background: true })
const requests = await (which.startsWith('introspect')
  ? introspectCase(server.tessera, server.address, which === 'introspect-jwt' ? 'jwt' : 'session')
  : clientCredentialsCase(server.tessera))
process.send({ port: Number(new URL(server.address).port), schema: server.schema, requests })
process.on('disconnect', async () => {
  await server.close()
  process.exit(0)
})
