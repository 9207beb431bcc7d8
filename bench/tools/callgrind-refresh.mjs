// A fixed number of refresh-token rotations (issue 17 target 4) through the app in this process
// (Fastify's inject: no socket), 20 chains at once as bench/lib/refresh-chains.mjs runs them, on
// SQLite (a file, so the WAL is synced, checkpoints included), for instruction counts that hold
// still on a busy machine. Under callgrind, the counters are zeroed after start-up and warm-up
// (callgrind_control -z) and dumped after the counted rotations (callgrind_control -d), so the
// dump `<out>.1` holds those rotations only (every thread: the thread pool's signatures and syncs too):
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/rt.out node bench/tools/callgrind-refresh.mjs <dist|-> 2000
//   callgrind_annotate /tmp/rt.out.1 | head   (the total / 2000 = instructions per rotation)
// Background tasks are not started (their timers would add work that depends on how long the run takes).
import { callgrindWindow } from '../lib/callgrind-window.mjs'
import { basic, exchangeBody, form, grantReader, signUpUser, startTessera } from '../lib/harness.mjs'

const [dist, count = '2000'] = process.argv.slice(2)
const RESOURCE = 'https://api.example.com'
const CHAINS = 20
const cli = { kind: 'cli' }
const server = await startTessera({ dist: dist === '-' ? undefined : dist })
const { tessera, address } = server
tessera.services.configCache.enable()
await tessera.services.apis.create({ identifier: RESOURCE, name: 'Orders', mode: 'jwt', scopes: ['orders:read'] }, cli)
const web = await tessera.services.applications.create(
  { name: 'web', type: 'web', grants: ['token_exchange', 'refresh_token'], apis: [RESOURCE], scopes: ['orders:read'] },
  cli,
)
const { token: sessionToken, userId } = await signUpUser(address)
await grantReader(tessera, [RESOURCE], { users: [userId] })
const app = await tessera.app()
const headers = { ...form, authorization: basic(web.application.id, web.clientSecret) }
const post = async (payload) => {
  const response = await app.inject({ method: 'POST', url: '/oauth/token', headers, payload })
  if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}: ${response.body}`)
  return response.json().refresh_token
}
const tokens = []
for (let i = 0; i < CHAINS; i++) tokens.push(await post(exchangeBody(sessionToken, RESOURCE)))
/** `total` rotations, CHAINS chains at once: each presents the token its previous rotation returned. */
async function run(total) {
  let left = total
  await Promise.all(
    tokens.map(async (_, chain) => {
      while (left > 0) {
        left--
        tokens[chain] = await post(new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens[chain] }).toString())
      }
    }),
  )
}
await callgrindWindow(run, Number(count))
await server.close()
process.exit(0)
