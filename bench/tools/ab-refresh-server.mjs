// Child process of bench/tools/ab-refresh.mjs: one build of Tessera (a dist folder) on its own
// database, with a web client, an API and a signed-in user, as the issuance suite sets them up.
// Sends { port, authorization, sessionToken } when ready; closes when the parent disconnects.
import { refreshFixture, startTessera } from '../lib/harness.mjs'
import { fillTokenTables } from '../lib/token-fill.mjs'

const { dist, database, syncMs, fill } = JSON.parse(process.argv[2])
if (syncMs !== undefined) {
  // A controlled disk (bench/tools/ab-refresh.mjs AB_SYNC_MS): the database lives on tmpfs and every
  // sync of the WAL takes the real (near-zero) fdatasync plus a fixed wait, as a quiet disk's does,
  // so other engineers' writes to the shared disk do not decide the comparison.
  const { open } = await import('node:fs/promises')
  const handle = await open(process.execPath, 'r')
  const fileHandle = Object.getPrototypeOf(handle)
  await handle.close()
  const datasync = fileHandle.datasync
  fileHandle.datasync = async function () {
    await datasync.call(this)
    await new Promise((resolve) => setTimeout(resolve, syncMs))
  }
}
const RESOURCE = 'https://api.example.com'

// As `tessera start` runs (background: the revocation signals, and the caches they keep fresh).
const server = await startTessera({ dist, database, background: true })
const { tessera, address } = server
const { authorization, sessionToken } = await refreshFixture(tessera, address, RESOURCE)
// AB_FILL=<n> (ab-refresh.mjs): n more rows in each token table first, under random ids.
if (fill > 0) await fillTokenTables(tessera, { address, authorization, sessionToken, resource: RESOURCE }, fill)
process.send({ port: Number(new URL(address).port), authorization, sessionToken })
process.on('disconnect', async () => {
  await server.close()
  process.exit(0)
})
