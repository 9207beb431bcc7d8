import type { Executor } from '../store/database.js'

export interface RecoveryCodeStore {
  /** Voids every code of the user and stores the new set (issue 13: a new set voids the old). */
  replaceAll(userId: string, hashes: readonly string[], now: number): Promise<void>
  /** Hashes of the user's unused codes. */
  listUnused(userId: string): Promise<string[]>
  /** Marks one code used, only if it was unused: a code is good once, even under a race. */
  markUsed(userId: string, hash: string, now: number): Promise<boolean>
  deleteAllOfUser(userId: string): Promise<number>
}

export function createRecoveryCodeStore(db: Executor): RecoveryCodeStore {
  return {
    async replaceAll(userId, hashes, now) {
      await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute()
      if (hashes.length === 0) return
      await db
        .insertInto('recovery_codes')
        .values(hashes.map((hash) => ({ user_id: userId, code_hash: hash, created_at: now, used_at: null })))
        .execute()
    },
    async listUnused(userId) {
      const rows = await db
        .selectFrom('recovery_codes')
        .select('code_hash')
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .execute()
      return rows.map((row) => row.code_hash)
    },
    async markUsed(userId, hash, now) {
      const result = await db
        .updateTable('recovery_codes')
        .set({ used_at: now })
        .where('user_id', '=', userId)
        .where('code_hash', '=', hash)
        .where('used_at', 'is', null)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async deleteAllOfUser(userId) {
      const result = await db.deleteFrom('recovery_codes').where('user_id', '=', userId).executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}
