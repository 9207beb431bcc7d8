import type { Kysely, Migration } from 'kysely'

/**
 * Issue 16: a refresh family remembers the OpenID scopes of its grant, so a refresh can return a
 * new ID token (OIDC Core §12.2); roles may be marked default, given to every new account; opaque access tokens keep the
 * `roles` claim their API asks for, so introspection returns it.
 */
export function refreshIdTokenDefaultRoles(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // Space-separated `openid` (and `email`, `profile`) of the grant; null when it had no `openid`.
      await db.schema.alterTable('refresh_tokens').addColumn('id_token_scope', 'text').execute()
      // Space-separated role names of an opaque token of an API that asks for the `roles` claim; null otherwise.
      await db.schema.alterTable('access_tokens').addColumn('roles', 'text').execute()
      await db.schema
        .alterTable('roles')
        .addColumn('is_default', 'integer', (col) => col.notNull().defaultTo(0))
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('roles').dropColumn('is_default').execute()
      await db.schema.alterTable('access_tokens').dropColumn('roles').execute()
      await db.schema.alterTable('refresh_tokens').dropColumn('id_token_scope').execute()
    },
  }
}
