import { describe, expect, it } from 'vitest'
import { ADAPTERS } from '../../test/adapter-servers.js'
import { createFixture } from '../../test/verifier-fixture.js'
import type { RequireAuthOptions } from './require-auth-options.js'

const HOUR = 3_600_000

/**
 * A request whose token the verifier already holds as verified skips the header's syntax scan and
 * answers without a promise (docs/architecture.md §9, SDK rows). Every rule of a full request still
 * holds on that path, in every adapter: each test first makes the token a cache hit.
 */
for (const [name, serve] of Object.entries(ADAPTERS)) {
  describe(`a cached token through ${name}`, () => {
    async function setup(options: RequireAuthOptions = {}) {
      const fixture = await createFixture({ mode: 'hybrid' })
      await fixture.verifier.ready()
      const send = await serve(fixture.verifier, { clock: fixture.clock, ...options })
      const bearer = (token: string) => send({ authorization: `Bearer ${token}` })
      return { ...fixture, send, bearer }
    }

    it('is refused as soon as the feed revokes it', async () => {
      const { token, bearer, tessera, clock } = await setup()
      const good = await token({ sid: 'session-9' })
      expect((await bearer(good)).status).toBe(200)
      expect((await bearer(good)).status).toBe(200)
      tessera.feed.append({ kind: 'session', sid: 'session-9', createdAt: clock.now(), expiresAt: clock.now() + HOUR })
      await expect.poll(async () => (await bearer(good)).code, { interval: 5 }).toBe('token_revoked')
    })

    it('is refused once it expires, and while the feed is stale', async () => {
      const { token, bearer, clock, tessera, verifier } = await setup()
      const good = await token()
      expect((await bearer(good)).status).toBe(200)
      // The token lapses (exp + leeway, 5 s) while the feed stays fresh: a heartbeat after the jump.
      clock.advance(306_000)
      tessera.feed.heartbeat()
      await expect.poll(() => verifier.staleness(), { interval: 5 }).toBe(0)
      expect(await bearer(good)).toMatchObject({ status: 401, code: 'token_expired' })
      const fresh = await token()
      expect((await bearer(fresh)).status).toBe(200)
      // No event for longer than maxStaleness (30 s): fail closed (docs/sdk.md).
      clock.advance(30_001)
      expect(await bearer(fresh)).toMatchObject({ status: 503, code: 'stale_revocation_feed' })
    })

    it('still needs the route’s scopes and a DPoP proof for a bound token', async () => {
      const { token, bearer, verifier, send } = await setup()
      const bound = await token({ cnf: { jkt: 'a'.repeat(43) } })
      await verifier.verify(bound)
      expect(await bearer(bound)).toMatchObject({ status: 401, code: 'invalid_dpop_proof' })
      const good = await token()
      expect((await bearer(good)).status).toBe(200)
      const admin = await serve(verifier, { scopes: ['orders:admin'] })
      expect(await admin({ authorization: `Bearer ${good}` })).toMatchObject({ status: 403, code: 'insufficient_scope' })
      const required = await serve(verifier, { dpop: 'required' })
      expect(await required({ authorization: `Bearer ${good}` })).toMatchObject({ status: 401, code: 'dpop_required' })
      expect((await send({ authorization: `Bearer ${good}` })).status).toBe(200)
    })

    it('is read from the header exactly as an uncached one is', async () => {
      const { token, send, bearer } = await setup()
      const good = await token()
      expect((await bearer(good)).status).toBe(200)
      for (const accepted of [`bearer ${good}`, `Bearer   ${good}`, ` Bearer ${good} `]) {
        expect((await send({ authorization: accepted })).status).toBe(200)
      }
      for (const malformed of [`Bearer ${good} x`, `Bearer ${good},`, `Bearer ${good}\t${good}`]) {
        expect(await send({ authorization: malformed })).toMatchObject({ status: 400, code: 'invalid_request' })
      }
      expect(await send({ authorization: `Basic ${good}` })).toMatchObject({ status: 401, code: 'missing_token' })
    })

    it('is refused once the verifier is closed', async () => {
      const { token, bearer, verifier } = await setup()
      const good = await token()
      expect((await bearer(good)).status).toBe(200)
      await verifier.close()
      expect(await bearer(good)).toMatchObject({ status: 503, code: 'verifier_unavailable' })
    })
  })
}
