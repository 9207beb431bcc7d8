// Child process of bench/tools/ab-token-endpoint.mjs: one build of Tessera (a dist folder) on its
// own database, running its background tasks as `tessera start` does, set up for one case.
// Sends { port, schema, requests } when ready (requests: name -> [path, fetch options]); closes
// when the parent disconnects.
import { basic, form, grantReader, startTessera } from '../lib/harness.mjs'
import { introspectionWorld } from '../lib/introspection-world.mjs'

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

// As `tessera start` runs (background: the revocation signals, and the caches they keep fresh).
const server = await startTessera({ dist, database, background: true })
const requests = await (which.startsWith('introspect')
  ? introspectionWorld(server.tessera, server.address, which === 'introspect-jwt' ? 'jwt' : 'session')
  : clientCredentialsCase(server.tessera))
process.send({ port: Number(new URL(server.address).port), schema: server.schema, requests })
process.on('disconnect', async () => {
  await server.close()
  process.exit(0)
})
