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
  it('gets an ID token with the requested acr and a fresh auth_time after a second factor; a stronger acr asks for a sign-in', async () => {
    const dir = cleanup.tempDir('tessera-mfa-oidc-')
    const env: Env = { TESSERA_DATA_DIR: dir, TESSERA_MASTER_KEY: randomBytes(32).toString('base64url'), TESSERA_LOG_LEVEL: 'warn' }
    const app = await runCli(env, ['apps', 'create', '--name', 'Web', '--type', 'web', '--redirect-uris', REDIRECT_URI, '--first-party'])
    await runCli(env, ['users', 'create', '--email', EMAIL, '--password-stdin'], PASSWORD)
    const tessera = await startTessera(env, { host: '127.0.0.1' })
    cleanup.push(() => stopTessera(tessera))

    // Ann adds an authenticator app over the JSON API.
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

    const config = await client.discovery(new URL(tessera.base), String(app.clientId), String(app.clientSecret), undefined, {
      execute: [client.allowInsecureRequests],
    })
    expect(config.serverMetadata().acr_values_supported).toContain(MFA)

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
      acr_values: MFA,
      max_age: '60',
    })
    const browser = new FormUserAgent(tessera.base)
    const signIn = page(await browser.navigate(url))
    expect(heading(signIn)).toBe('Sign in')
    const secondFactor = page(await browser.submit(signIn, '/ui/sign-in', { email: EMAIL, password: PASSWORD }))
    expect(heading(secondFactor)).toBe('Two-step verification')
    // The next time step's code (RFC 6238 §5.2 allows one step of drift): the confirmation spent this one.
    const back = await browser.submit(secondFactor, '/ui/second-factor', { code: totpCodeAt(secret, Date.now() + 30_000) })
    if (back.kind !== 'left') throw new Error(`expected the app, got ${heading(back)}`)

    const before = Math.floor(Date.now() / 1000)
    const tokens = await client.authorizationCodeGrant(config, back.location, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
      maxAge: 60,
    })
    const claims = tokens.claims()
    if (!claims) throw new Error('no ID token')
    expect(claims.acr).toBe(MFA)
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa'])
    expect(typeof claims.auth_time).toBe('number')
    expect(before - (claims.auth_time as number)).toBeLessThanOrEqual(60)

    // The session is mfa: a request for a phishing-resistant sign-in does not get a code from it.
    const stronger = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: client.randomState(),
      acr_values: PHR,
    })
    expect(heading(page(await browser.navigate(stronger)))).toBe('Sign in')
  }, 60_000)
})
