import { describe, expect, it, vi } from 'vitest'
import type { FeedEntry } from '../../test/fake-tessera.js'
import { CLIENT, codeOf, createFixture } from '../../test/verifier-fixture.js'

const HOUR = 3_600_000
const FEED = '/v1/revocations'

/** Entry fields for a revocation committed now that lapses in an hour. */
function live(now: number) {
  return { createdAt: now, expiresAt: now + HOUR }
}

describe('hybrid mode: local verification plus the revocation feed', () => {
  it('subscribes with the resource server’s credentials and accepts tokens once the snapshot is in', async () => {
    const { verifier, token, tessera } = await createFixture({ mode: 'hybrid' })
    await verifier.ready()
    await expect(verifier.verify(await token())).resolves.toMatchObject({ subject: 'user-1' })
    const [subscription] = tessera.requests.filter((request) => request.path === FEED)
    expect(subscription?.headers.accept).toBe('text/event-stream')
    expect(subscription?.headers['last-event-id']).toBeUndefined()
    const basic = Buffer.from((subscription?.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString()
    // RFC 6749 §2.3.1: both halves form-urlencoded before they are joined.
    expect(basic).toBe(`${CLIENT.id}:s3cret%3Awith+spaces`)
    expect(verifier.staleness()).toBe(0)
  })

  const kinds: [string, (now: number) => Omit<FeedEntry, 'seq'>, Record<string, unknown>][] = [
    ['session (sid)', (now) => ({ kind: 'session', sid: 'session-1', ...live(now) }), {}],
    ['access token (jti)', (now) => ({ kind: 'access_token', jti: 'jti-1', ...live(now) }), { jti: 'jti-1' }],
    ['signing key (kid)', () => ({ kind: 'key', kid: '', createdAt: 0, expiresAt: 0 }), {}],
    ['user token version', (now) => ({ kind: 'user_token_version', sub: 'user-1', minTokenVersion: 4, ...live(now) }), {}],
    ['client cut-off', (now) => ({ kind: 'client', clientId: 'web-app', ...live(now) }), {}],
  ]
  for (const [what, entry, claims] of kinds) {
    it(`rejects a token as soon as a revocation event for its ${what} arrives`, async () => {
      const { verifier, token, tessera, clock, key } = await createFixture({ mode: 'hybrid' })
      const good = await token(claims)
      await expect(verifier.verify(good)).resolves.toBeDefined()
      const revocation = entry(clock.now())
      if (revocation.kind === 'key') Object.assign(revocation, { kid: key.kid, ...live(clock.now()) })
      tessera.feed.append(revocation)
      await expect.poll(() => codeOf(verifier.verify(good)), { interval: 5 }).toBe('token_revoked')
    })
  }

  it('spares tokens a revocation does not name (a newer token version, a token issued after a cut-off)', async () => {
    const { verifier, token, tessera, clock } = await createFixture({ mode: 'hybrid' })
    tessera.feed.append({ kind: 'user_token_version', sub: 'user-1', minTokenVersion: 3, ...live(clock.now() - 2000) })
    tessera.feed.append({ kind: 'client', clientId: 'web-app', ...live(clock.now() - 2000) })
    const marker = await token({ sid: 'marker' })
    tessera.feed.append({ kind: 'session', sid: 'marker', ...live(clock.now()) })
    await expect.poll(() => codeOf(verifier.verify(marker)), { interval: 5 }).toBe('token_revoked')
    await expect(verifier.verify(await token({ tessera_tv: 3 }))).resolves.toBeDefined()
  })

  it('replaces its whole set when a snapshot arrives', async () => {
    const { verifier, token, tessera, clock } = await createFixture({ mode: 'hybrid' })
    const a = await token({ sid: 'session-a' })
    const b = await token({ sid: 'session-b' })
    tessera.feed.append({ kind: 'session', sid: 'session-a', ...live(clock.now()) })
    await expect.poll(() => codeOf(verifier.verify(a)), { interval: 5 }).toBe('token_revoked')
    await expect(verifier.verify(b)).resolves.toBeDefined()
    const entries = [{ seq: 2, kind: 'session', sid: 'session-b', ...live(clock.now()) }]
    for (const connection of tessera.feed.connections) connection.send('snapshot', { seq: 2, serverTime: clock.now(), entries }, 2)
    await expect.poll(() => codeOf(verifier.verify(b)), { interval: 5 }).toBe('token_revoked')
    await expect(verifier.verify(a)).resolves.toBeDefined()
  })

  it('reconnects after the server closes the stream and resumes with Last-Event-ID, missing no entry', async () => {
    const { verifier, token, tessera, clock } = await createFixture({ mode: 'hybrid' })
    const early = await token({ sid: 'early' })
    const missed = await token({ sid: 'missed' })
    await verifier.ready()
    tessera.feed.append({ kind: 'session', sid: 'early', ...live(clock.now()) })
    await expect.poll(() => codeOf(verifier.verify(early)), { interval: 5 }).toBe('token_revoked')
    // Committed but never sent on the open stream, which the server then closes.
    tessera.feed.commitQuietly({ kind: 'session', sid: 'missed', ...live(clock.now()) })
    tessera.feed.closeAll()
    await expect.poll(() => codeOf(verifier.verify(missed)), { interval: 5 }).toBe('token_revoked')
    const subscriptions = tessera.requests.filter((request) => request.path === FEED)
    expect(subscriptions.map((request) => request.headers['last-event-id'])).toEqual([undefined, '1'])
    expect(await codeOf(verifier.verify(early))).toBe('token_revoked')
  })

  it('starts over from a snapshot when the server refuses its cursor (400)', async () => {
    const { verifier, tessera } = await createFixture({ mode: 'hybrid' })
    await verifier.ready()
    tessera.feed.append({ kind: 'session', sid: 'x', createdAt: 0, expiresAt: Date.now() + HOUR })
    await vi.waitFor(() => expect(tessera.feed.connections.length).toBe(1))
    tessera.feed.refuseWith = 400
    tessera.feed.closeAll()
    await vi.waitFor(() => expect(tessera.count(FEED)).toBeGreaterThanOrEqual(2))
    tessera.feed.refuseWith = null
    await vi.waitFor(() => expect(tessera.feed.connections.length).toBe(1))
    const last = tessera.requests.filter((request) => request.path === FEED).at(-1)
    expect(last?.headers['last-event-id']).toBeUndefined()
  })

  it('fails closed with stale_revocation_feed (503) once the feed is silent past maxStaleness, and recovers on the next heartbeat', async () => {
    const { verifier, token, tessera, clock } = await createFixture({ mode: 'hybrid', maxStaleness: 30_000 })
    const good = await token()
    await expect(verifier.verify(good)).resolves.toBeDefined()
    clock.advance(30_000)
    await expect(verifier.verify(good)).resolves.toBeDefined()
    clock.advance(1)
    expect(verifier.staleness()).toBe(30_001)
    const error = await verifier.verify(good).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'stale_revocation_feed', status: 503, retryAfter: 1 })
    tessera.feed.heartbeat()
    await expect.poll(() => codeOf(verifier.verify(good)), { interval: 5 }).toBe('resolved')
  })

  it('still rejects what it knows is revoked while the feed is stale', async () => {
    const { verifier, token, tessera, clock } = await createFixture({ mode: 'hybrid', onStale: 'introspect' })
    const revoked = await token({ sid: 'gone' })
    tessera.feed.append({ kind: 'session', sid: 'gone', ...live(clock.now()) })
    await expect.poll(() => codeOf(verifier.verify(revoked)), { interval: 5 }).toBe('token_revoked')
    tessera.introspect = () => ({ status: 200, body: { active: true } })
    clock.advance(60_000)
    expect(await codeOf(verifier.verify(revoked))).toBe('token_revoked')
    expect(tessera.count('/oauth/introspect')).toBe(0)
  })

  it('with onStale "introspect", asks the issuer about each token while the feed is stale', async () => {
    const { verifier, token, tessera, clock } = await createFixture({ mode: 'hybrid', onStale: 'introspect' })
    const good = await token()
    const other = await token({ sid: 'revoked-meanwhile' })
    await verifier.verify(good)
    tessera.introspect = (introspected, request) => {
      expect(request.headers.authorization).toMatch(/^Basic /)
      expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded')
      return { status: 200, body: { active: introspected === good } }
    }
    clock.advance(31_000)
    await expect(verifier.verify(good)).resolves.toMatchObject({ subject: 'user-1' })
    await expect(verifier.verify(good)).resolves.toBeDefined()
    expect(await codeOf(verifier.verify(other))).toBe('token_revoked')
    expect(tessera.count('/oauth/introspect')).toBe(3)
    tessera.introspect = () => ({ status: 500, body: {} })
    expect(await codeOf(verifier.verify(good))).toBe('stale_revocation_feed')
  })

  it('fails closed, without hanging, when the feed refuses it from the start, and says why', async () => {
    const fixture = await createFixture()
    fixture.tessera.feed.refuseWith = 401
    const errors: string[] = []
    const verifier = fixture.another({ mode: 'hybrid', onFeedError: (error) => errors.push(error.detail ?? '') })
    const started = Date.now()
    const error = await verifier.verify(await fixture.token()).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'stale_revocation_feed' })
    expect((error as Error).message).toContain('HTTP 401')
    expect(Date.now() - started).toBeLessThan(2000)
    expect(errors).toContain('revocation feed: HTTP 401')
    expect(verifier.staleness()).toBe(Number.POSITIVE_INFINITY)
    await expect(verifier.ready()).rejects.toMatchObject({ code: 'stale_revocation_feed' })
  })

  it('ends the stream on close() and refuses to verify afterwards', async () => {
    const { verifier, token, tessera } = await createFixture({ mode: 'hybrid' })
    await verifier.ready()
    expect(tessera.feed.connections).toHaveLength(1)
    await verifier.close()
    await vi.waitFor(() => expect(tessera.feed.connections).toHaveLength(0))
    expect(await codeOf(verifier.verify(await token()))).toBe('verifier_unavailable')
    expect(tessera.count(FEED)).toBe(1)
  })
})
