// Child process of bench/tools/ab-refresh.mjs: one build of Tessera (a dist folder) on its own
// database, with a web client, an API and a signed-in user, as the issuance suite sets them up.
// Sends { port, authorization, sessionToken } when ready; closes when the parent disconnects.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { basic, dropSchema, freePort, grantReader, POSTGRES_URL, signUpUser } from '../lib/harness.mjs'

const { dist, database, name } = JSON.parse(process.argv[2])
const RESOURCE = 'https://api.example.com'
const cli = { kind: 'cli' }

const { createTessera, loadConfig } = await import(pathToFileURL(resolve(dist, 'index.js')).href)
const dir = mkdtempSync(join(tmpdir(), 'tessera-ab-refresh-'))
const port = await freePort()
const schema = `ab_refresh_${name}_${process.pid}`
const config = loadConfig({
  env: {},
  overrides: {
    databaseUrl: database === 'postgres' ? `${POSTGRES_URL}?schema=${schema}` : `sqlite:${join(dir, 'tessera.db')}`,
    dataDir: dir,
    logLevel: 'silent',
    issuer: `http://127.0.0.1:${port}`,
    rateLimit: { credentialRequestsPerIp: 1_000_000 },
  },
})
const tessera = await createTessera(config)
const app = await tessera.app()
// As `tessera start` runs (the revocation signals, and the caches they keep fresh).
await tessera.startBackgroundTasks()
await app.listen({ port, host: '127.0.0.1' })
await tessera.services.apis.create({ identifier: RESOURCE, name: 'Orders', mode: 'jwt', scopes: ['orders:read'] }, cli)
const web = await tessera.services.applications.create(
  { name: 'web', type: 'web', grants: ['token_exchange', 'refresh_token'], apis: [RESOURCE], scopes: ['orders:read'] },
  cli,
)
const { token: sessionToken, userId } = await signUpUser(`http://127.0.0.1:${port}`)
await grantReader(tessera, [RESOURCE], { users: [userId] })
process.send({ port, authorization: basic(web.application.id, web.clientSecret), sessionToken })
process.on('disconnect', async () => {
  await tessera.close()
  rmSync(dir, { recursive: true, force: true })
  if (database === 'postgres') await dropSchema(schema)
  process.exit(0)
})
