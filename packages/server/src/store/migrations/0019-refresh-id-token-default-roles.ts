import type { Kysely, Migration } from 'kysely'

/**
 * Issue 16: a refresh family remembers the OpenID scopes of its grant, so a refresh can return a
 * new ID token (OIDC Core §12.2); roles may be marked default, given to every new account.
 */
export function refreshIdTokenDefaultRoles(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // Space-separated `openid` (and `email`, `profile`) of the grant; null when it had no `openid`.
      await db.schema.alterTable('refresh_tokens').addColumn('id_token_scope', 'text').execute()
      await db.schema
        .alterTable('roles')
        .addColumn('is_default', 'integer', (col) => col.notNull().defaultTo(0))
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('roles').dropColumn('is_default').execute()
      await db.schema.alterTable('refresh_tokens').dropColumn('id_token_scope').execute()
    },
  }
}
