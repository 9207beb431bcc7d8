import type { Executor } from '../store/database.js'

/** Fixed-window request counters, keyed by a hash (accounts/account-token.ts `counterKey`). */
export interface RequestCounterStore {
  /** Counts one request in the window that holds `now`; returns the count in that window. */
  hit(key: string, windowMs: number, now: number): Promise<number>
}

export function createRequestCounterStore(db: Executor): RequestCounterStore {
  return {
    async hit(key, windowMs, now) {
      const start = now - (now % windowMs)
      // One statement either way, so two racing requests cannot both see a fresh window.
      await db
        .insertInto('account_request_counters')
        .values({ key, count: 1, window_start: start })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet((eb) => ({
            count: eb
              .case()
              .when('account_request_counters.window_start', '=', start)
              .then(eb('account_request_counters.count', '+', 1))
              .else(1)
              .end(),
            window_start: start,
          })),
        )
        .execute()
      const row = await db.selectFrom('account_request_counters').select('count').where('key', '=', key).executeTakeFirst()
      return row?.count ?? 1
    },
  }
}
