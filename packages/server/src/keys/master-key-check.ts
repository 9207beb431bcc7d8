import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto'
import type { Executor } from '../store/database.js'
import { decryptPrivateKey } from './key-encryption.js'
import { MasterKeyError } from './master-key.js'

/** Independent keys for independent purposes, all derived from the one master key (RFC 5869). */
export function subkey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `tessera/${purpose}`, 32))
}

/**
 * The value stored in `master_key_check` (migration 0022): an HMAC of a constant under a subkey
 * of its own. Equal values mean the same master key; the value says nothing else about the key.
 */
export function masterKeyCheckValue(master: Buffer): string {
  return createHmac('sha256', subkey(master, 'master-key-check')).update('tessera master key check v1').digest('base64url')
}

/** What a database says about the master key it was written under. */
export interface MasterKeyFacts {
  /** The stored check value, or null when none was written yet (a database older than 0022). */
  check: string | null
  /** One signing key, whose encrypted private key only the right master key opens. */
  signingKey: { kid: string; encryptedPrivateKey: string } | null
}

export type MasterKeyVerdict = 'match' | 'mismatch' | 'unverifiable'

/**
 * Whether `master` is the key the database's sealed data was written under: by the check value
 * (compared in constant time), or else by opening a signing key; 'unverifiable' when the database
 * holds neither (a new one).
 */
export function judgeMasterKey(master: Buffer, facts: MasterKeyFacts): MasterKeyVerdict {
  if (facts.check !== null) {
    const expected = Buffer.from(masterKeyCheckValue(master))
    const stored = Buffer.from(facts.check)
    return stored.length === expected.length && timingSafeEqual(stored, expected) ? 'match' : 'mismatch'
  }
  if (facts.signingKey === null) return 'unverifiable'
  try {
    decryptPrivateKey(subkey(master, 'signing-key-encryption'), facts.signingKey.kid, facts.signingKey.encryptedPrivateKey)
    return 'match'
  } catch {
    return 'mismatch'
  }
}

/** The facts of a database read row by row (a backup file: store/sqlite-backup.ts). */
export function masterKeyFactsFrom(read: (table: string, columns: readonly string[]) => Record<string, unknown>[]): MasterKeyFacts {
  const check = read('master_key_check', ['id', 'value']).find((row) => Number(row.id) === 1)
  const keys = read('signing_keys', ['kid', 'encrypted_private_key', 'created_at']).sort(
    (a, b) => Number(b.created_at) - Number(a.created_at),
  )
  const newest = keys[0]
  return {
    check: check ? String(check.value) : null,
    signingKey: newest ? { kid: String(newest.kid), encryptedPrivateKey: String(newest.encrypted_private_key) } : null,
  }
}

export const MASTER_KEY_MISMATCH =
  'The master key does not open this database: its signing keys, webhook secrets and second factors were sealed under another one. Configure the master key the database was created with (TESSERA_MASTER_KEY, or <dataDir>/master.key in development).'

/**
 * At start: refuses a master key that does not open the database, and writes the check value
 * when there is none yet, so `tessera restore` can compare a backup against the configured key.
 */
export async function ensureMasterKeyCheck(db: Executor, master: Buffer, now: number): Promise<void> {
  const stored = await db.selectFrom('master_key_check').select('value').where('id', '=', 1).executeTakeFirst()
  const signingKey = stored
    ? undefined
    : await db.selectFrom('signing_keys').select(['kid', 'encrypted_private_key']).orderBy('created_at', 'desc').limit(1).executeTakeFirst()
  const verdict = judgeMasterKey(master, {
    check: stored?.value ?? null,
    signingKey: signingKey ? { kid: signingKey.kid, encryptedPrivateKey: signingKey.encrypted_private_key } : null,
  })
  if (verdict === 'mismatch') throw new MasterKeyError(MASTER_KEY_MISMATCH)
  if (!stored) {
    await db
      .insertInto('master_key_check')
      .values({ id: 1, value: masterKeyCheckValue(master), created_at: now })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute()
    // Another instance, started at the same moment with another key, may have written first.
    const written = await db.selectFrom('master_key_check').select('value').where('id', '=', 1).executeTakeFirstOrThrow()
    if (judgeMasterKey(master, { check: written.value, signingKey: null }) !== 'match') throw new MasterKeyError(MASTER_KEY_MISMATCH)
  }
}
