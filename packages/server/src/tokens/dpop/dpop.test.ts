import { randomUUID } from 'node:crypto'
import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { createClient as createOAuthClient, createApi as createResourceApi, introspect } from '../../../test/oauth-fixture.js'
import {
  authorizeUrl,
  Browser,
  type Client,
  codeRequest,
  createClient,
  createUser,
  discover,
  ISSUER,
  location,
  REDIRECT,
  serve,
  signInThroughPage,
  token,
} from '../../../test/oidc-fixture.js'
import type { TestServer } from '../../../test/test-server.js'
import type { Clock } from '../../shared/clock.js'
import { accessTokenHash } from './dpop-proof.js'

const TOKEN_ENDPOINT = `${ISSUER}/oauth/token`
const CLI = { kind: 'cli' } as const

/** Runs the browser part of the code flow for `client`; returns the callback URL, the verifier and the state. */
async function authorize(server: TestServer, client: Client) {
  const verifier = oauth.generateRandomCodeVerifier()
  const challenge = await oauth.calculatePKCECodeChallenge(verifier)
  const browser = new Browser(server.app)
  const signIn = location(await browser.get(authorizeUrl(codeRequest(client, challenge))))
  const callback = location(await signInThroughPage(browser, signIn, 'ann@example.com'))
  return { callback, verifier }
}

/**
 * oauth4webapi stamps its proofs (`iat`) with the real clock, and the server reads its manual clock,
 * which stands still: a proof more than 5 s ahead of the server is refused (DPOP_PROOF_FUTURE_LEEWAY_MS),
 * and a loaded machine can take longer than that between two steps of a test. So the server's clock
 * is brought to the real time before each request whose proof oauth4webapi signs.
 */
const toRealTime = (server: TestServer) => server.clock.set(Date.now())

/** A key of our own and a way to sign proofs by hand, at the server's time, to break each rule in turn. */
async function proofKey(clock: Clock) {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true })
  const jwk = await exportJWK(publicKey)
  return {
    jwk,
    jkt: await calculateJwkThumbprint(jwk, 'sha256'),
    privateJwk: await exportJWK(privateKey),
    proof: (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
      new SignJWT({ htm: 'POST', htu: TOKEN_ENDPOINT, jti: randomUUID(), iat: Math.floor(clock.now() / 1000), ...claims })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk, ...header })
        .sign(privateKey),
  }
}

