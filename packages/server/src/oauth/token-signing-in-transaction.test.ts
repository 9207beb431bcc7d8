import { decodeProtectedHeader } from 'jose'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { exchange, refresh, serve, tokensFor } from '../../test/oauth-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import type { TestServer } from '../../test/test-server.js'
import { countRows, verifyAsResourceServer, world } from '../../test/token-endpoint-fixture.js'

/**
 * Rotation and token exchange sign their access token inside their transaction, on the event loop
 * (keys/jwt-signer.ts, docs/architecture.md §12). The token is still answered only after the
 * COMMIT that holds its rows, and a COMMIT that fails answers no token and spends nothing.
 */

/** Makes every COMMIT that holds a new access-token row fail, as a deferred constraint would. */
async function failCommitsWithAccessTokens(server: TestServer, dialect: string): Promise<() => Promise<void>> {
  const db = server.tessera.database.db
  if (dialect === 'sqlite') {
    // A deferred foreign key is checked at COMMIT (sqlite.org/foreignkeys.html §4.2), not at the
    // RELEASE of the group member's savepoint.
    await sql`create table commit_guard (missing integer references no_such_row (id) deferrable initially deferred)`.execute(db)
    await sql`create table no_such_row (id integer primary key)`.execute(db)
    await sql`create trigger refuse_commit after insert on access_tokens begin insert into commit_guard values (1); end`.execute(db)
    return async () => {
      await sql`drop trigger refuse_commit`.execute(db)
    }
  }
  await sql`create function refuse_commit() returns trigger language plpgsql as $$ begin raise exception 'refused at commit'; end $$`.execute(
    db,
  )
  await sql`create constraint trigger refuse_commit after insert on access_tokens deferrable initially deferred for each row execute function refuse_commit()`.execute(
    db,
  )
  return async () => {
    await sql`drop trigger refuse_commit on access_tokens`.execute(db)
  }
}

for (const dialect of DIALECTS) {
  describe.concurrent(`signing inside the grant's transaction on ${dialect}`, () => {
    it('issues, in concurrent rotations, access tokens that verify with the published JWKS', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const chains = await Promise.all(Array.from({ length: 8 }, () => tokensFor(server, client, user)))
      // Concurrent: on SQLite they share group commits, each signing inside its own member.
      const rotated = await Promise.all(chains.map((tokens) => refresh(server, client, tokens.refresh_token)))
      const kid = (await server.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json().keys[0].kid
      for (const [i, response] of rotated.entries()) {
        expect(response.statusCode, response.body).toBe(200)
        const { access_token: accessToken } = response.json()
        const { payload, protectedHeader } = await verifyAsResourceServer(server, accessToken)
        expect(protectedHeader).toEqual({ alg: 'ES256', kid, typ: 'at+jwt' })
        expect(payload.sub).toBe(user.id)
        expect(decodeProtectedHeader(chains[i]?.access_token as string).kid).toBe(kid)
        await verifyAsResourceServer(server, chains[i]?.access_token as string)
      }
    })

    it('answers no token when the COMMIT fails, and spends nothing: the refresh token rotates once the store commits again', async ({
      onTestFinished,
    }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const tokens = await tokensFor(server, client, user)
      const before = await countRows(server)
      const restore = await failCommitsWithAccessTokens(server, dialect)

      const failed = await refresh(server, client, tokens.refresh_token)
      expect(failed.statusCode).toBe(500)
      expect(failed.body).not.toMatch(/access_token|refresh_token|eyJ/)
      const exchanged = await exchange(server, client, user.token)
      expect(exchanged.statusCode).toBe(500)
      expect(exchanged.body).not.toMatch(/access_token|refresh_token|eyJ/)
      expect(await countRows(server)).toEqual(before)

      await restore()
      // Not consumed: presenting it again is a rotation, not reuse.
      const retried = await refresh(server, client, tokens.refresh_token)
      expect(retried.statusCode, retried.body).toBe(200)
      await verifyAsResourceServer(server, retried.json().access_token)
    })
  })
}
