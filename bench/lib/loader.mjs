// autocannon in one long-lived child process, so the load generator never shares an event loop
// with what it measures and does not pay a Node start-up per measurement.
import { fork } from 'node:child_process'

export function startLoader({ duration, connections }) {
  const child = fork(new URL('./load-worker.mjs', import.meta.url).pathname, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  let next = 0
  const pending = new Map()
  child.on('message', ({ id, result, error }) => {
    const waiter = pending.get(id)
    pending.delete(id)
    if (error) waiter?.reject(new Error(error))
    else waiter?.resolve(result)
  })
  child.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`load generator exited (${code})`))
    pending.clear()
  })
  return {
    // The generator's process, to read its CPU time (/proc) beside the server's.
    pid: child.pid,
    /**
     * { rate (req/s), p50, p99 (ms) }; refuses a run with any non-2xx answer or error.
     * `authorizations`: Authorization headers sent in turn, one per request (lib/load-worker.mjs);
     * `bodies`: request bodies sent in turn, the same way; `overallRate`: requests per second offered
     * across all connections (autocannon's option), instead of as many as the server answers.
     */
    run(
      url,
      { method = 'GET', headers = {}, body, authorizations, bodies, connections: c = connections, seconds = duration, overallRate } = {},
    ) {
      const id = next++
      child.send({ id, options: { url, method, headers, body, authorizations, bodies, connections: c, duration: seconds, overallRate } })
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject }))
    },
    close() {
      child.disconnect()
    },
  }
}
