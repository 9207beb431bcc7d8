// A stand-in for users/password-estimate-worker.ts that speaks its protocol ({ password,
// contextWords } in, { score } out) and lets a test hold and break it. workerData.state is an
// Int32Array over a SharedArrayBuffer: [0] counts the estimates started (notified on each),
// [1] is the gate (0 holds every estimate, 1 lets them through). Passwords 'crash:throw',
// 'crash:exit' and 'crash:memory' end the thread (an uncaught exception that quotes the password,
// an exit, a heap grown past the thread's resourceLimits), 'crash:hang' never answers; any other
// scores 4 from 16 characters and 0 below. It says `ready` as it starts, once [3] is not 0 (the
// start gate: 1 unless the test holds the start, as a slow load of the dictionaries would).
import { parentPort, workerData } from 'node:worker_threads'

const state = workerData.state
parentPort.on('message', ({ password }) => {
  Atomics.add(state, 0, 1)
  Atomics.notify(state, 0)
  // A synchronous wait, as a long estimate would be: this thread does nothing else meanwhile.
  Atomics.wait(state, 1, 0)
  if (password === 'crash:throw') throw new Error(`the estimator broke on ${password}`)
  if (password === 'crash:memory') {
    // Live arrays of numbers, ~0.8 MB each, until V8 refuses the next.
    const hoard = []
    for (;;) hoard.push(new Array(100_000).fill(hoard.length + 0.5))
  }
  if (password === 'crash:exit') process.exit(3)
  if (password === 'crash:hang') Atomics.wait(state, 2, 0)
  parentPort.postMessage({ score: [...password].length >= 16 ? 4 : 0 })
})

Atomics.wait(state, 3, 0)
parentPort.postMessage({ ready: true })
