import { afterEach, describe, expect, it } from 'vitest'
import { createTestServer, PASSWORD, signUp, type TestServer } from '../../test/test-server.js'
import { CLOCK_SKEW_MS } from '../housekeeping/retention-rules.js'
import { throttleRetentionMs } from './sign-in-throttle.js'

const WRONG = 'wrong horse battery staple'
// Three free failures, then 30 s doubling to at most 240 s: the count is kept (3 + 3) × 240 s = 24 min.
const POLICY = { freeFailures: 3, backoffBase: 30, backoffMax: 240 }
const RETENTION_MS = throttleRetentionMs({ freeFailures: 3, backoffBaseMs: 30_000, backoffMaxMs: 240_000 })

describe('housekeeping of the sign-in throttle', () => {
  let server: TestServer
  afterEach(async () => {
    await server.close()
  })

  const attempt = (password: string) =>
    server.app.inject({ method: 'POST', url: '/v1/sign-in', payload: { email: 'ann@example.com', password } })
  const throttleRows = async () => (await server.tessera.database.db.selectFrom('sign_in_throttle').select('key').execute()).length

  it('keeps a failure count while it still matters, and forgets it once the account has been quiet long enough', async () => {
    server = await createTestServer({ config: { signIn: POLICY } })
    await signUp(server.app, 'ann@example.com')
    for (let i = 0; i < 3; i++) expect((await attempt(WRONG)).statusCode).toBe(401)
    expect((await attempt(PASSWORD)).statusCode).toBe(429)

    // The lock has ended but the retention has not: housekeeping keeps the count, and the next
    // failure locks the account again at once (the fourth failure: a 60 s back-off).
    server.clock.advance(30_000)
    expect((await server.tessera.housekeeping.run()).purged.sign_in_throttle).toBeUndefined()
    expect((await attempt(WRONG)).statusCode).toBe(401)
    const locked = await attempt(PASSWORD)
    expect([locked.statusCode, locked.headers['retry-after']]).toEqual([429, '60'])

    // Quiet for the retention (and the clock allowance): the row goes, and the account starts afresh.
    server.clock.advance(RETENTION_MS + CLOCK_SKEW_MS)
    expect(await throttleRows()).toBe(1)
    expect((await server.tessera.housekeeping.run()).purged.sign_in_throttle).toBe(1)
    expect(await throttleRows()).toBe(0)
    for (let i = 0; i < 2; i++) expect((await attempt(WRONG)).statusCode).toBe(401)
    expect((await attempt(PASSWORD)).statusCode).toBe(200)
  })

  it('waits long enough that forgetting gives no more guesses than waiting cost', () => {
    // Defaults: 10 free failures, 1 s doubling to 900 s: ten back-offs to reach the cap, so 20 × 900 s.
    expect(throttleRetentionMs({ freeFailures: 10, backoffBaseMs: 1_000, backoffMaxMs: 900_000 })).toBe(5 * 3_600_000)
    expect(RETENTION_MS).toBe(24 * 60_000)
  })
})
