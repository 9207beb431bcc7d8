import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import type { ReconnectPolicy } from '../revocation/reconnect-delay.js'
import type { ClientCredentials } from '../shared/basic-authorization.js'
import { type Clock, systemClock } from '../shared/clock.js'
import type { FetchLike } from '../shared/fetch-like.js'
import { checkDecryptionKeys, type EncryptionOptions } from '../tokens/token-decryption.js'

/**
 * How a resource server checks tokens (docs/architecture.md §3):
 * - `jwt`: the signature, locally; a revocation is seen when the token expires (staleness: the TTL);
 * - `hybrid`: the signature locally plus the revocation feed (staleness: the feed's lag, at most `maxStaleness`);
 * - `session`: asks Tessera on every request (staleness: 0).
 *
 * @example
 * const mode: VerificationMode = 'hybrid'
 */
export type VerificationMode = 'jwt' | 'hybrid' | 'session'

/**
 * Options of {@link createVerifier}. Only `issuer`, `audience` and `mode` are required (and
 * `client` for hybrid and session mode).
 *
 * @example
 * const options: VerifierOptions = {
 *   issuer: 'https://id.example.com',
 *   audience: 'https://api.example.com',
 *   mode: 'hybrid',
 *   client: { id: process.env.TESSERA_CLIENT_ID ?? '', secret: process.env.TESSERA_CLIENT_SECRET ?? '' },
 *   maxStaleness: 10_000,
 *   onStale: 'introspect',
 * }
 */
export interface VerifierOptions {
  /** The issuer, exactly as Tessera's discovery document and the tokens' `iss` spell it. */
  issuer: string
  /** This API's identifier: tokens must carry it in `aud`. */
  audience: string
  mode: VerificationMode
  /** The `resource-server` application: reads the feed (hybrid) and introspects (session, fallback). */
  client?: ClientCredentials
  /** Hybrid: ms of feed silence after which verification fails closed (or introspects). Default 30 000. */
  maxStaleness?: number
  /** Hybrid: what a stale feed does: `fail` (503 `stale_revocation_feed`, the default) or `introspect` each token. */
  onStale?: 'fail' | 'introspect'
  /**
   * The fetch to use (a proxy-aware one, a fake in tests); defaults to the global one. When it is
   * not given, introspection goes over node:http / node:https with a keep-alive agent the verifier
   * owns (cheaper per request); when it is given, every request goes through it.
   */
  fetch?: FetchLike
  /** The source of time; defaults to the wall clock. */
  clock?: Clock
  /** How many verified tokens to remember (about 2 KB each). 0 disables the cache. Default 10 000. */
  cacheSize?: number
  /** Seconds of clock skew tolerated on `exp`, `nbf` and `iat`. Default 5. */
  leeway?: number
  /** Least ms between JWKS fetches caused by unknown `kid`s. Default 10 000. */
  jwksCooldown?: number
  /** Ms after which the JWKS is refreshed in the background. Default 600 000. */
  jwksMaxAge?: number
  /** Ms to wait for the issuer to answer a request. Default 5 000. */
  requestTimeout?: number
  /** Hybrid: the feed's reconnection back-off. Default 250 ms doubling to 10 s, jittered. */
  reconnect?: Partial<ReconnectPolicy>
  /** Hybrid: told of every feed failure (the error's `detail` says what), for logs and metrics. */
  onFeedError?: (error: TesseraAuthError) => void
  /**
   * jwt and hybrid: the API's tokens are encrypted (JWE): the private key(s) that decrypt them.
   * Signed-only tokens are then refused unless `required` is false.
   */
  encryption?: EncryptionOptions
}

/** Options with every default applied and checked. */
export interface ResolvedVerifierOptions extends Required<Omit<VerifierOptions, 'client' | 'reconnect' | 'onFeedError' | 'encryption'>> {
  client: ClientCredentials | null
  encryption: EncryptionOptions | null
  reconnect: ReconnectPolicy
  onFeedError: (error: TesseraAuthError) => void
}

/** Apply the defaults and refuse what cannot work, at start-up rather than on the first request. */
export function resolveVerifierOptions(options: VerifierOptions): ResolvedVerifierOptions {
  const bad = (detail: string) => new TesseraAuthError('invalid_configuration', { detail })
  if (typeof options.issuer !== 'string' || !/^https?:$/.test(URL.canParse(options.issuer) ? new URL(options.issuer).protocol : '')) {
    throw bad('issuer must be an http(s) URL')
  }
  if (typeof options.audience !== 'string' || options.audience === '') throw bad('audience is required')
  if (!['jwt', 'hybrid', 'session'].includes(options.mode)) throw bad('mode must be jwt, hybrid or session')
  const onStale = options.onStale ?? 'fail'
  if (onStale !== 'fail' && onStale !== 'introspect') throw bad('onStale must be fail or introspect')
  const client = options.client ?? null
  if (client && (typeof client.id !== 'string' || client.id === '' || typeof client.secret !== 'string' || client.secret === '')) {
    throw bad('client needs an id and a secret')
  }
  if (!client && options.mode !== 'jwt') throw bad(`${options.mode} mode needs client credentials`)
  const number = (name: string, value: number | undefined, fallback: number, min: number) => {
    const resolved = value ?? fallback
    if (typeof resolved !== 'number' || !Number.isFinite(resolved) || resolved < min) throw bad(`${name} must be a number ≥ ${min}`)
    return resolved
  }
  const encryption = options.encryption ?? null
  if (encryption !== null) {
    if (options.mode === 'session') throw bad('encryption applies to jwt and hybrid mode (session-mode tokens are opaque)')
    checkDecryptionKeys(encryption)
  }
  const fetch = options.fetch ?? ((input: string, init?: RequestInit) => globalThis.fetch(input, init))
  return {
    issuer: options.issuer,
    audience: options.audience,
    mode: options.mode,
    client,
    encryption,
    maxStaleness: number('maxStaleness', options.maxStaleness, 30_000, 1),
    onStale,
    fetch,
    clock: options.clock ?? systemClock,
    cacheSize: Math.floor(number('cacheSize', options.cacheSize, 10_000, 0)),
    leeway: number('leeway', options.leeway, 5, 0),
    jwksCooldown: number('jwksCooldown', options.jwksCooldown, 10_000, 0),
    jwksMaxAge: number('jwksMaxAge', options.jwksMaxAge, 600_000, 1000),
    requestTimeout: number('requestTimeout', options.requestTimeout, 5_000, 1),
    reconnect: {
      initialDelay: number('reconnect.initialDelay', options.reconnect?.initialDelay, 250, 1),
      maxDelay: number('reconnect.maxDelay', options.reconnect?.maxDelay, 10_000, 1),
      random: options.reconnect?.random ?? Math.random,
    },
    onFeedError: options.onFeedError ?? (() => {}),
  }
}
