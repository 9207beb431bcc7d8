// The two builds of an in-process A/B tool (ab-refresh-inject, ab-transaction), each in a process
// of its own: the tool forks itself with `--child <settings as JSON>`; the child sends one message
// when ready and one answer to each `{ count }` it is sent, and exits when disconnected.
import { fork } from 'node:child_process'

/** Forks `script` as a child with `settings`; `ready` settles on its first message. */
export function forkChild(script, settings, env = process.env) {
  const proc = fork(script, ['--child', JSON.stringify(settings)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env })
  let waiting
  proc.on('message', (message) => waiting?.(message))
  const next = () =>
    new Promise((resolve) => {
      waiting = resolve
    })
  return {
    ready: next(),
    run: (count) => {
      proc.send({ count })
      return next()
    },
    close: () =>
      new Promise((resolve) => {
        proc.once('exit', resolve)
        proc.disconnect()
      }),
  }
}

/** Starts the builds named in `order` one after another, each once the one before is ready. */
export async function startInOrder(order, start) {
  const started = {}
  for (const name of order) {
    started[name] = start(name)
    await started[name].ready
  }
  return started
}
