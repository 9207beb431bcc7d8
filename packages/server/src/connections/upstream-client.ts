import type { CryptoKey } from 'jose'
import type * as oidc from 'openid-client'
import type { Clock } from '../shared/clock.js'
import { isTesseraError, TesseraError } from '../shared/errors.js'
import type { ResolveHost } from '../webhooks/webhook-target.js'
import type { Connection, UpstreamProfile } from './connection.js'
import { loadOpenIdClient, type OpenIdClientLibrary } from './openid-client-library.js'
import { failureOf, type UpstreamFailure } from './upstream-failure.js'
import { checkUpstreamUrl, createUpstreamFetch, type UpstreamPolicy } from './upstream-fetch.js'
import { profileFromClaims, profileFromUserEndpoint } from './upstream-profile.js'

export interface UpstreamClientDeps {
  resolve: ResolveHost
  /** Bound on every upstream request (discovery, token, JWKS, user endpoint). */
  timeoutMs: number
  /** In production the development allowance counts for nothing. */
  production: boolean
  clock: Clock
  /** The callback registered at the upstream (connection.ts `redirectUriOf`). */
  redirectUri(connectionId: string): string
  /** The connection's client secret, unsealed; null for a public client. */
  clientSecret(connection: Connection): string | null
  /** The connection's private key for `private_key_jwt`, unsealed; null when it has none. */
  privateKey(connection: Connection): Promise<{ key: CryptoKey; kid: string } | null>
  /** How openid-client loads: on the first round trip by default (openid-client-library.ts). */
  library?: () => Promise<OpenIdClientLibrary>
}

/** What the flow keeps between the redirect to the upstream and its answer. */
export interface PendingUpstream {
  nonce: string | null
  codeVerifier: string
}

export type UpstreamResult = { ok: true; profile: UpstreamProfile } | { ok: false; failure: UpstreamFailure }

/** How long a discovered configuration is reused before it is fetched again. */
const DISCOVERY_TTL_MS = 5 * 60_000

export type UpstreamClient = ReturnType<typeof createUpstreamClient>

/**
 * Talks to upstream providers through `openid-client`: OpenID Connect discovery, the
 * authorization code grant with PKCE (RFC 7636, S256), `state` and `nonce` (OIDC Core §3.1.2.1),
 * ID token validation (OIDC Core §3.1.3.7: signature from the upstream's JWKS, `iss`, `aud`,
 * `azp`, `exp`, `iat`, `nonce`), RFC 9207's `iss` where the upstream supports it, and userinfo.
 * Every request goes through the SSRF-checked, time-bounded fetch of upstream-fetch.ts.
 */
