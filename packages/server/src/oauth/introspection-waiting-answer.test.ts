import { describe, expect, it } from 'vitest'
import { introspect, SESSION_API, serve, sessionApiWorld, tokensFor } from '../../test/oauth-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import type { TestServer } from '../../test/test-server.js'
import { expectOAuthError } from '../../test/token-endpoint-fixture.js'
import type { AccessTokenStore } from '../tokens/access-token-store.js'

// `POST /oauth/introspect` sends an answer that had to wait (PostgreSQL's batched read, a read-cache
// miss on SQLite) from the reaction that judged it, and a failed wait as Fastify sends a rejected
// handler's (oauth/token-routes.ts): the same answer as one that did not wait, and an error answer,
// never a request left hanging.

/** The store introspection reads through; its read may be replaced for a test, and is restored after. */
function failReads(server: TestServer, failure: () => Promise<never>, onTestFinished: (fn: () => void) => void) {
  const store = server.tessera.stores.accessTokens as AccessTokenStore
  const read = store.findByJtiWithBinding
  store.findByJtiWithBinding = failure
  onTestFinished(() => {
    store.findByJtiWithBinding = read
  })
  return () => {
    store.findByJtiWithBinding = read
  }
}

/**
 * A session-mode token and the resource server that introspects it. `held`: the config cache on, as
 * a running server has it (its revocation signals enable it), so the caller is authenticated without
 * a wait once read; off, every authentication waits for the client's read too.
 */
async function activeToken(server: TestServer, held: boolean) {
  if (held) server.tessera.services.configCache.enable()
  const { user, client, resourceServer } = await sessionApiWorld(server)
  const { access_token: token } = await tokensFor(server, client, user, { resource: SESSION_API })
  if (held) expect((await introspect(server, resourceServer, token)).json().active).toBe(true)
  return { token, resourceServer }
}

for (const [dialect, held] of DIALECTS.flatMap((each) => [false, true].map((cached) => [each, cached] as const))) {
  describe.concurrent(`introspection that waits for its read on ${dialect}, config cache ${held ? 'on' : 'off'}`, () => {
    it('sends the same answer whether its read waited or not, as JSON that must not be cached', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { token, resourceServer } = await activeToken(server, held)
      // The first read waits on both dialects (SQLite's cache is empty); on SQLite the later ones do not.
      const answers = []
      for (let i = 0; i < 3; i++) answers.push(await introspect(server, resourceServer, token))
      // And several at once, which PostgreSQL reads in one query.
      answers.push(...(await Promise.all([1, 2, 3].map(() => introspect(server, resourceServer, token)))))
      for (const answer of answers) {
        expect(answer.statusCode, answer.body).toBe(200)
        expect(answer.headers['content-type']).toBe('application/json; charset=utf-8')
        expect(answer.headers['cache-control']).toBe('no-store')
        expect(answer.json().active).toBe(true)
        expect(answer.body).toBe(answers[0]?.body)
      }
    })

    it('answers server_error when its read fails, and the next introspection as before', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { token, resourceServer } = await activeToken(server, held)
      const restore = failReads(server, () => Promise.reject(new Error('the store is away')), onTestFinished)
      const failed = await Promise.all([1, 2].map(() => introspect(server, resourceServer, token)))
      for (const answer of failed) expectOAuthError(answer, 500, 'server_error')
      restore()
      const again = await introspect(server, resourceServer, token)
      expect(again.statusCode, again.body).toBe(200)
      expect(again.json().active).toBe(true)
    })

    it('answers server_error, not a hanging request, when its read fails with something that is no Error', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { token, resourceServer } = await activeToken(server, held)
      failReads(server, () => Promise.reject('not an Error'), onTestFinished)
      expectOAuthError(await introspect(server, resourceServer, token), 500, 'server_error')
    })
  })
}
