import { describe, expect, it } from 'vitest'
import { estimateGate } from '../../test/estimate-gate.js'
import { PASSWORD, startTestServer, type TestServer } from '../../test/test-server.js'
import { createPasswordEstimatePool } from './password-estimate-pool.js'

// The strength estimate of a new password runs in a worker thread with a bounded queue
// (users/password-estimate-pool.ts); these tests hold it, fill it and break it over HTTP.
describe('the password estimate behind sign-up', () => {
  const start = startTestServer

  // Sent at once: an inject chain without `then` waits to be awaited.
  const signUp = async (server: TestServer, email: string, password: string) =>
    server.app.inject({ method: 'POST', url: '/v1/sign-up', payload: { email, password } })
  const userCount = async (server: TestServer) =>
    Number(
      (
        await server.tessera.database.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )

  it('refuses a guessable password and accepts a strong one, as the estimate in its thread says', async () => {
    const server = await start()
    for (const weak of ['123456789012345', 'ann.lee@example.com', 'qwertyuiop123']) {
      const refused = await signUp(server, 'ann.lee@example.com', weak)
      expect(refused.statusCode, weak).toBe(400)
      expect(refused.json().code).toBe('password_too_common')
    }
    expect(await userCount(server)).toBe(0)
    expect((await signUp(server, 'ann.lee@example.com', PASSWORD)).statusCode).toBe(201)
    expect((await signUp(server, 'bob@example.com', 'k3v9q2xw7m4p8t6z')).statusCode).toBe(201)
  })

  it('answers other requests while an estimate holds its thread', async () => {
    const gate = estimateGate()
    const server = await start({ passwordEstimator: createPasswordEstimatePool({ startWorker: gate.startWorker }) })
    const held = signUp(server, 'ann@example.com', PASSWORD)
    await gate.started(1)
    // The estimate is blocked in its thread; the event loop is free.
    expect((await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
    expect(await userCount(server)).toBe(0)
    gate.release()
    expect((await held).statusCode).toBe(201)
  })

  it('refuses a sign-up with 503 password_check_busy and Retry-After when the queue is full, and writes nothing', async () => {
    const gate = estimateGate()
    const logLines: string[] = []
    const passwordEstimator = createPasswordEstimatePool({ startWorker: gate.startWorker, maxWaiting: 1 })
    const server = await start({ passwordEstimator, logLines })
    const running = signUp(server, 'ann@example.com', PASSWORD)
    await gate.started(1)
    const waiting = signUp(server, 'bob@example.com', PASSWORD)
    const refused = await signUp(server, 'carol@example.com', PASSWORD)
    expect(refused.statusCode).toBe(503)
    expect(refused.headers['retry-after']).toBe('1')
    expect(refused.json().code).toBe('password_check_busy')
    // Load, not a fault: counted per burst as a warning, not an error line per request.
    const logged = logLines.map((line) => JSON.parse(line) as { level: number; msg: string; code?: string })
    expect(logged.filter((line) => line.code === 'password_check_busy').map((line) => line.level)).toEqual([40])
    expect(logged.filter((line) => line.level >= 50)).toEqual([])
    gate.release()
    expect([(await running).statusCode, (await waiting).statusCode]).toEqual([201, 201])
    expect(await server.tessera.stores.users.findByEmail('carol@example.com')).toBeFalsy()
    expect(await userCount(server)).toBe(2)
  })

  it('refuses a sign-up with 503 password_check_failed when the estimate thread dies, and a fresh thread serves the next', async () => {
    const gate = estimateGate({ open: true })
    const server = await start({ passwordEstimator: createPasswordEstimatePool({ startWorker: gate.startWorker }) })
    // An uncaught exception, an exit, a heap past the thread's resourceLimits (ESTIMATE_WORKER_LIMITS).
    for (const crash of ['crash:throw', 'crash:exit', 'crash:memory']) {
      const refused = await signUp(server, 'ann@example.com', crash)
      expect(refused.statusCode, crash).toBe(503)
      expect(refused.headers['retry-after']).toBe('1')
      expect(refused.json().code).toBe('password_check_failed')
    }
    expect(await userCount(server)).toBe(0)
    expect((await signUp(server, 'ann@example.com', PASSWORD)).statusCode).toBe(201)
    expect(gate.workers).toBe(4)
  })

  it("logs a failed estimate in the log of the server that asked, when two servers share the process's thread", async () => {
    const gate = estimateGate({ open: true })
    const passwordEstimator = createPasswordEstimatePool({ startWorker: gate.startWorker })
    const firstLines: string[] = []
    const secondLines: string[] = []
    const first = await start({ passwordEstimator, logLines: firstLines })
    const second = await start({ passwordEstimator, logLines: secondLines })
    const ended = (lines: string[]) => lines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'password estimate thread ended')
    expect((await signUp(first, 'ann@example.com', PASSWORD)).statusCode).toBe(201)
    expect((await signUp(second, 'bob@example.com', 'crash:exit')).statusCode).toBe(503)
    expect(ended(secondLines)).toMatchObject([{ reason: 'exit', exitCode: 3, estimatesFailed: 1 }])
    expect(ended(firstLines)).toEqual([])
    expect((await signUp(first, 'carol@example.com', 'crash:throw')).statusCode).toBe(503)
    expect(ended(firstLines)).toMatchObject([{ reason: 'error', estimatesFailed: 1 }])
    expect(ended(secondLines)).toHaveLength(1)
  })
})
