// Child process of bench/tools/ab-session-check.mjs: one build of Tessera (a dist folder) on its
// own database, running its background tasks as `tessera start` does, with one signed-up user.
// Sends { port, authorization, schema } when ready; closes when the parent disconnects.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { dropSchema, freePort, POSTGRES_URL, signUp } from '../lib/harness.mjs'

const { dist, database, name } = JSON.parse(process.argv[2])

const { createTessera, loadConfig } = await import(pathToFileURL(resolve(dist, 'index.js')).href)
const dir = mkdtempSync(join(tmpdir(), 'tessera-ab-session-'))
const port = await freePort()
const schema = `ab_session_${name}_${process.pid}`
const config = loadConfig({
  env: {},
  overrides: {
    databaseUrl:
      database === 'postgres' ? `${POSTGRES_URL}?schema=${schema}&application_name=${schema}` : `sqlite:${join(dir, 'tessera.db')}`,
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
const token = await signUp(`http://127.0.0.1:${port}`)
process.send({ port, authorization: `Bearer ${token}`, schema })
process.on('disconnect', async () => {
  await tessera.close()
  rmSync(dir, { recursive: true, force: true })
  if (database === 'postgres') await dropSchema(schema)
  process.exit(0)
})
