import type { Kysely, Migration } from 'kysely'

/**
 * Encrypted access tokens (JWE, issue 16 part 7): an API's public encryption key, and, for each
 * encrypted token issued, the SHA-256 of the token as sent and the kid that signed its inner JWT.
 * Tessera never holds the key that decrypts them, so introspection and revocation find an
 * encrypted token by that digest (docs/tokens.md "Encrypted access tokens").
 */
export function encryptedAccessTokens(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('apis').addColumn('encryption_key', 'text').execute()
      await db.schema.alterTable('access_tokens').addColumn('token_hash', 'text').execute()
      await db.schema.alterTable('access_tokens').addColumn('signing_kid', 'text').execute()
      await db.schema.createIndex('access_tokens_token_hash').unique().on('access_tokens').column('token_hash').execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('access_tokens_token_hash').execute()
      await db.schema.alterTable('access_tokens').dropColumn('signing_kid').execute()
      await db.schema.alterTable('access_tokens').dropColumn('token_hash').execute()
      await db.schema.alterTable('apis').dropColumn('encryption_key').execute()
    },
  }
}
