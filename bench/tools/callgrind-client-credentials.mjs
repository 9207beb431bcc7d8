// A fixed number of client_credentials token requests through the app in this process
// (Fastify's inject: the hooks, the form parser, the grant, signing and serialisation; not the
// socket), for instruction counts that hold still on a busy machine. Under callgrind, the counters
// are zeroed after start-up and warm-up (callgrind_control -z) and dumped after the counted
// requests (callgrind_control -d), so the dump `<out>.1` holds those requests only:
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/cc.out node bench/tools/callgrind-client-credentials.mjs <dist|-> 1000
//   callgrind_annotate /tmp/cc.out.1 | head   (the total / 1000 = instructions per request)
// The config cache is on, as with the background tasks, which are not started (their timers would
// add work that depends on how long the run takes).
import { callgrindWindow } from '../lib/callgrind-window.mjs'
import { basic, form, grantReader, startTessera } from '../lib/harness.mjs'

const [dist, count = '1000'] = process.argv.slice(2)
const resource = 'https://api.example.com'
const cli = { kind: 'cli' }
const server = await startTessera({ dist: dist === '-' ? undefined : dist })
const { tessera } = server
tessera.services.configCache.enable()
await tessera.services.apis.create({ identifier: resource, name: 'Orders', mode: 'jwt', scopes: ['orders:read'] }, cli)
const m2m = await tessera.services.applications.create({ name: 'job', type: 'm2m', apis: [resource], scopes: ['orders:read'] }, cli)
await grantReader(tessera, [resource], { applications: [m2m.application.id] })
const app = await tessera.app()
const request = {
  method: 'POST',
  url: '/oauth/token',
  headers: { ...form, authorization: basic(m2m.application.id, m2m.clientSecret) },
  payload: new URLSearchParams({ grant_type: 'client_credentials', resource }).toString(),
}
async function run(total) {
  for (let done = 0; done < total; done += 50) {
    const responses = await Promise.all(Array.from({ length: Math.min(50, total - done) }, () => app.inject(request)))
    for (const response of responses) if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}: ${response.body}`)
  }
}
await callgrindWindow(run, Number(count))
await server.close()
process.exit(0)
