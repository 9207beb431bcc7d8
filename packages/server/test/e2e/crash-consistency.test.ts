import { rmSync } from 'node:fs'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { testTempDir } from '../test-database.js'
import { hasExited, killTessera, type RunningTessera, startTessera, type TesseraProcess } from './tessera-process.js'

const PASSWORD = 'correct horse battery staple'
/** Sign-ups kept in flight at once; each finished one is replaced until the process dies. */
const IN_FLIGHT = 40
/** SIGKILL once this many sign-ups have been acknowledged. */
const KILL_AFTER = 10
/** Hard cap on attempts, so a process that never dies cannot loop the test forever. */
const MAX_ATTEMPTS = 2_000

/** Tessera on `databaseFile`, its data (keys) in `dataDir`. */
function start(databaseFile: string, dataDir: string): Promise<RunningTessera> {
  return startTessera({
    TESSERA_DATA_DIR: dataDir,
    TESSERA_DATABASE_URL: `sqlite:${databaseFile}`,
    TESSERA_LOG_LEVEL: 'warn',
    // The burst comes from one IP; the per-IP limit is not what this test is about.
    TESSERA_RATE_LIMIT_CREDENTIALS_PER_IP: '100000',
  })
}

interface Burst {
  acknowledged: string[]
  attempted: string[]
  inFlightAtKill: number
}

/**
 * Keeps IN_FLIGHT sign-ups running (each with a unique email) and SIGKILLs the process as soon as
 * KILL_AFTER of them have returned 201, so the kill lands while writes are in progress.
 */
async function signUpBurstUntilKilled(base: string, running: TesseraProcess): Promise<Burst> {
  const acknowledged: string[] = []
  const attempted: string[] = []
  let inFlight = 0
  let inFlightAtKill = -1
  let killed = false

  const worker = async (lane: number) => {
    for (let n = 0; !killed && !hasExited(running) && attempted.length < MAX_ATTEMPTS; n += 1) {
      const email = `crash-${lane}-${n}@example.com`
      attempted.push(email)
      inFlight += 1
      try {
        const response = await fetch(`${base}/v1/sign-up`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: PASSWORD }),
          signal: AbortSignal.timeout(15_000),
        })
        await response.arrayBuffer()
        if (response.status === 201) acknowledged.push(email)
      } catch {
        // The process died under this request; what matters is what the file holds.
      } finally {
        inFlight -= 1
      }
      if (!killed && acknowledged.length >= KILL_AFTER) {
        killed = true
        inFlightAtKill = inFlight
        running.child.kill('SIGKILL')
      }
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, (_, lane) => worker(lane)))
  return { acknowledged, attempted, inFlightAtKill }
}

describe('crash consistency of the embedded SQLite store', () => {
  let dir: string
  let running: TesseraProcess | undefined

  beforeEach(() => {
    dir = testTempDir('tessera-crash-')
  })

  afterEach(async () => {
    if (running) await killTessera(running)
    running = undefined
    rmSync(dir, { recursive: true, force: true })
  })

  /** Starts Tessera on a fresh file, SIGKILLs it in the middle of a sign-up burst, and returns what was acknowledged. */
  async function crashMidBurst(file: string): Promise<Burst> {
    const started = await start(file, dir)
    running = started
    const burst = await signUpBurstUntilKilled(started.base, started)
    // Should the burst never reach KILL_AFTER, kill it here so the test fails on the checks below rather than hangs.
    const killedEarlier = hasExited(started)
    await killTessera(started)
    const exit = await started.exited
    // The kill, not some other failure, ended the process, and it landed mid-burst.
    expect(killedEarlier || burst.inFlightAtKill >= 0, started.output()).toBe(true)
    expect(exit.signal, started.output()).toBe('SIGKILL')
    expect(burst.acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER)
    expect(burst.inFlightAtKill).toBeGreaterThan(0)
    return burst
  }

  it('keeps every acknowledged sign-up, and no half-written one, after SIGKILL in the middle of a burst', async () => {
    const file = join(dir, 'tessera.db')
    const burst = await crashMidBurst(file)

    const db = new SQLite(file)
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      expect(db.pragma('foreign_key_check')).toEqual([])

      const emails = (db.prepare('select email from users').all() as { email: string }[]).map((row) => row.email)
      // Durability: every 201 is in the file (synchronous=FULL).
      expect(emails).toEqual(expect.arrayContaining(burst.acknowledged))
      // Nothing appears that nobody asked for.
      expect(burst.attempted).toEqual(expect.arrayContaining(emails))

      // Atomicity: a user, its credential, its session and their events commit together.
      const withoutCredential = db
        .prepare('select u.email from users u left join password_credentials p on p.user_id = u.id where p.user_id is null')
        .all()
      expect(withoutCredential).toEqual([])
      const withoutOneSession = db
        .prepare('select u.email, (select count(*) from sessions s where s.user_id = u.id) as n from users u where n != 1')
        .all()
      expect(withoutOneSession).toEqual([])
      const withoutOneCreatedEvent = db
        .prepare(
          `select u.email from users u
           where (select count(*) from event_outbox e where e.type = 'user.created' and e.user_id = u.id) != 1`,
        )
        .all()
      expect(withoutOneCreatedEvent).toEqual([])

      const count = (query: string) => (db.prepare(query).get() as { n: number }).n
      expect(count(`select count(*) as n from event_outbox where type = 'user.created'`)).toBe(emails.length)
      expect(count(`select count(*) as n from event_outbox where type = 'session.created'`)).toBe(
        count('select count(*) as n from sessions'),
      )
      expect(count('select count(*) as n from sessions s where not exists (select 1 from users u where u.id = s.user_id)')).toBe(0)
      expect(
        count(`select count(*) as n from event_outbox e
               where e.user_id is not null and not exists (select 1 from users u where u.id = e.user_id)`),
      ).toBe(0)
      expect(
        count('select count(*) as n from password_credentials p where not exists (select 1 from users u where u.id = p.user_id)'),
      ).toBe(0)
    } finally {
      db.close()
    }
  })

  it('starts again on the file of a killed process, and every acknowledged user can sign in', async () => {
    const file = join(dir, 'tessera.db')
    const burst = await crashMidBurst(file)

    const restarted = await start(file, dir)
    running = restarted
    for (const email of burst.acknowledged) {
      const response = await fetch(`${restarted.base}/v1/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD, transport: 'bearer' }),
      })
      expect(response.status, email).toBe(200)
      await response.arrayBuffer()
    }
    // An interrupted sign-up left no account behind that blocks its email.
    const acknowledged = new Set(burst.acknowledged)
    const retried = burst.attempted.find((email) => !acknowledged.has(email))
    expect(retried).toBeDefined()
    const response = await fetch(`${restarted.base}/v1/sign-up`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: retried, password: PASSWORD }),
    })
    // 201 if the interrupted sign-up never committed, 409 if it did: never anything else.
    expect([201, 409]).toContain(response.status)
  })
})
