import { type Kysely, type Migration, sql } from 'kysely'

// Literal values only: a migration is permanent, and must not change when domain code does.
const CLIENT_ID = 'tessera-admin-console'

/**
 * Registers the admin console as a built-in public client: a single-page app allowed the
 * authorization code grant with PKCE and refresh tokens, for the admin API (urn:tessera:admin)
 * with admin:read and admin:write (a user's token carries only what their roles grant). It is
 * first party, so it shows no consent screen. Its redirect URIs are derived from the issuer at
 * run time (console/console-client.ts), so they are stored empty.
 */
export function consoleClient(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const now = Date.now()
      await sql`insert into applications (id, name, type, secret_hash, grants, redirect_uris, apis, scopes,
        access_token_ttl, refresh_token_ttl, first_party, post_logout_redirect_uris, created_at, updated_at)
        values (${CLIENT_ID}, ${'Tessera admin console'}, ${'spa'}, ${null}, ${'["authorization_code","refresh_token"]'}, ${'[]'},
        ${'["urn:tessera:admin"]'}, ${'["admin:read","admin:write"]'}, ${null}, ${null}, ${1}, ${'[]'}, ${now}, ${now})`.execute(db)
    },
    async down(db: Kysely<unknown>) {
      await sql`delete from applications where id = ${CLIENT_ID}`.execute(db)
    },
  }
}
