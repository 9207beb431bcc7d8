// Worker of bench/tools/estimate-thread-memory.mjs: runs the built password-estimate worker
// (workerData.workerFile, the bundle's by default) and, beside it, answers { stats: true } with
// V8's heap spaces of this thread's isolate, and { scavenge: true } by one minor GC (V8's `gc`
// taken from a fresh context, as shared/young-generation-trim.ts does). The estimate worker's own handler also sees these messages
// and answers { failed: true }; the tool ignores that.
import v8 from 'node:v8'
import { runInNewContext } from 'node:vm'
import { parentPort, workerData } from 'node:worker_threads'

parentPort.on('message', (message) => {
  if (message?.scavenge) {
    v8.setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc')
    v8.setFlagsFromString('--no-expose-gc')
    gc({ type: 'minor' })
    parentPort.postMessage({ scavenged: true })
  }
  if (message?.stats) {
    const spaces = Object.fromEntries(
      v8.getHeapSpaceStatistics().map((s) => [s.space_name, { committed: s.space_size, used: s.space_used_size }]),
    )
    const heap = v8.getHeapStatistics()
    parentPort.postMessage({ stats: { spaces, heap, external: process.memoryUsage().external } })
  }
})
await import(workerData.workerFile)
