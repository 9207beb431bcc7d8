// Child process of bench/tools/ab-session-check.mjs: one build of Tessera (a dist folder) on its
// own database, running its background tasks as `tessera start` does, with one signed-up user.
// Sends { port, authorization, schema } when ready; closes when the parent disconnects.
import { signUp, startTessera } from '../lib/harness.mjs'

const { dist, database } = JSON.parse(process.argv[2])
const server = await startTessera({ dist, database, background: true })
const token = await signUp(server.address)
process.send({ port: Number(new URL(server.address).port), authorization: `Bearer ${token}`, schema: server.schema })
process.on('disconnect', async () => {
  await server.close()
  process.exit(0)
})
