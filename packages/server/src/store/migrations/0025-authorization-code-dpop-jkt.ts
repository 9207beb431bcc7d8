import type { Kysely, Migration } from 'kysely'

/**
 * RFC 9449 §10 (issue 16): an authorization code bound to a DPoP key by the `dpop_jkt`
 * authorization request parameter (or the DPoP proof of a pushed request) keeps that key's
 * thumbprint; the token request must prove that key.
 */
export function authorizationCodeDpopJkt(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('authorization_codes').addColumn('dpop_jkt', 'text').execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('authorization_codes').dropColumn('dpop_jkt').execute()
    },
  }
}