export function createUpstreamClient(deps: UpstreamClientDeps) {
  const cache = new Map<string, { at: number; version: number; config: oidc.Configuration }>()

  const policyOf = (connection: Connection): UpstreamPolicy => {
    const base = connection.issuer ?? connection.authorizationEndpoint
    const hosts = [base ? new URL(base).host.toLowerCase() : '', ...connection.allowedHosts.map((host) => host.toLowerCase())]
    return { hosts: hosts.filter((host) => host !== ''), allowInsecure: connection.allowInsecureDevelopment && !deps.production }
  }

  const library = deps.library ?? loadOpenIdClient

  async function configuration(client: OpenIdClientLibrary, connection: Connection): Promise<oidc.Configuration> {
    const cached = cache.get(connection.id)
    if (cached && cached.version === connection.updatedAt && deps.clock.now() - cached.at < DISCOVERY_TTL_MS) return cached.config
    const policy = policyOf(connection)
    const fetch = createUpstreamFetch({ resolve: deps.resolve, timeoutMs: deps.timeoutMs }, policy)
    const secret = deps.clientSecret(connection)
    const metadata: Partial<oidc.ClientMetadata> = secret === null ? {} : { client_secret: secret }
    const timeout = Math.max(1, Math.ceil(deps.timeoutMs / 1000))
    const execute = policy.allowInsecure ? [client.allowInsecureRequests] : []
    let server: oidc.ServerMetadata
    if (connection.type === 'oidc') {
      if (!connection.issuer) throw new TesseraError('connection_invalid', { detail: 'an OpenID Connect connection needs an issuer' })
      const discovered = await client.discovery(new URL(connection.issuer), connection.clientId, metadata, undefined, {
        [client.customFetch]: fetch,
        execute,
        timeout,
      })
      // An override from a preset or the operator (a provider whose discovery lacks the endpoint).
      const { supportsPKCE: _helper, ...discoveredMetadata } = discovered.serverMetadata()
      server = {
        ...discoveredMetadata,
        ...(connection.userinfoEndpoint ? { userinfo_endpoint: connection.userinfoEndpoint } : {}),
      }
    } else {
      if (!connection.authorizationEndpoint || !connection.tokenEndpoint)
        throw new TesseraError('connection_invalid', { detail: 'an OAuth 2.0 connection needs its authorization and token endpoints' })
      server = {
        issuer: connection.issuer ?? new URL(connection.authorizationEndpoint).origin,
        authorization_endpoint: connection.authorizationEndpoint,
        token_endpoint: connection.tokenEndpoint,
        ...(connection.userinfoEndpoint ? { userinfo_endpoint: connection.userinfoEndpoint } : {}),
      }
    }
    // The browser is sent to the authorization endpoint: it too must be on an allowed host.
    if (server.authorization_endpoint) checkUpstreamUrl(server.authorization_endpoint, policy)
    const methods = server.token_endpoint_auth_methods_supported
    const key = await deps.privateKey(connection)
    // OIDC Discovery §3: client_secret_basic is the default when the upstream says nothing.
    // private_key_jwt (RFC 7523 §2.2, OIDC Core §9): a short-lived assertion signed by the
    // connection's own key, so no shared secret exists to leak.
    const auth = key
      ? client.PrivateKeyJwt(key)
      : secret === null
        ? client.None()
        : connection.type === 'oidc' && (!methods || methods.includes('client_secret_basic'))
          ? client.ClientSecretBasic(secret)
          : client.ClientSecretPost(secret)
    const config = new client.Configuration(server, connection.clientId, metadata, auth)
    config[client.customFetch] = fetch
    config.timeout = timeout
    for (const run of execute) run(config)
    // OIDC Core §3.1.3.7 step 6 lets a client skip the ID token's signature when it came straight
    // from the token endpoint over TLS; Tessera checks it anyway, against the upstream's JWKS.
    if (connection.type === 'oidc') client.enableNonRepudiationChecks(config)
    cache.set(connection.id, { at: deps.clock.now(), version: connection.updatedAt, config })
    return config
  }

  return {
    /**
     * The URL to send the browser to, and what the flow must keep to check the answer; or why the
     * upstream cannot be used now (its discovery is down, slow, garbage or on a refused address).
     */
    async begin(
      connection: Connection,
      state: string,
    ): Promise<{ ok: true; url: string; pending: PendingUpstream } | { ok: false; failure: UpstreamFailure }> {
      // Outside the try: a library that fails to load is our failure (internal_error), not the upstream's.
      const client = await library()
      try {
        const config = await configuration(client, connection)
        const codeVerifier = client.randomPKCECodeVerifier()
        const nonce = connection.type === 'oidc' ? client.randomNonce() : null
        const params: Record<string, string> = {
          redirect_uri: deps.redirectUri(connection.id),
          scope: connection.scopes.join(' '),
          state,
          code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
          code_challenge_method: 'S256',
        }
        if (nonce) params.nonce = nonce
        return { ok: true, url: client.buildAuthorizationUrl(config, params).href, pending: { nonce, codeVerifier } }
      } catch (error) {
        if (isTesseraError(error) && error.code === 'connection_invalid') throw error
        const failure = failureOf(error, client)
        // Whatever went wrong before the browser left, the upstream is unusable for now.
        return { ok: false, failure: { ...failure, code: 'upstream_unavailable' } }
      }
    },

    /**
     * Checks the upstream's answer at the callback and redeems its code. Never throws for what the
     * upstream or the browser sent: a refusal or an outage is a result with a reason to record.
     */
    async finish(connection: Connection, query: URLSearchParams, state: string, pending: PendingUpstream): Promise<UpstreamResult> {
      const client = await library()
      try {
        const config = await configuration(client, connection)
        const current = new URL(deps.redirectUri(connection.id))
        for (const [name, value] of query) current.searchParams.append(name, value)
        const checks: oidc.AuthorizationCodeGrantChecks = { pkceCodeVerifier: pending.codeVerifier, expectedState: state }
        if (pending.nonce !== null) {
          checks.expectedNonce = pending.nonce
          checks.idTokenExpected = true
        }
        const tokens = await client.authorizationCodeGrant(config, current, checks)
        if (connection.type === 'oidc') {
          const claims = tokens.claims()
          if (!claims) return { ok: false, failure: { code: 'upstream_rejected', reason: 'id_token_missing' } }
          const userinfo = config.serverMetadata().userinfo_endpoint
            ? await client.fetchUserInfo(config, tokens.access_token, claims.sub)
            : null
          return { ok: true, profile: profileFromClaims(connection.id, claims, userinfo) }
        }
        return { ok: true, profile: await profileFromUserEndpoint(client, connection, config, tokens.access_token) }
      } catch (error) {
        if (isTesseraError(error) && error.code === 'connection_invalid') throw error
        return { ok: false, failure: failureOf(error, client) }
      }
    },

    /** Forgets what was discovered for a connection (after a change or a deletion). */
    forget(connectionId: string): void {
      cache.delete(connectionId)
    },
  }
}
