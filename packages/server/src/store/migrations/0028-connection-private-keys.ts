import type { Kysely, Migration } from 'kysely'

/**
 * `private_key_jwt` at the upstream (issue 15, RFC 7523 §2.2, OIDC Core §9): a connection may hold a
 * private key instead of a client secret, sealed at rest like the secret (AES-256-GCM under the
 * connections' subkey, bound to the row id). Null for a connection that authenticates otherwise.
 */
export function connectionPrivateKeys(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('connections').addColumn('private_key_sealed', 'text').execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('connections').dropColumn('private_key_sealed').execute()
    },
  }
}
