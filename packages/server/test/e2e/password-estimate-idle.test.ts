import { readFileSync, rmSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { ESTIMATE_THREAD_IDLE_MS } from '../../src/users/password-estimate-bounds.js'
import { testTempDir } from '../test-database.js'
import { type RunningTessera, startTessera, stopTessera } from './tessera-process.js'

const PASSWORD = 'correct horse battery staple'
/** Far longer than the 1 s quiet period set below, for a loaded machine. */
const WITHIN_MS = 30_000

/** The process's threads now (/proc: Linux, where the e2e suite runs). */
const threads = (pid: number) => Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1])

/**
 * Sends a sign-up while reading the process's thread count every few ms: the estimate's thread,
 * alive from the estimate until the quiet period after it, is in the highest count seen.
 */
async function signUpWatchingThreads(server: RunningTessera, email: string) {
  const pid = server.child.pid as number
  let most = threads(pid)
  let watching = true
  const watch = (async () => {
    while (watching) {
      most = Math.max(most, threads(pid))
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
  })()
  const response = await fetch(`${server.base}/v1/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  })
  watching = false
  await watch
  return { status: response.status, most }
}

/** How long the process took to have `count` threads or fewer; Infinity past WITHIN_MS. */
async function threadsFallTo(pid: number, count: number): Promise<number> {
  const started = Date.now()
  for (const giveUp = started + WITHIN_MS; Date.now() < giveUp; ) {
    if (threads(pid) <= count) return Date.now() - started
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return Number.POSITIVE_INFINITY
}

// The password estimate's thread ends after `password.estimatorIdleTimeout` seconds without an
// estimate, and the next new password starts it again (docs/architecture.md §9, "The password estimate").
describe('the password-estimate thread of the tessera process', () => {
  let dataDir: string | undefined
  let server: RunningTessera | undefined

  afterEach(async () => {
    if (server) await stopTessera(server)
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  it('ends after its quiet period (TESSERA_PASSWORD_ESTIMATOR_IDLE_TIMEOUT), and the next sign-up starts it again', async () => {
    dataDir = testTempDir('tessera-e2e-')
    server = await startTessera({ TESSERA_DATA_DIR: dataDir, TESSERA_PASSWORD_ESTIMATOR_IDLE_TIMEOUT: '1' })
    const pid = server.child.pid as number
    const first = await signUpWatchingThreads(server, 'ann@example.com')
    expect(first.status).toBe(201)
    // One thread fewer than with the estimate's thread alive: it ended, and nothing else did; after
    // the setting's 1 s, not the default's 5 (the margin is for a loaded machine).
    expect(await threadsFallTo(pid, first.most - 1)).toBeLessThan(ESTIMATE_THREAD_IDLE_MS - 1_000)
    expect(threads(pid)).toBe(first.most - 1)
    const second = await signUpWatchingThreads(server, 'bob@example.com')
    expect(second.status).toBe(201)
    expect(second.most).toBe(first.most)
    expect(await threadsFallTo(pid, first.most - 1)).toBeLessThan(ESTIMATE_THREAD_IDLE_MS - 1_000)
  })
})