/** Issue 16 part 4: DPoP (RFC 9449), proven with oauth4webapi's DPoP support. */
describe('DPoP', () => {
  it('binds a public client’s tokens to its key (oauth4webapi): DPoP token type, cnf.jkt, userinfo with the DPoP scheme, refresh with the same key only', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished)
    server.clock.set(Date.now())
    const userId = await createUser(server)
    const spa = await createClient(server, { type: 'spa' })
    const { as, options } = await discover(server)
    expect(as.dpop_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256', 'EdDSA', 'RS256', 'PS256']))
    const client: oauth.Client = { client_id: spa.id }
    const keyPair = await oauth.generateKeyPair('ES256')
    const DPoP = oauth.DPoP(client, keyPair)
    const jkt = await DPoP.calculateThumbprint()

    const { callback, verifier } = await authorize(server, spa)
    const params = oauth.validateAuthResponse(as, client, callback, 'state-123')
    toRealTime(server)
    const result = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT, verifier, { ...options, DPoP }),
      { expectedNonce: 'nonce-456', requireIdToken: true },
    )
    expect(result.token_type).toBe('dpop')
    expect(decodeJwt(result.access_token).cnf).toEqual({ jkt })

    toRealTime(server)
    const info = await oauth.processUserInfoResponse(
      as,
      client,
      userId,
      await oauth.userInfoRequest(as, client, result.access_token, { ...options, DPoP }),
    )
    expect(info.sub).toBe(userId)
    // The bound token as a bearer token: refused.
    const asBearer = await server.app.inject({
      method: 'GET',
      url: '/oauth/userinfo',
      headers: { authorization: `Bearer ${result.access_token}` },
    })
    expect(asBearer.statusCode).toBe(401)
    // The DPoP scheme without a proof, or with a proof of another key: refused.
    const noProof = await server.app.inject({
      method: 'GET',
      url: '/oauth/userinfo',
      headers: { authorization: `DPoP ${result.access_token}` },
    })
    expect(noProof.statusCode).toBe(401)
    expect(noProof.headers['www-authenticate']).toMatch(/^DPoP algs="[^"]+", error="invalid_dpop_proof"$/)
    const other = await proofKey(server.clock)
    const foreign = await server.app.inject({
      method: 'GET',
      url: '/oauth/userinfo',
      headers: {
        authorization: `DPoP ${result.access_token}`,
        dpop: await other.proof({ htm: 'GET', htu: `${ISSUER}/oauth/userinfo`, ath: accessTokenHash(result.access_token) }),
      },
    })
    expect(foreign.statusCode).toBe(401)

    // A refresh without a proof, or with another key's, is refused and spends nothing.
    const refreshToken = result.refresh_token as string
    const bare = await token(server.app, spa, { grant_type: 'refresh_token', refresh_token: refreshToken })
    expect(bare.statusCode).toBe(400)
    expect(bare.json().error).toBe('invalid_dpop_proof')
    const stolen = await server.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await other.proof() },
      payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: spa.id }).toString(),
    })
    expect(stolen.statusCode).toBe(400)
    toRealTime(server)
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshToken, { ...options, DPoP }),
    )
    expect(refreshed.token_type).toBe('dpop')
    expect(decodeJwt(refreshed.access_token).cnf).toEqual({ jkt })
    // The successor is bound too.
    const successor = await token(server.app, spa, { grant_type: 'refresh_token', refresh_token: refreshed.refresh_token as string })
    expect(successor.json().error).toBe('invalid_dpop_proof')
  })

  it('refuses every broken proof at the token endpoint with invalid_dpop_proof, and spends nothing', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    server.clock.set(Date.now())
    const m2mApi = 'https://api.example.test'
    await createResourceApi(server, m2mApi, 'jwt')
    const m2m = await createOAuthClient(server, { type: 'm2m' })
    const key = await proofKey(server.clock)
    const now = Math.floor(server.clock.now() / 1000)
    const send = (dpop: string | string[]) =>
      server.app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${m2m.id}:${m2m.secret}`).toString('base64')}`,
          dpop,
        },
        payload: new URLSearchParams({ grant_type: 'client_credentials', resource: m2mApi }).toString(),
      })
    const { privateKey: hmacish } = await generateKeyPair('ES256')
    const broken: [string, string | string[]][] = [
      ['wrong htm', await key.proof({ htm: 'GET' })],
      ['wrong htu', await key.proof({ htu: `${ISSUER}/oauth/userinfo` })],
      ['other host', await key.proof({ htu: 'https://evil.example/oauth/token' })],
      ['too old', await key.proof({ iat: now - 120 })],
      ['from the future', await key.proof({ iat: now + 60 })],
      ['no jti', await key.proof({ jti: undefined })],
      ['wrong typ', await key.proof({}, { typ: 'JWT' })],
      ['a private key in jwk', await key.proof({}, { jwk: key.privateJwk })],
      ['no jwk', await key.proof({}, { jwk: undefined })],
      [
        'signed by another key',
        await new SignJWT({ htm: 'POST', htu: TOKEN_ENDPOINT, jti: randomUUID(), iat: now })
          .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
          .sign(hmacish),
      ],
      [
        'alg none',
        `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'dpop+jwt', jwk: key.jwk })).toString('base64url')}.${Buffer.from(JSON.stringify({ htm: 'POST', htu: TOKEN_ENDPOINT, jti: 'x', iat: now })).toString('base64url')}.`,
      ],
      ['garbage', 'not-a-jwt'],
      ['two headers', [await key.proof(), await key.proof()]],
    ]
    for (const [name, dpop] of broken) {
      const response = await send(dpop)
      expect(response.statusCode, name).toBe(400)
      expect(response.json().error, name).toBe('invalid_dpop_proof')
    }
    // A good proof works once; the same proof again is a replay.
    const good = await key.proof()
    const first = await send(good)
    expect(first.statusCode, first.body).toBe(200)
    expect(first.json().token_type).toBe('DPoP')
    expect(decodeJwt(first.json().access_token).cnf).toEqual({ jkt: key.jkt })
    const replay = await send(good)
    expect(replay.statusCode).toBe(400)
    expect(replay.json().error).toBe('invalid_dpop_proof')
  })

  it('server nonces: a proof without the current nonce gets use_dpop_nonce and the nonce, and oauth4webapi retries with it', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished, 'sqlite', { tokens: { dpopNonce: true } })
    server.clock.set(Date.now())
    await createUser(server)
    const spa = await createClient(server, { type: 'spa' })
    const { as, options } = await discover(server)
    const client: oauth.Client = { client_id: spa.id }
    const DPoP = oauth.DPoP(client, await oauth.generateKeyPair('ES256'))
    const { callback, verifier } = await authorize(server, spa)
    const params = oauth.validateAuthResponse(as, client, callback, 'state-123')
    const request = () => {
      toRealTime(server)
      return oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT, verifier, { ...options, DPoP })
    }
    const first = await request()
    expect(first.status).toBe(400)
    expect(first.headers.get('dpop-nonce')).toMatch(/^[a-z0-9]+\.[A-Za-z0-9_-]+$/)
    let caught: unknown
    try {
      await oauth.processAuthorizationCodeResponse(as, client, first)
    } catch (error) {
      caught = error
    }
    expect(oauth.isDPoPNonceError(caught)).toBe(true)
    // The refusal spent nothing: the retry with the nonce redeems the same code.
    const result = await oauth.processAuthorizationCodeResponse(as, client, await request(), { expectedNonce: 'nonce-456' })
    expect(result.token_type).toBe('dpop')
    // A forged or stale nonce is refused the same way.
    const key = await proofKey(server.clock)
    const forged = await server.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await key.proof({ nonce: 'kkk.AAAAAAAAAAAAAAAAAAAAAA' }) },
      payload: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: result.refresh_token as string,
        client_id: spa.id,
      }).toString(),
    })
    expect(forged.json().error).toBe('use_dpop_nonce')
  })

  it('a confidential client’s refresh token is not bound, an API can require DPoP, and introspection reports the binding', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished)
    server.clock.set(Date.now())
    const identifier = 'https://api.example.test'
    const api = await createResourceApi(server, identifier, 'session')
    await server.tessera.services.apis.update(api.id, { requireDpop: true }, CLI)
    const m2m = await createOAuthClient(server, { type: 'm2m' })
    const key = await proofKey(server.clock)
    const form = new URLSearchParams({ grant_type: 'client_credentials', resource: identifier }).toString()
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${m2m.id}:${m2m.secret}`).toString('base64')}`,
    }
    const bearer = await server.app.inject({ method: 'POST', url: '/oauth/token', headers, payload: form })
    expect(bearer.statusCode).toBe(400)
    expect(bearer.json().error).toBe('invalid_request')
    const bound = await server.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { ...headers, dpop: await key.proof() },
      payload: form,
    })
    expect(bound.statusCode, bound.body).toBe(200)
    expect(bound.json().token_type).toBe('DPoP')
    // An opaque (session-mode) token: introspection names the key.
    const answer = (await introspect(server, m2m, bound.json().access_token)).json()
    expect(answer).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: key.jkt } })

    // A confidential web client with DPoP: access token bound, refresh token not (it is bound to the client's secret).
    const web = await createClient(server, { name: 'Web' })
    await createUser(server)
    const { callback, verifier } = await authorize(server, web)
    const code = callback.searchParams.get('code') as string
    const redeemed = await server.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${web.id}:${web.secret}`).toString('base64')}`,
        dpop: await key.proof(),
      },
      payload: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }).toString(),
    })
    expect(redeemed.statusCode, redeemed.body).toBe(200)
    expect(redeemed.json().token_type).toBe('DPoP')
    const plainRefresh = await token(server.app, web, { grant_type: 'refresh_token', refresh_token: redeemed.json().refresh_token })
    expect(plainRefresh.statusCode).toBe(200)
    expect(plainRefresh.json().token_type).toBe('Bearer')
    expect(decodeJwt(plainRefresh.json().access_token).cnf).toBeUndefined()
  })
})

void (null as unknown as JWK)
