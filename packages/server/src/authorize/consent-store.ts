import type { Executor } from '../store/database.js'

/** What a user has allowed a third-party application, remembered so SSO need not ask again. */
export interface ConsentStore {
  /** The scopes allowed so far, or null when never asked. */
  find(userId: string, clientId: string): Promise<string[] | null>
  /** Records the scopes allowed (the union with any allowed before). */
  grant(userId: string, clientId: string, scope: string[], now: number): Promise<void>
}

export function createConsentStore(db: Executor): ConsentStore {
  return {
    async find(userId, clientId) {
      const row = await db
        .selectFrom('consents')
        .select('scope')
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .executeTakeFirst()
      if (!row) return null
      return row.scope === '' ? [] : row.scope.split(' ')
    },
    async grant(userId, clientId, scope, now) {
      const before = (await this.find(userId, clientId)) ?? []
      const union = [...new Set([...before, ...scope])].join(' ')
      await db
        .insertInto('consents')
        .values({ user_id: userId, client_id: clientId, scope: union, updated_at: now })
        .onConflict((oc) => oc.columns(['user_id', 'client_id']).doUpdateSet({ scope: union, updated_at: now }))
        .execute()
    },
  }
}
