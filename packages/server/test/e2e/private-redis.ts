import { type ChildProcess, spawn } from 'node:child_process'
import { connect } from 'node:net'
import { freePort } from './free-port.js'

// A Redis of the test's own (its own port, nothing persisted), for tests that stop and restart it:
// never the shared one on 6379.

export interface PrivateRedis {
  url: string
  port: number
  /** Stops the server (SIGTERM) and waits for its exit. */
  stop(): Promise<void>
  /** Starts it again on the same port, empty. */
  start(): Promise<void>
  destroy(): Promise<void>
}

const READY_DEADLINE_MS = 10_000

/** Resolves true once the server answers PING with PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.setTimeout(1_000)
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (chunk) => {
      socket.destroy()
      resolve(chunk.toString().startsWith('+PONG'))
    })
    for (const event of ['error', 'timeout', 'close'])
      socket.once(event, () => {
        socket.destroy()
        resolve(false)
      })
  })
}

/** A private Redis on `port`, or on a free port when absent. */
export async function startPrivateRedis(options: { port?: number } = {}): Promise<PrivateRedis> {
  let port = 0
  let child: ChildProcess | undefined
  const start = async () => {
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    })
    child = server
    const deadline = Date.now() + READY_DEADLINE_MS
    while (Date.now() < deadline) {
      if (server.exitCode !== null || server.signalCode !== null) throw new Error(`redis-server exited on port ${port}`)
      if (await ping(port)) return
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    throw new Error('redis-server did not answer in time')
  }
  const stop = async () => {
    const server = child
    child = undefined
    if (!server || server.exitCode !== null || server.signalCode !== null) return
    const exited = new Promise((resolve) => server.once('exit', resolve))
    server.kill('SIGTERM')
    await exited
  }
  for (let attempt = 1; ; attempt += 1) {
    port = options.port ?? (await freePort())
    try {
      await start()
      break
    } catch (error) {
      await stop()
      if (options.port !== undefined || attempt >= 3) throw error
    }
  }
  return { url: `redis://127.0.0.1:${port}`, port, stop, start, destroy: stop }
}
