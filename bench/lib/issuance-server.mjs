// Child process of lib/issuance-ab.mjs (bench/tools/ab-refresh.mjs, the issuance suite against the
// filed build) and bench/tools/perf-refresh.mjs: one build of Tessera (a dist folder; the workspace's
// without one) on its own database, with a web client, an API and a signed-in user, as the issuance
// suite sets them up. Sends { port, authorization, sessionToken } when ready; closes when the parent
// disconnects.
import { refreshFixture, startTessera } from './harness.mjs'
import { slowWalSyncs } from './slow-wal-sync.mjs'
import { fillTokenTables } from './token-fill.mjs'

const { dist, database, syncMs, fill } = JSON.parse(process.argv[2])
// A controlled disk (bench/tools/ab-refresh.mjs AB_SYNC_MS, lib/slow-wal-sync.mjs).
if (syncMs !== undefined) await slowWalSyncs(syncMs)
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
