// `tessera start` in a process of its own on a SQLite data directory, polled on /healthz from the
// spawn until the first 200 (the start-up time of bench/suites/footprint.mjs).
import { spawn } from 'node:child_process'
import { freePort, startEnv } from './tessera-env.mjs'

const BIN = new URL('../../packages/server/bin/tessera.js', import.meta.url).pathname
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Starts `node [nodeFlags] bin start` with `dir` as its data directory (`env` added to the
 * environment) and resolves at its first 200 on /healthz: { address, startup (ms from the spawn),
 * pid, stop }. Rejects if the process exits first or gives no 200 within `timeout` ms.
 */
export async function startTesseraProcess(
  dir,
  { nodeFlags = [], bin = BIN, env = {}, stdio = ['ignore', 'ignore', 'pipe'], poll = 5, timeout = 30_000 } = {},
) {
  const port = await freePort()
  const address = `http://127.0.0.1:${port}`
  const started = performance.now()
  const child = spawn(process.execPath, [...nodeFlags, bin, 'start'], { env: { ...process.env, ...startEnv(dir, port), ...env }, stdio })
  let stderr = ''
  child.stderr?.on('data', (chunk) => {
    stderr += chunk
  })
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      child.once('exit', resolve)
      child.kill('SIGTERM')
    })
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`tessera start exited (${child.exitCode}): ${stderr.slice(0, 500)}`)
      const ok = await fetch(`${address}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      )
      if (ok) break
      if (performance.now() - started > timeout) throw new Error(`tessera start: no 200 within ${timeout / 1000} s`)
      await pause(poll)
    }
  } catch (error) {
    await stop()
    throw error
  }
  return { address, startup: performance.now() - started, pid: child.pid, stop }
}
