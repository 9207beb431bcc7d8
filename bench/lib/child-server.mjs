// Starts a server script as a child process and waits for its { port } message.
import { fork } from 'node:child_process'

export async function startChild(script, config = {}, { env } = {}) {
  const child = fork(script, [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...env } })
  const message = await new Promise((resolve, reject) => {
    child.once('message', resolve)
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready`)))
  })
  return {
    ...message,
    address: `http://127.0.0.1:${message.port}`,
    pid: child.pid,
    child,
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', resolve)
        child.disconnect()
        setTimeout(() => child.kill('SIGKILL'), 5000).unref()
      }),
  }
}
