import type { Executor } from '../store/database.js'

export interface PasswordCredential {
  userId: string
  hash: string
  status: 'active' | 'disabled'
}

/**
 * The only store that reads password hashes (split by privilege: code that lists users never
 * receives it).
 */
export interface PasswordCredentialStore {
  findByEmail(email: string): Promise<PasswordCredential | null>
  set(userId: string, hash: string, now: number): Promise<void>
}

export function createPasswordCredentialStore(db: Executor): PasswordCredentialStore {
  return {
    async findByEmail(email) {
      const row = await db
        .selectFrom('users')
        .innerJoin('password_credentials', 'password_credentials.user_id', 'users.id')
        .select(['users.id as userId', 'password_credentials.hash as hash', 'users.status as status'])
        .where('users.email', '=', email)
        .executeTakeFirst()
      return row ?? null
    },
    async set(userId, hash, now) {
      await db
        .insertInto('password_credentials')
        .values({ user_id: userId, hash, updated_at: now })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ hash, updated_at: now }))
        .execute()
    },
  }
}
