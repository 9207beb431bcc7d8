import { type Selectable, sql } from 'kysely'
import type { Executor, SigningKeysTable } from '../store/database.js'
import type { SigningKey } from './signing-key.js'

export interface SigningKeyStore {
  insert(key: SigningKey): Promise<void>
  /** Every key not yet removed, oldest first. */
  listCurrent(): Promise<SigningKey[]>
  /** Every key, including removed and revoked ones, oldest first. */
  listAll(): Promise<SigningKey[]>
  findByKid(kid: string): Promise<SigningKey | null>
  update(kid: string, patch: Partial<Pick<SigningKey, 'state' | 'activatesAt' | 'retiredAt' | 'removeAfter' | 'revokedAt'>>): Promise<void>
  /**
   * Inside a transaction: waits until no other transaction is changing the key set, and holds
   * that until commit, so two instances applying the schedule at once cannot both create a key.
   */
  lockKeySet(): Promise<void>
}

/**
 * PostgreSQL: an advisory lock, since there may be no row to lock (first start). SQLite has a
 * single writer: a transaction that read a key set another has since changed cannot commit.
 */
const KEY_SET_LOCK = 7_247_002

export function createSigningKeyStore(db: Executor, dialect: 'sqlite' | 'postgres' = 'sqlite'): SigningKeyStore {
  return {
    async lockKeySet() {
      if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(${KEY_SET_LOCK})`.execute(db)
    },
    async insert(key) {
      await db
        .insertInto('signing_keys')
        .values({
          kid: key.kid,
          alg: key.alg,
          state: key.state,
          public_jwk: JSON.stringify(key.publicJwk),
          encrypted_private_key: key.encryptedPrivateKey,
          created_at: key.createdAt,
          activates_at: key.activatesAt,
          retired_at: key.retiredAt,
          remove_after: key.removeAfter,
          revoked_at: key.revokedAt,
        })
        .execute()
    },
    async listCurrent() {
      const rows = await db
        .selectFrom('signing_keys')
        .selectAll()
        .where('state', '!=', 'removed')
        .orderBy('created_at')
        .orderBy('kid')
        .execute()
      return rows.map(toKey)
    },
    async listAll() {
      return (await db.selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('kid').execute()).map(toKey)
    },
    async findByKid(kid) {
      const row = await db.selectFrom('signing_keys').selectAll().where('kid', '=', kid).executeTakeFirst()
      return row ? toKey(row) : null
    },
    async update(kid, patch) {
      await db
        .updateTable('signing_keys')
        .set({
          ...(patch.state !== undefined ? { state: patch.state } : {}),
          ...(patch.activatesAt !== undefined ? { activates_at: patch.activatesAt } : {}),
          ...(patch.retiredAt !== undefined ? { retired_at: patch.retiredAt } : {}),
          ...(patch.removeAfter !== undefined ? { remove_after: patch.removeAfter } : {}),
          ...(patch.revokedAt !== undefined ? { revoked_at: patch.revokedAt } : {}),
        })
        .where('kid', '=', kid)
        .execute()
    },
  }
}

function toKey(row: Selectable<SigningKeysTable>): SigningKey {
  return {
    kid: row.kid,
    alg: row.alg,
    state: row.state,
    publicJwk: JSON.parse(row.public_jwk),
    encryptedPrivateKey: row.encrypted_private_key,
    createdAt: row.created_at,
    activatesAt: row.activates_at,
    retiredAt: row.retired_at,
    removeAfter: row.remove_after,
    revokedAt: row.revoked_at,
  }
}
