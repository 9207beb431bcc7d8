import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { freePort } from './free-port.js'

// The real `tessera` executable as the end-to-end tests run it: spawn, wait until ready, stop.

/** The built executable; `npm test` builds it first (the `pretest` script). */
export const MAIN = fileURLToPath(new URL('../../dist/bundle/main.js', import.meta.url))
/**
 * How long a start may take is counted in the child's own CPU time, not the wall clock: a start
 * costs ~1.3 s of CPU (docs/architecture.md §9), and on a machine at load average 15-20 three
 * starts at once took more than the 20 s of wall clock once allowed (the load-balancer test, its
 * first start and its restart after SIGKILL). 15 s of its CPU without answering is a stuck start.
 */
const READY_CPU_BUDGET_MS = 15_000
/** A child whose CPU time has not moved for this long is blocked, not starved (a starved one still gets slices). */
const READY_STALL_MS = 20_000
/** And whatever its CPU, a child still not ready after this long (one that answers 503 all along) is reported. */
const READY_WALL_MS = 90_000
const KILL_AFTER_MS = 5_000

export type Env = Record<string, string>
export type Exit = { code: number | null; signal: NodeJS.Signals | null }

export interface TesseraProcess {
  child: ChildProcess
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string
  /**
   * Everything written so far, once it contains `text`: lines logged after the server answers (its
   * start-up notices) reach this process through a pipe, maybe after the answer does. Rejects with
   * the output so far if `text` has not come within `ms`.
   */
  outputContaining(text: string, ms?: number): Promise<string>
  exited: Promise<Exit>
}

export interface RunningTessera extends TesseraProcess {
  /** `http://<host>:<port>`, where it answered /readyz. */
  base: string
  port: number
}

export interface StartOptions {
  /** The port to listen on; a free one (retried if taken meanwhile) when absent. */
  port?: number
  /**
   * `localhost` (the default) or a loopback IP such as `127.0.0.1`; for an IP, Tessera binds to it and,
   * unless `env` names one, its issuer is `http://<ip>:<port>`.
   */
  host?: string
  /** Flags for `node` before the executable (a test's `--import` preload, for one). */
  nodeFlags?: string[]
}

/** The child's environment: ours without any TESSERA_* a developer may have set, plus `env`. */
export function childEnv(env: Env): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TESSERA_'))), ...env }
}

export function spawnTessera(args: string[], env: Env, nodeFlags: string[] = []): TesseraProcess {
  const child = spawn(process.execPath, [...nodeFlags, MAIN, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const waiters = new Set<() => void>()
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
      for (const waiter of waiters) waiter()
    })
  }
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  const outputContaining = (text: string, ms = 10_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (!output.includes(text)) return
        done()
        resolve(output)
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`the process did not write ${JSON.stringify(text)} within ${ms} ms:\n${output}`))
      }, ms)
      const done = () => {
        clearTimeout(timer)
        waiters.delete(check)
      }
      waiters.add(check)
      check()
    })
  return { child, output: () => output, outputContaining, exited }
}

export function hasExited(running: TesseraProcess): boolean {
  return running.child.exitCode !== null || running.child.signalCode !== null
}

/** The promise's value, or `'timeout'` once `ms` pass. */
export async function exitWithin<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** The CPU time (user and system, ms) a process has used, from Linux's /proc; undefined elsewhere. */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields 14 and 15 (utime, stime), in clock ticks of 10 ms, after the command name's ')'.
    const [utime, stime] = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .slice(11, 13)
      .map(Number)
    return ((utime ?? 0) + (stime ?? 0)) * 10
  } catch {
    return undefined
  }
}

/**
 * Polls /readyz until it answers 200 or the child dies; gives up once the child has spent
 * READY_CPU_BUDGET_MS of CPU, used none for READY_STALL_MS (the wall clock alone where /proc is
 * missing), or READY_WALL_MS pass.
 */
export async function waitUntilReady(running: TesseraProcess, base: string): Promise<void> {
  let cpu = cpuMs(running.child.pid) ?? 0
  const started = Date.now()
  let movedAt = started
  for (;;) {
    if (hasExited(running)) throw new Error(`tessera exited before it was ready:\n${running.output()}`)
    // Not listening yet is refused at once; a slow answer is waited for, as any request.
    const ok = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(READY_STALL_MS) }).then(
      (response) => response.status === 200,
      () => false,
    )
    if (ok) return
    const now = cpuMs(running.child.pid)
    if (now !== undefined && now > READY_CPU_BUDGET_MS) {
      throw new Error(`tessera was not ready after ${now} ms of its own CPU:\n${running.output()}`)
    }
    if (now !== undefined && now > cpu) [cpu, movedAt] = [now, Date.now()]
    if (Date.now() - movedAt > READY_STALL_MS || Date.now() - started > READY_WALL_MS) {
      throw new Error(`tessera was not ready within ${Date.now() - started} ms (CPU ${now ?? '?'} ms):\n${running.output()}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** SIGTERM (after SIGCONT, in case a test froze it), then SIGKILL after 5 s; resolves with how it exited. */
export async function stopTessera(running: TesseraProcess): Promise<Exit> {
  if (!hasExited(running)) {
    running.child.kill('SIGCONT')
    running.child.kill('SIGTERM')
    const timer = setTimeout(() => running.child.kill('SIGKILL'), KILL_AFTER_MS)
    await running.exited.finally(() => clearTimeout(timer))
  }
  return running.exited
}

/** SIGKILL: no graceful shutdown at all. */
export async function killTessera(running: TesseraProcess): Promise<Exit> {
  if (!hasExited(running)) running.child.kill('SIGKILL')
  return running.exited
}

/** `tessera start`, ready to serve; the caller stops it. */
export async function startTessera(env: Env, options: StartOptions = {}): Promise<RunningTessera> {
  const host = options.host ?? 'localhost'
  // A port found free can be taken before the child binds it; try again on another.
  for (let attempt = 1; ; attempt += 1) {
    const port = options.port ?? (await freePort())
    const base = `http://${host}:${port}`
    const hostEnv: Env = host === 'localhost' ? {} : { TESSERA_HOST: host, TESSERA_ISSUER: base }
    const running = spawnTessera(['start'], { ...hostEnv, ...env, TESSERA_PORT: String(port) }, options.nodeFlags)
    try {
      await waitUntilReady(running, base)
      return { ...running, base, port }
    } catch (error) {
      await stopTessera(running)
      if (options.port === undefined && attempt < 3 && running.output().includes('EADDRINUSE')) continue
      throw error
    }
  }
}

/** One CLI command with `--json` (and `stdin` written to it, if given); resolves with its parsed output. */
export async function runCli(env: Env, args: string[], stdin?: string): Promise<Record<string, unknown>> {
  const running = promisify(execFile)(process.execPath, [MAIN, ...args, '--json'], { env: childEnv(env) })
  running.child.stdin?.end(stdin ?? '')
  const { stdout } = await running
  return JSON.parse(stdout) as Record<string, unknown>
}
