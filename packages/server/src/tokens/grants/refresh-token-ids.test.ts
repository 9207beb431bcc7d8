import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { refresh, serve, tokensFor } from '../../../test/oauth-fixture.js'
import { DIALECTS } from '../../../test/test-database.js'
import type { TestServer } from '../../../test/test-server.js'
import { expectOAuthError, world } from '../../../test/token-endpoint-fixture.js'

/**
 * The rows a rotation appends are keyed by ids that sort by their issue time (shared/ordered-id.ts,
 * docs/architecture.md §12), while rows recorded under random ids by earlier builds keep working.
 */

const idOf = (token: string) => token.split('.')[0] as string
const secretOf = (token: string) => token.split('.')[1] as string

/** An id as builds before ordered ids drew them: 16 random bytes in base64url. */
const legacyId = () => randomBytes(16).toString('base64url')

/** Gives a stored refresh token another id, as if an earlier build had recorded it under that one. */
async function renameRefreshToken(server: TestServer, from: string, to: string, family = false): Promise<void> {
  const db = server.tessera.database.db
  await db.updateTable('refresh_tokens').set({ id: to }).where('id', '=', from).execute()
  await db.updateTable('refresh_tokens').set({ parent_id: to }).where('parent_id', '=', from).execute()
  if (!family) return
  await db.updateTable('refresh_tokens').set({ family_id: to }).where('family_id', '=', from).execute()
  await db.updateTable('access_tokens').set({ family_id: to }).where('family_id', '=', from).execute()
}

/** Plain string order, as SQLite compares text (BINARY); PostgreSQL's collation may differ. */
const inStringOrder = (ids: string[]) => [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))

for (const dialect of DIALECTS) {
  describe.concurrent(`refresh token and access token ids on ${dialect}`, () => {
    it('records refresh tokens and access tokens under ids that sort by their issue time', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      let token = (await tokensFor(server, client, user)).refresh_token
      // Steps that carry each character of the time prefix: 1 ms, 64 ms, 4.1 s, 3.2 min.
      for (const step of [1, 1, 63, 1, 4096, 1, 262_144, 1]) {
        server.clock.advance(step)
        const rotated = await refresh(server, client, token)
        expect(rotated.statusCode, rotated.body).toBe(200)
        token = rotated.json().refresh_token
      }
      const db = server.tessera.database.db
      const refreshIds = (await db.selectFrom('refresh_tokens').select('id').orderBy('created_at').execute()).map((row) => row.id)
      const jtis = (await db.selectFrom('access_tokens').select('jti').orderBy('created_at').execute()).map((row) => row.jti)
      expect(refreshIds).toHaveLength(9)
      expect(jtis).toHaveLength(9)
      expect(inStringOrder(refreshIds)).toEqual(refreshIds)
      expect(inStringOrder(jtis)).toEqual(jtis)
    })

    it('refreshes a token recorded under a random id by an earlier build, and revokes its family on reuse', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const first = (await tokensFor(server, client, user)).refresh_token
      const old = legacyId()
      await renameRefreshToken(server, idOf(first), old, true)
      const presented = `${old}.${secretOf(first)}`

      const rotated = await refresh(server, client, presented)
      expect(rotated.statusCode, rotated.body).toBe(200)
      const successor = rotated.json().refresh_token as string
      const row = await server.tessera.database.db
        .selectFrom('refresh_tokens')
        .select(['parent_id', 'family_id'])
        .where('id', '=', idOf(successor))
        .executeTakeFirstOrThrow()
      expect(row).toEqual({ parent_id: old, family_id: old })

      server.clock.advance(server.tessera.config.tokens.refreshGracePeriod * 1000 + 1)
      expectOAuthError(await refresh(server, client, presented), 400, 'invalid_grant')
      expectOAuthError(await refresh(server, client, successor), 400, 'invalid_grant')
    })

    it('answers a replay within the grace window with the successor as recorded, even under an id of an earlier build', async ({
      onTestFinished,
    }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const first = (await tokensFor(server, client, user)).refresh_token
      const rotated = await refresh(server, client, first)
      expect(rotated.statusCode, rotated.body).toBe(200)
      const second = rotated.json().refresh_token as string
      const old = legacyId()
      await renameRefreshToken(server, idOf(second), old)

      server.clock.advance(1_000) // inside the default 5 s grace window, a later millisecond
      const replay = await refresh(server, client, first)
      expect(replay.statusCode, replay.body).toBe(200)
      expect(replay.json().refresh_token).toBe(`${old}.${secretOf(second)}`)
      const next = await refresh(server, client, replay.json().refresh_token)
      expect(next.statusCode, next.body).toBe(200)
    })
  })
}
