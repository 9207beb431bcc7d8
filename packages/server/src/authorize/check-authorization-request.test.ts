import { describe, expect, it } from 'vitest'
import type { Application } from '../applications/application.js'
import { checkAuthorizationRequest } from './check-authorization-request.js'

const application: Application = {
  id: 'client_1',
  name: 'App',
  type: 'web',
  secretHash: 'x',
  grants: ['authorization_code'],
  redirectUris: ['https://app.example.test/cb'],
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
const deps = {
  findApplication: async (id: string) => (id === application.id ? application : null),
  findApi: async () => null,
}
const valid = {
  client_id: 'client_1',
  redirect_uri: 'https://app.example.test/cb',
  response_type: 'code',
  state: 's',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
}

describe('the authorization request pipeline', () => {
  it('accepts a valid request', async () => {
    const outcome = await checkAuthorizationRequest(valid, deps)
    expect(outcome.kind).toBe('ok')
  })

  it('shows an untrusted client or redirect URI to the user, with a stable code (RFC 6749 §4.1.2.1)', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...valid, client_id: 'nope' }, 'unknown_client'],
      [{ ...valid, client_id: undefined }, 'invalid_request'],
      [{ ...valid, client_id: ['client_1', 'client_1'] }, 'invalid_request'],
      [{ ...valid, redirect_uri: 'https://app.example.test/cb/' }, 'redirect_uri_mismatch'],
      [{ ...valid, redirect_uri: undefined }, 'redirect_uri_mismatch'],
    ]
    for (const [raw, code] of cases) {
      const outcome = await checkAuthorizationRequest(raw, deps)
      expect(outcome.kind, code).toBe('fatal')
      if (outcome.kind === 'fatal') expect(outcome.error.code).toBe(code)
    }
  })

  it('sends every later error back to the client with the state, in the order the checks run', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...valid, state: ['a', 'b'] }, 'invalid_request'],
      [{ ...valid, request: 'x' }, 'request_not_supported'],
      [{ ...valid, response_type: 'token' }, 'unsupported_response_type'],
      [{ ...valid, code_challenge_method: 'plain' }, 'invalid_request'],
      [{ ...valid, resource: 'https://api.example.test' }, 'invalid_target'],
      [{ ...valid, scope: 'read' }, 'invalid_scope'],
      [{ ...valid, prompt: 'none login' }, 'invalid_request'],
    ]
    for (const [raw, code] of cases) {
      const outcome = await checkAuthorizationRequest(raw, deps)
      expect(outcome.kind, code).toBe('redirect')
      if (outcome.kind === 'redirect') {
        expect(outcome.error.code).toBe(code)
        expect(outcome.redirectUri).toBe(valid.redirect_uri)
      }
    }
  })
})
