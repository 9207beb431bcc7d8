import { compileOnce } from '../store/compiled-query.js'
import type { Executor } from '../store/database.js'

export interface ThrottleState {
  failures: number
  lockedUntil: number | null
}

/** Consecutive failed sign-ins per account key. Lives in the database so every instance shares it. */
export interface SignInThrottleStore {
  get(key: string): Promise<ThrottleState | null>
  put(key: string, state: ThrottleState, now: number): Promise<void>
  /**
   * Adds one failure atomically and returns the new count; the row stays locked until the
   * transaction ends, so concurrent failures can neither be lost nor interleave.
   */
  countFailure(key: string, now: number): Promise<number>
  clear(key: string): Promise<void>
}

export function createSignInThrottleStore(db: Executor): SignInThrottleStore {
  // Read before every password and client-secret check (store/compiled-query.ts).
  const byKey = compileOnce(() => db.selectFrom('sign_in_throttle').select(['failures', 'locked_until']).where('key', '=', ''))
  return {
    async get(key) {
      const row = (await db.executeQuery(byKey(key))).rows[0]
      return row ? { failures: row.failures, lockedUntil: row.locked_until } : null
    },
    async put(key, state, now) {
      const values = { failures: state.failures, locked_until: state.lockedUntil, updated_at: now }
      await db
        .insertInto('sign_in_throttle')
        .values({ key, ...values })
        .onConflict((oc) => oc.column('key').doUpdateSet(values))
        .execute()
    },
    async countFailure(key, now) {
      const row = await db
        .insertInto('sign_in_throttle')
        .values({ key, failures: 1, locked_until: null, updated_at: now })
        .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ failures: eb('sign_in_throttle.failures', '+', 1), updated_at: now })))
        .returning('failures')
        .executeTakeFirstOrThrow()
      return row.failures
    },
    async clear(key) {
      await db.deleteFrom('sign_in_throttle').where('key', '=', key).execute()
    },
  }
}
