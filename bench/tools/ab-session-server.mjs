// Child process of bench/tools/ab-session-check.mjs: one build of Tessera (a dist folder) on its
// own database, running its background tasks as `tessera start` does, with `sessions` signed-up
// users (one session each). Sends { port, authorizations, schema } when ready; closes when the
// parent disconnects.
import { signUp, startTessera } from '../lib/harness.mjs'

const { dist, database, sessions = 1 } = JSON.parse(process.argv[2])
const server = await startTessera({ dist, database, background: true })
const authorizations = []
for (let i = 0; i < sessions; i++) authorizations.push(`Bearer ${await signUp(server.address, `bench${i}@example.com`)}`)
process.send({ port: Number(new URL(server.address).port), authorizations, schema: server.schema })
process.on('disconnect', async () => {
  await server.close()
  process.exit(0)
})
