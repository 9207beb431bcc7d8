import { describe, expect, it } from 'vitest'
import type { Application } from '../applications/application.js'
import { matchRedirectUri } from './redirect-uri-match.js'

function app(type: Application['type'], redirectUris: string[]): Application {
  return {
    id: 'client',
    name: 'App',
    type,
    secretHash: null,
    grants: ['authorization_code'],
    redirectUris,
    apis: [],
    scopes: [],
    accessTokenTtl: null,
    refreshTokenTtl: null,
    firstParty: true,
    postLogoutRedirectUris: [],
    webOrigins: null,
    backchannelLogoutUri: null,
    backchannelLogoutSessionRequired: false,
    requireMfa: false,
    createdAt: 0,
    updatedAt: 0,
  }
}

describe('redirect URI matching', () => {
  const web = app('web', ['https://app.example.test/callback'])

  it('matches the registered URI exactly', () => {
    expect(matchRedirectUri(web, 'https://app.example.test/callback')).toBe('https://app.example.test/callback')
  })

  it.each([
    ['a trailing slash', 'https://app.example.test/callback/'],
    ['an extra query', 'https://app.example.test/callback?x=1'],
    ['a fragment', 'https://app.example.test/callback#x'],
    ['a change of case', 'https://APP.example.test/callback'],
    ['a change of case in the path', 'https://app.example.test/Callback'],
    ['another port', 'https://app.example.test:8443/callback'],
    ['the default port spelled out', 'https://app.example.test:443/callback'],
    ['http instead of https', 'http://app.example.test/callback'],
    ['userinfo before the host', 'https://app.example.test@evil.example/callback'],
    ['userinfo', 'https://user@app.example.test/callback'],
    ['path traversal', 'https://app.example.test/callback/../evil'],
    ['encoded path traversal', 'https://app.example.test/callback/%2e%2e/evil'],
    ['javascript:', 'javascript:alert(1)'],
    ['a prefix match', 'https://app.example.test/callbackx'],
  ])('refuses %s', (_name, uri) => {
    expect(matchRedirectUri(web, uri)).toBeNull()
  })

  it('lets the port of a native app loopback redirect vary (RFC 8252 §7.3)', () => {
    const native = app('native', ['http://127.0.0.1/callback', 'http://[::1]:8080/cb'])
    expect(matchRedirectUri(native, 'http://127.0.0.1:51234/callback')).toBe('http://127.0.0.1:51234/callback')
    expect(matchRedirectUri(native, 'http://[::1]:9999/cb')).toBe('http://[::1]:9999/cb')
    expect(matchRedirectUri(native, 'http://127.0.0.1:51234/other')).toBeNull()
    expect(matchRedirectUri(native, 'http://127.0.0.1:51234/callback?x=1')).toBeNull()
    expect(matchRedirectUri(native, 'http://localhost:51234/callback')).toBeNull()
    expect(matchRedirectUri(native, 'http://u@127.0.0.1:51234/callback')).toBeNull()
  })

  it('never lets the port vary for other clients', () => {
    const spa = app('spa', ['http://127.0.0.1:3000/callback'])
    expect(matchRedirectUri(spa, 'http://127.0.0.1:3001/callback')).toBeNull()
  })
})
