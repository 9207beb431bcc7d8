import { describe, expect, it } from 'vitest'
import { createApi, createClient, createUser, refresh, serve, tokensFor } from '../../../test/oauth-fixture.js'
import { DIALECTS } from '../../../test/test-database.js'
import type { TestServer } from '../../../test/test-server.js'

/**
 * A rotation redeems a live token in one statement (refresh-token-store.ts `redeem`) before the
 * secret and the client are checked; a refusal rolls that back. These pin what must not change:
 * a wrong secret, another client or a dead token spends nothing, and concurrent presentations of
 * one token still rotate it once.
 */

async function usage(server: TestServer, token: string) {
  return server.tessera.database.db
    .selectFrom('refresh_tokens')
    .select(['used_at', 'revoked_at'])
    .where('id', '=', token.split('.')[0] as string)
    .executeTakeFirstOrThrow()
}

async function successorRows(server: TestServer, token: string) {
  return server.tessera.database.db
    .selectFrom('refresh_tokens')
    .select('id')
    .where('parent_id', '=', token.split('.')[0] as string)
    .execute()
}

/** The token with the same id and another secret of the same shape. */
function withWrongSecret(token: string): string {
  const [id, secret] = token.split('.') as [string, string]
  return `${id}.${secret.startsWith('A') ? 'B' : 'A'}${secret.slice(1)}`
}

/** Who presents the token: its client with the right secret or a wrong one, or another client. */
type Presenter = 'client' | 'wrong secret' | 'other client'

/**
 * The right presentation among refusals, one at a time (the refusals first, then the token must be
 * as it was) or all at once: either way it rotates once, and its successor is not taken for reuse.
 */
const PRESENTATIONS: { name: string; presenters: Presenter[]; concurrent: boolean }[] = [
  {
    name: 'spends nothing on a live token presented with a wrong secret or by another client: it rotates after, once',
    presenters: ['wrong secret', 'other client', 'client'],
    concurrent: false,
  },
  {
    name: 'rotates once when the right secret races with wrong ones and another client: one successor, the family intact',
    presenters: Array.from({ length: 12 }, (_, i) => (['client', 'wrong secret', 'other client'] as const)[i % 3] as Presenter),
    concurrent: true,
  },
]

for (const dialect of DIALECTS) {
  describe.concurrent(`refresh-token redemption on ${dialect}`, () => {
    for (const { name, presenters, concurrent } of PRESENTATIONS) {
      it(name, async ({ onTestFinished }) => {
        const server = await serve(onTestFinished, dialect)
        await createApi(server)
        const client = await createClient(server)
        const thief = await createClient(server)
        const first = (await tokensFor(server, client, await createUser(server))).refresh_token
        const present = (presenter: Presenter) =>
          presenter === 'client'
            ? refresh(server, client, first)
            : presenter === 'wrong secret'
              ? refresh(server, client, withWrongSecret(first))
              : refresh(server, thief, first)
        const responses = []
        if (concurrent) responses.push(...(await Promise.all(presenters.map(present))))
        else
          for (const presenter of presenters) {
            if (presenter === 'client') {
              expect(await usage(server, first)).toEqual({ used_at: null, revoked_at: null })
              expect(await successorRows(server, first)).toHaveLength(0)
            }
            responses.push(await present(presenter))
          }
        const successors = new Set<string>()
        responses.forEach((response, i) => {
          if (presenters[i] === 'client') {
            expect(response.statusCode, response.body).toBe(200)
            successors.add(response.json().refresh_token)
          } else {
            expect(response.statusCode, response.body).toBe(400)
            expect(response.json().error).toBe('invalid_grant')
          }
        })
        expect(successors.size).toBe(1)
        expect(await successorRows(server, first)).toHaveLength(1)
        expect((await usage(server, first)).used_at).toBe(server.clock.now())
        // Not taken for reuse: the successor works.
        expect((await refresh(server, client, [...successors][0] as string)).statusCode).toBe(200)
      })
    }

    it('refuses a token at the instant it idles out, and does not mark it used', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect, { tokens: { refreshTokenIdleTtl: 600 } })
      await createApi(server)
      const client = await createClient(server)
      const first = (await tokensFor(server, client, await createUser(server))).refresh_token
      server.clock.advance(600_000)
      const refused = await refresh(server, client, first)
      expect(refused.statusCode, refused.body).toBe(400)
      expect(refused.json().error).toBe('invalid_grant')
      expect(await usage(server, first)).toEqual({ used_at: null, revoked_at: null })
    })

    // Issue 17: rotations run as members of one group commit on SQLite (store/sqlite-group-commit.ts).
    it('rotates many chains at once: every rotation succeeds, once, and every successor rotates again', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      await createApi(server)
      const client = await createClient(server)
      const user = await createUser(server)
      const starts = await Promise.all(Array.from({ length: 8 }, async () => (await tokensFor(server, client, user)).refresh_token))
      let tokens = starts
      for (let round = 0; round < 2; round++) {
        const responses = await Promise.all(tokens.map((token) => refresh(server, client, token)))
        for (const response of responses) expect(response.statusCode, response.body).toBe(200)
        for (const token of tokens) expect(await successorRows(server, token)).toHaveLength(1)
        tokens = responses.map((response) => response.json().refresh_token)
        expect(new Set(tokens).size).toBe(8)
      }
    })

    it('rotates a token presented twice at once only once, and a replay after the grace window revokes the family', async ({
      onTestFinished,
    }) => {
      const server = await serve(onTestFinished, dialect, { tokens: { refreshGracePeriod: 10 } })
      await createApi(server)
      const client = await createClient(server)
      const first = (await tokensFor(server, client, await createUser(server))).refresh_token
      const [a, b] = await Promise.all([refresh(server, client, first), refresh(server, client, first)])
      expect(a?.statusCode, a?.body).toBe(200)
      expect(b?.statusCode, b?.body).toBe(200)
      // RFC 9700 §4.14.2 with a grace window: the replay gets the same single successor.
      expect(a?.json().refresh_token).toBe(b?.json().refresh_token)
      expect(await successorRows(server, first)).toHaveLength(1)
      server.clock.advance(11_000)
      const replay = await refresh(server, client, first)
      expect(replay.statusCode, replay.body).toBe(400)
      expect(replay.json().error).toBe('invalid_grant')
      const successor = await refresh(server, client, a?.json().refresh_token)
      expect(successor.statusCode, successor.body).toBe(400)
      expect((await usage(server, first)).revoked_at).toBe(server.clock.now())
    })
  })
}
