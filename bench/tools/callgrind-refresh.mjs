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
import { injectRefreshChains } from '../lib/inject-refresh-chains.mjs'

// warm-up: rotations before the counted window (300 by default; thousands let TurboFan finish first).
const [dist, count = '1000', warmUp = '300'] = process.argv.slice(2)
const { server, run } = await injectRefreshChains({ dist: dist === '-' ? undefined : dist })
await callgrindWindow(run, Number(count), Number(warmUp))
await server.close()
process.exit(0)
