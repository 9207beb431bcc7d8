// A fixed number of refresh-token rotations through the app in this process, for instruction
// counts that hold still on a busy machine (issue 17 target 4): 20 chains, as the issuance suite
// drives them, each presenting the token the previous rotation returned (Fastify's inject: the
// hooks, client authentication, the form parser, the grant's transaction and its group commit,
// signing and serialisation; not the socket). Under callgrind (bench/lib/callgrind-window.mjs):
//   valgrind --tool=callgrind --dump-instr=no --callgrind-out-file=/tmp/rf.out node bench/tools/callgrind-refresh.mjs <dist|-> 1000 [warm-up]
//   callgrind_annotate /tmp/rf.out.1 | head   (the total / 1000 = instructions per rotation)
// The WAL syncs run on the thread pool and are counted too; how many rotations share a COMMIT
// depends on timing, so compare builds by several runs each.
import { callgrindWindow } from '../lib/callgrind-window.mjs'
import { exchange, form, refreshFixture, startTessera } from '../lib/harness.mjs'

// warm-up: rotations before the counted window (300 by default; thousands let TurboFan finish first).
const [dist, count = '1000', warmUp = '300'] = process.argv.slice(2)
const RESOURCE = 'https://api.example.com'
const CHAINS = 20
const server = await startTessera({ dist: dist === '-' ? undefined : dist })
const { tessera, address } = server
tessera.services.configCache.enable()
const { authorization, sessionToken } = await refreshFixture(tessera, address, RESOURCE)
const app = await tessera.app()
const chains = []
for (let i = 0; i < CHAINS; i++) chains.push((await exchange(address, authorization, sessionToken, RESOURCE)).refresh_token)

async function run(total) {
  let started = 0
  await Promise.all(
    chains.map(async (_, chain) => {
      while (started < total) {
        started++
        const response = await app.inject({
          method: 'POST',
          url: '/oauth/token',
          headers: { ...form, authorization },
          payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: chains[chain] }).toString(),
        })
        if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}: ${response.body}`)
        chains[chain] = response.json().refresh_token
      }
    }),
  )
}
await callgrindWindow(run, Number(count), Number(warmUp))
await server.close()
process.exit(0)
