import { randomBytes } from 'node:crypto'
import * as client from 'openid-client'
import { describe, expect, it } from 'vitest'
import { totpCodeAt } from '../../src/mfa/totp.js'
import { useCleanup } from './cleanup.js'
import { FormUserAgent, heading, type Step } from './form-user-agent.js'
import { type Env, runCli, startTessera, stopTessera } from './tessera-process.js'

// Issue 13 with a certified relying-party library: openid-client asks for a strength (acr_values)
// and a freshness (max_age) of a real Tessera process, and checks the ID token it gets.

const REDIRECT_URI = 'https://app.example.test/callback'
const EMAIL = 'ann@example.com'
const PASSWORD = 'correct horse battery staple'
const MFA = 'urn:tessera:acr:mfa'
const PHR = 'urn:tessera:acr:phr'

const cleanup = useCleanup()

function page(step: Step): Extract<Step, { kind: 'page' }> {
  if (step.kind !== 'page') throw new Error(`expected a page, left for ${step.location}`)
  return step
}

describe('openid-client: acr_values and max_age against a real Tessera process', () => {
  it('steps a one-factor session up to the requested acr with the second factor alone: same sid, fresh auth_time; a stronger acr steps up again', async () => {
    const dir = cleanup.tempDir('tessera-mfa-oidc-')
    const env: Env = { TESSERA_DATA_DIR: dir, TESSERA_MASTER_KEY: randomBytes(32).toString('base64url'), TESSERA_LOG_LEVEL: 'warn' }
    const app = await runCli(env, ['apps', 'create', '--name', 'Web', '--type', 'web', '--redirect-uris', REDIRECT_URI, '--first-party'])
    await runCli(env, ['users', 'create', '--email', EMAIL, '--password-stdin'], PASSWORD)
    const tessera = await startTessera(env, { host: '127.0.0.1' })
    cleanup.push(() => stopTessera(tessera))

    const config = await client.discovery(new URL(tessera.base), String(app.clientId), String(app.clientSecret), undefined, {
      execute: [client.allowInsecureRequests],
    })
    expect(config.serverMetadata().acr_values_supported).toContain(MFA)
    const browser = new FormUserAgent(tessera.base)
    const authorize = async (extra: Record<string, string>) => {
      const verifier = client.randomPKCECodeVerifier()
      const state = client.randomState()
      const nonce = client.randomNonce()
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT_URI,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...extra,
      })
      return { url, check: { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true } }
    }

    // Ann signs in with her password alone: a one-factor session.
    const plain = await authorize({})
    const signIn = page(await browser.navigate(plain.url))
    expect(heading(signIn)).toBe('Sign in')
    const first = await browser.submit(signIn, '/ui/sign-in', { email: EMAIL, password: PASSWORD })
    if (first.kind !== 'left') throw new Error(`expected the app, got ${heading(first)}`)
    const firstClaims = (await client.authorizationCodeGrant(config, first.location, plain.check)).claims()
    expect(firstClaims?.acr).toBe('urn:tessera:acr:sfa')

    // Then she adds an authenticator app over the JSON API.
    const json = (path: string, body: unknown, token?: string) =>
      fetch(`${tessera.base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }))
    const signedIn = await json('/v1/sign-in', { email: EMAIL, password: PASSWORD, transport: 'bearer' })
    const token = (signedIn.body.session as { token: string }).token
    const { secret } = (await json('/v1/mfa/totp', {}, token)).body as { secret: string }
    expect((await json('/v1/mfa/totp/confirm', { code: totpCodeAt(secret, Date.now()) }, token)).status).toBe(200)

    // The app asks for mfa within 60 s: the session steps up in place with the second factor only (issue 13 §6).
    const strong = await authorize({ acr_values: MFA, max_age: '60' })
    const secondFactor = page(await browser.navigate(strong.url))
    expect(heading(secondFactor)).toBe('Two-step verification')
    // The next time step's code (RFC 6238 §5.2 allows one step of drift): the confirmation spent this one.
    const back = await browser.submit(secondFactor, '/ui/second-factor', { code: totpCodeAt(secret, Date.now() + 30_000) })
    if (back.kind !== 'left') throw new Error(`expected the app, got ${heading(back)}`)

    const before = Math.floor(Date.now() / 1000)
    const tokens = await client.authorizationCodeGrant(config, back.location, { ...strong.check, maxAge: 60 })
    const claims = tokens.claims()
    if (!claims) throw new Error('no ID token')
    expect(claims.acr).toBe(MFA)
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa'])
    expect(typeof claims.auth_time).toBe('number')
    expect(before - (claims.auth_time as number)).toBeLessThanOrEqual(60)
    // The same session, stepped up: the same sid as the first ID token.
    expect(claims.sid).toBe(firstClaims?.sid)

    // The session is mfa: a request for a phishing-resistant sign-in steps up again (a passkey would reach phr).
    const stronger = await authorize({ acr_values: PHR })
    expect(heading(page(await browser.navigate(stronger.url)))).toBe('Two-step verification')
  }, 60_000)
})
