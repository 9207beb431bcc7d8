import { describe, expect, it } from 'vitest'
import { Browser, createClient, createUser, obtainCode, pkce, REDIRECT, redeem, serve, token } from '../../../test/oidc-fixture.js'
import { holdRows } from '../../../test/row-lock.js'
import { DIALECTS } from '../../../test/test-database.js'

async function introspect(server: Awaited<ReturnType<typeof serve>>, client: { id: string; secret: string | null }, value: string) {
  const response = await server.app.inject({
    method: 'POST',
    url: '/oauth/introspect',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
    },
    payload: new URLSearchParams({ token: value }).toString(),
  })
  return response.json() as { active: boolean }
}

async function setUp(onTestFinished: Parameters<typeof serve>[0], dialect: (typeof DIALECTS)[number] = 'sqlite') {
  const server = await serve(onTestFinished, dialect)
  await createUser(server)
  const client = await createClient(server)
  const { verifier, challenge } = pkce()
  const code = await obtainCode(server, new Browser(server.app), client, challenge)
  return { server, client, verifier, code }
}

for (const dialect of DIALECTS) {
  describe(`authorization codes on ${dialect}`, () => {
    it('redeems a code once; a replay fails with invalid_grant and revokes the tokens issued from it', async ({ onTestFinished }) => {
      const { server, client, verifier, code } = await setUp(onTestFinished, dialect)
      const first = await redeem(server.app, client, code, verifier)
      expect(first.statusCode).toBe(200)
      const tokens = first.json() as { access_token: string; refresh_token: string }
      expect(await introspect(server, client, tokens.access_token)).toMatchObject({ active: true })

      const replay = await redeem(server.app, client, code, verifier)
      expect(replay.statusCode).toBe(400)
      expect(replay.json()).toMatchObject({ error: 'invalid_grant' })
      expect(await introspect(server, client, tokens.access_token)).toEqual({ active: false })
      expect(await introspect(server, client, tokens.refresh_token)).toEqual({ active: false })
      const refresh = await token(server.app, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
      expect(refresh.json()).toMatchObject({ error: 'invalid_grant' })
      const events = await server.tessera.database.db.selectFrom('event_outbox').select('type').execute()
      expect(events.map((event) => event.type)).toContain('authorization_code.reused')
    })

    it('lets only one of two concurrent redemptions succeed', async ({ onTestFinished }) => {
      const { server, client, verifier, code } = await setUp(onTestFinished, dialect)
      const results = await Promise.all([redeem(server.app, client, code, verifier), redeem(server.app, client, code, verifier)])
      expect(results.map((result) => result.statusCode).sort()).toEqual([200, 400])
    })
  })
}

describe('authorization codes on postgres, redeemed concurrently (issue 16 part 9)', () => {
  it('replays that overlap the redemption still revoke the tokens it issued (RFC 9700 §4.5)', { timeout: 30_000 }, async ({
    onTestFinished,
  }) => {
    const { server, client, verifier, code } = await setUp(onTestFinished, 'postgres')
    // Hold the code's row, so that every request reads it unredeemed and then queues at its update:
    // the first to get the row redeems it, the others find it redeemed only at their update.
    const locked = await holdRows(server, 'authorization_codes')
    const requests = [0, 1, 2].map(() => redeem(server.app, client, code, verifier))
    await locked.updatesWaiting(3)
    await locked.release()
    const results = await Promise.all(requests)
    expect(results.map((result) => result.statusCode).sort()).toEqual([200, 400, 400])
    for (const replay of results.filter((result) => result.statusCode === 400))
      expect(replay.json()).toMatchObject({ error: 'invalid_grant' })
    const tokens = results.find((result) => result.statusCode === 200)?.json() as { access_token: string; refresh_token: string }
    expect(await introspect(server, client, tokens.access_token)).toEqual({ active: false })
    expect(await introspect(server, client, tokens.refresh_token)).toEqual({ active: false })
    const refresh = await token(server.app, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
    expect(refresh.json()).toMatchObject({ error: 'invalid_grant' })
  })
})

describe('redeeming authorization codes', () => {
  it('refuses a code issued to another client, and leaves it usable by its own', async ({ onTestFinished }) => {
    const { server, client, verifier, code } = await setUp(onTestFinished)
    const other = await createClient(server, { name: 'Other' })
    expect((await redeem(server.app, other, code, verifier)).json()).toMatchObject({ error: 'invalid_grant' })
    expect((await redeem(server.app, client, code, verifier)).statusCode).toBe(200)
  })

  it('refuses an expired code (60 s)', async ({ onTestFinished }) => {
    const { server, client, verifier, code } = await setUp(onTestFinished)
    server.clock.advance(60_000)
    expect((await redeem(server.app, client, code, verifier)).json()).toMatchObject({ error: 'invalid_grant' })
  })

  it('accepts a code just before it expires', async ({ onTestFinished }) => {
    const { server, client, verifier, code } = await setUp(onTestFinished)
    server.clock.advance(59_000)
    expect((await redeem(server.app, client, code, verifier)).statusCode).toBe(200)
  })

  it('refuses a redirect_uri other than the one the code was issued for', async ({ onTestFinished }) => {
    const { server, client, verifier, code } = await setUp(onTestFinished)
    const response = await redeem(server.app, client, code, verifier, { redirect_uri: `${REDIRECT}/` })
    expect(response.json()).toMatchObject({ error: 'invalid_grant' })
    expect((await redeem(server.app, client, code, verifier)).statusCode).toBe(200)
  })

  it.for([
    ['a wrong verifier', () => pkce().verifier],
    ['a verifier that is too short', () => 'a'.repeat(42)],
    ['a verifier that is too long', () => 'a'.repeat(129)],
    ['a verifier with a character outside the charset', () => `${'a'.repeat(42)}+`],
    ['no verifier at all (downgrade)', () => undefined],
  ] as [string, () => string | undefined][])('refuses %s with invalid_grant', async ([, verifierOf], { onTestFinished }) => {
    const { server, client, verifier, code } = await setUp(onTestFinished)
    const response = await redeem(server.app, client, code, verifierOf())
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ error: 'invalid_grant' })
    // A refused attempt does not consume the code.
    expect((await redeem(server.app, client, code, verifier)).statusCode).toBe(200)
  })

  it('refuses unknown and malformed codes, and a missing code or redirect_uri', async ({ onTestFinished }) => {
    const { server, client, verifier } = await setUp(onTestFinished)
    expect((await redeem(server.app, client, 'A'.repeat(43), verifier)).json()).toMatchObject({ error: 'invalid_grant' })
    expect((await redeem(server.app, client, 'not a code', verifier)).json()).toMatchObject({ error: 'invalid_grant' })
    expect((await token(server.app, client, { grant_type: 'authorization_code', redirect_uri: REDIRECT })).json()).toMatchObject({
      error: 'invalid_request',
    })
    expect((await token(server.app, client, { grant_type: 'authorization_code', code: 'A'.repeat(43) })).json()).toMatchObject({
      error: 'invalid_request',
    })
  })

  it('refuses a confidential client without its secret', async ({ onTestFinished }) => {
    const { server, client, verifier, code } = await setUp(onTestFinished)
    const response = await redeem(server.app, { id: client.id, secret: null }, code, verifier)
    expect(response.statusCode).toBe(401)
    expect(response.json()).toMatchObject({ error: 'invalid_client' })
  })

  it('serves a public client (token_endpoint_auth_method none) with PKCE', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    await createUser(server)
    const client = await createClient(server, { type: 'spa' })
    expect(client.secret).toBeNull()
    const { verifier, challenge } = pkce()
    const code = await obtainCode(server, new Browser(server.app), client, challenge)
    const response = await redeem(server.app, client, code, verifier)
    expect(response.statusCode).toBe(200)
    expect(response.json()).toHaveProperty('id_token')
  })

  it('refuses a code after its session was signed out', async ({ onTestFinished }) => {
    const { server, client, verifier, code } = await setUp(onTestFinished)
    const row = await server.tessera.database.db.selectFrom('authorization_codes').select('session_id').executeTakeFirstOrThrow()
    await server.tessera.services.sessions.revoke(row.session_id, { reason: 'sign_out', actor: { kind: 'cli' } })
    expect((await redeem(server.app, client, code, verifier)).json()).toMatchObject({ error: 'invalid_grant' })
  })

  it('stores only a hash of the code', async ({ onTestFinished }) => {
    const { server, code } = await setUp(onTestFinished)
    const rows = await server.tessera.database.db.selectFrom('authorization_codes').selectAll().execute()
    expect(JSON.stringify(rows)).not.toContain(code)
  })
})
