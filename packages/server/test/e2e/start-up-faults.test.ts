import { rmSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { testTempDir } from '../test-database.js'
import { until } from './fault-harness.js'
import { freePort } from './free-port.js'
import { type PrivateRedis, startPrivateRedis } from './private-redis.js'
import { exitWithin, type RunningTessera, spawnTessera, startTessera, stopTessera, type TesseraProcess } from './tessera-process.js'

// Issue 18 part 1: a start with an unreachable database or Redis fails fast, with one clear line,
// and leaves nothing running (the process exits by itself: no timer, no client keeps it alive).

/** Exit code for an unreachable service (EX_UNAVAILABLE, sysexits.h). */
const EX_UNAVAILABLE = 69
const EXIT_BOUND_MS = 10_000

let dataDir: string
let running: TesseraProcess[] = []
let redis: PrivateRedis | undefined

afterEach(async () => {
  await Promise.all(running.map((each) => stopTessera(each)))
  running = []
  await redis?.destroy()
  redis = undefined
  rmSync(dataDir, { recursive: true, force: true })
})

async function startExpectingFailure(env: Record<string, string>): Promise<{ code: number | null; stderr: string; ms: number }> {
  dataDir = testTempDir('tessera-start-')
  const started = Date.now()
  const child = spawnTessera(['start'], { TESSERA_DATA_DIR: dataDir, TESSERA_PORT: String(await freePort()), ...env })
  running.push(child)
  const exit = await exitWithin(child.exited, EXIT_BOUND_MS)
  expect(exit, `still running after ${EXIT_BOUND_MS} ms:\n${child.output()}`).not.toBe('timeout')
  return { code: child.child.exitCode, stderr: child.output(), ms: Date.now() - started }
}

describe('start-up with an unreachable store (issue 18)', () => {
  it('exits 69 with one line naming the database when PostgreSQL does not answer', async ({ annotate }) => {
    const port = await freePort() // nothing listens there
    const result = await startExpectingFailure({ TESSERA_DATABASE_URL: `postgres://tessera:s3cret@127.0.0.1:${port}/tessera` })
    expect(result.code).toBe(EX_UNAVAILABLE)
    expect(result.stderr).toBe(
      `tessera start: cannot reach the database at postgres://tessera:***@127.0.0.1:${port}/tessera: connect ECONNREFUSED 127.0.0.1:${port}\n`,
    )
    await annotate(`exited ${result.code} after ${result.ms} ms`)
  })

  it('exits 69 with one line naming Redis when the configured Redis does not answer', async ({ annotate }) => {
    const port = await freePort()
    const result = await startExpectingFailure({ TESSERA_REDIS_URL: `redis://127.0.0.1:${port}` })
    expect(result.code).toBe(EX_UNAVAILABLE)
    expect(result.stderr).toBe(`tessera start: cannot reach Redis at redis://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`)
    await annotate(`exited ${result.code} after ${result.ms} ms`)
  })

  it('starts degraded without Redis when redisOptional is set, says so, and subscribes once Redis answers', async () => {
    dataDir = testTempDir('tessera-start-')
    const port = await freePort()
    const server: RunningTessera = await startTessera(
      {
        TESSERA_DATA_DIR: dataDir,
        TESSERA_LOG_LEVEL: 'info',
        TESSERA_REDIS_URL: `redis://127.0.0.1:${port}`,
        TESSERA_REDIS_OPTIONAL: 'true',
      },
      { host: '127.0.0.1' },
    )
    running.push(server)
    expect(server.output()).toContain('Redis is unreachable: starting without it (redisOptional)')
    redis = await startPrivateRedis({ port })
    await until(
      () => server.output().includes('Redis connection restored (revocation-subscriber)'),
      15_000,
      'subscriber connected',
      server.output,
    )
    expect((await fetch(`${server.base}/readyz`)).status).toBe(200)
  })
})
