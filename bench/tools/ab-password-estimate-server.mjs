// Child process of bench/tools/ab-password-estimate.mjs: one build of Tessera (a dist folder) on
// its own SQLite database, with the event loop's delay sampled every 5 ms. Sends { port, idleRss }
// when ready (RSS 1 s after listening); answers 'rss' with the RSS now, 'reset' by clearing the
// delay histogram and 'delay' with its percentiles (ms). Closes when the parent disconnects.

import { monitorEventLoopDelay } from 'node:perf_hooks'
import { setTimeout as delay } from 'node:timers/promises'
import { startTessera } from '../lib/harness.mjs'

const { dist } = JSON.parse(process.argv[2])
const server = await startTessera({ dist })
const histogram = monitorEventLoopDelay({ resolution: 5 })
histogram.enable()
await delay(1000)
const mb = () => process.memoryUsage().rss / 1e6
process.send({ port: Number(new URL(server.address).port), idleRss: mb() })
process.on('message', (message) => {
  if (message === 'rss') process.send({ rss: mb() })
  if (message === 'reset') {
    histogram.reset()
    process.send({ reset: true })
  }
  if (message === 'delay') {
    const ms = (ns) => ns / 1e6
    process.send({ p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) })
  }
})
process.on('disconnect', async () => {
  await server.close()
  process.exit(0)
})
