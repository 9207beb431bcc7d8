import * as oauth from 'oauth4webapi'
import type { ConsoleLocation } from './console-location.js'
import { type TokenSet, tokenSetFrom } from './token-set.js'

/** The built-in public client registered by migration 0008-console-client. */
export const CLIENT_ID = 'tessera-admin-console'
/** The admin API's audience (RFC 8707 resource indicator). */
export const ADMIN_RESOURCE = 'urn:tessera:admin'
/** Everything the console may use; the token carries only what the user's roles grant. */
const SCOPE = 'openid email offline_access admin:read admin:write'

/**
 * What must survive the redirect to the sign-in page and back: the PKCE verifier, state and nonce
 * (RFC 7636 §4.1, RFC 6749 §10.12, OIDC Core §3.1.2.1). It is not a credential (useless without
 * the code) and is deleted as soon as the callback reads it. Tokens are never stored.
 */
const PENDING_KEY = 'tessera-console:pending'

interface Pending {
  verifier: string
  state: string
  nonce: string
  returnTo: string
}

export interface ConsoleAuth {
  /** Sends the browser to Tessera's authorization endpoint. */
  signIn(returnTo: string): Promise<void>
  /** Redeems the code of the callback URL; resolves with the tokens and the path to go back to. */
  completeSignIn(callback: URL): Promise<{ tokens: TokenSet; returnTo: string }>
  /** Renews with the refresh token (rotated by the server on every use). */
  refresh(tokens: TokenSet): Promise<TokenSet>
  /** Revokes the refresh token (RFC 7009) and ends the Tessera session (OIDC RP-Initiated Logout). */
  signOut(tokens: TokenSet | null): Promise<void>
}

export async function createConsoleAuth(where: ConsoleLocation): Promise<ConsoleAuth> {
  const issuer = new URL(where.issuer)
  // oauth4webapi refuses plain http unless told; only a plain-http issuer (localhost development) is.
  const http = issuer.protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {}
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...http, algorithm: 'oidc' }))
  const client: oauth.Client = { client_id: CLIENT_ID }
  const none = oauth.None()

  function userOf(result: oauth.TokenEndpointResponse, previous?: TokenSet): TokenSet['user'] {
    const claims = oauth.getValidatedIdTokenClaims(result)
    if (!claims) {
      if (previous) return previous.user
      throw new Error('the token response has no ID token')
    }
    return { sub: claims.sub, email: typeof claims.email === 'string' ? claims.email : null }
  }

  return {
    async signIn(returnTo) {
      if (!as.authorization_endpoint) throw new Error('the issuer has no authorization endpoint')
      const pending: Pending = {
        verifier: oauth.generateRandomCodeVerifier(),
        state: oauth.generateRandomState(),
        nonce: oauth.generateRandomNonce(),
        returnTo,
      }
      sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending))
      const url = new URL(as.authorization_endpoint)
      url.search = new URLSearchParams({
        client_id: CLIENT_ID,
        redirect_uri: where.redirectUri,
        response_type: 'code',
        scope: SCOPE,
        resource: ADMIN_RESOURCE,
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await oauth.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: 'S256',
      }).toString()
      window.location.assign(url.href)
    },

    async completeSignIn(callback) {
      const raw = sessionStorage.getItem(PENDING_KEY)
      sessionStorage.removeItem(PENDING_KEY)
      if (!raw) throw new Error('This sign-in was not started here (or was already completed). Sign in again.')
      const pending = JSON.parse(raw) as Pending
      // Checks state and, as Tessera advertises it, the RFC 9207 `iss` parameter; an error response throws.
      const params = oauth.validateAuthResponse(as, client, callback, pending.state)
      const response = await oauth.authorizationCodeGrantRequest(as, client, none, params, where.redirectUri, pending.verifier, http)
      const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
        expectedNonce: pending.nonce,
        requireIdToken: true,
      })
      return { tokens: tokenSetFrom(result, userOf(result), Date.now()), returnTo: pending.returnTo }
    },

    async refresh(tokens) {
      if (!tokens.refreshToken) throw new Error('no refresh token')
      const response = await oauth.refreshTokenGrantRequest(as, client, none, tokens.refreshToken, http)
      const result = await oauth.processRefreshTokenResponse(as, client, response)
      return tokenSetFrom(result, userOf(result, tokens), Date.now(), tokens)
    },

    async signOut(tokens) {
      if (tokens?.refreshToken && as.revocation_endpoint) {
        // Best effort: ending the session below revokes every token bound to it anyway.
        await oauth
          .revocationRequest(as, client, none, tokens.refreshToken, http)
          .then(oauth.processRevocationResponse)
          .catch(() => undefined)
      }
      const end = as.end_session_endpoint
      if (!end) {
        window.location.assign(where.signedOutUri)
        return
      }
      const url = new URL(end)
      url.search = new URLSearchParams({
        client_id: CLIENT_ID,
        post_logout_redirect_uri: where.signedOutUri,
        ...(tokens?.idToken ? { id_token_hint: tokens.idToken } : {}),
      }).toString()
      window.location.assign(url.href)
    },
  }
}
