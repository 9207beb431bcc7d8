import type { Executor } from '../store/database.js'

export interface ThrottleState {
  failures: number
  lockedUntil: number | null
}

/** Consecutive failed sign-ins per account key. Lives in the database so every instance shares it. */
export interface SignInThrottleStore {
  get(key: string): Promise<ThrottleState | null>
  put(key: string, state: ThrottleState, now: number): Promise<void>
  clear(key: string): Promise<void>
}

export function createSignInThrottleStore(db: Executor): SignInThrottleStore {
  return {
    async get(key) {
      const row = await db.selectFrom('sign_in_throttle').select(['failures', 'locked_until']).where('key', '=', key).executeTakeFirst()
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
    async clear(key) {
      await db.deleteFrom('sign_in_throttle').where('key', '=', key).execute()
    },
  }
}
