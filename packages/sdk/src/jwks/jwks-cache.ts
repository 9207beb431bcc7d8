import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import type { Clock } from '../shared/clock.js'
import { readJson } from '../shared/read-json.js'
import { type RequestDeps, request } from '../shared/request.js'
import { importPublishedKeys, type PublishedKey } from './published-keys.js'

export interface JwksCacheDeps extends RequestDeps {
  clock: Clock
  /** Resolves the `jwks_uri` (from discovery). */
  jwksUri: () => Promise<string>
  /** Least ms between two fetches caused by unknown `kid`s: a flood of them costs one fetch per period. */
  cooldown: number
  /** Ms after which the keys are refreshed in the background, so removed keys stop verifying. */
  maxAge: number
}

/**
 * The issuer's published keys, fetched once, refreshed after `maxAge`, and refetched when a token
 * names an unknown `kid` (a key rotated in with `--now`), at most once per `cooldown`.
 */
export interface JwksCache {
  /** The key `kid` names, or null. Throws `verifier_unavailable` when the keys cannot be fetched. */
  find(kid: string): Promise<PublishedKey | null>
  /**
   * The key `kid` names among the keys already fetched, or undefined (not fetched yet, or unknown:
   * then {@link find}). Synchronous: a cold verification with a known key settles without a promise.
   */
  get(kid: string): PublishedKey | undefined
  /** Whether `kid` is published, as last fetched. Synchronous: the cache-hit path calls it. */
  has(kid: string): boolean
  /** Fetch the keys if they have not been fetched yet. */
  load(): Promise<void>
}

/** After a failed fetch, retry sooner than the cooldown (but still bounded). */
const RETRY_AFTER_FAILURE = 1000

export function createJwksCache(deps: JwksCacheDeps): JwksCache {
  let keys: Map<string, PublishedKey> | null = null
  let fetchedAt = Number.NEGATIVE_INFINITY
  let attemptedAt = Number.NEGATIVE_INFINITY
  let lastFailed = false
  let inflight: Promise<void> | null = null

  function refresh(): Promise<void> {
    if (inflight) return inflight
    attemptedAt = deps.clock.now()
    inflight = fetchKeys()
      .then((loaded) => {
        keys = loaded
        fetchedAt = deps.clock.now()
        lastFailed = false
      })
      .catch((error: unknown) => {
        lastFailed = true
        throw error
      })
      .finally(() => {
        inflight = null
      })
    return inflight
  }

  async function fetchKeys(): Promise<Map<string, PublishedKey>> {
    const uri = await deps.jwksUri()
    const response = await request(deps, uri, { headers: { accept: 'application/jwk-set+json, application/json' } }, 'JWKS')
    if (!response.ok) {
      await response.body?.cancel().catch(() => {})
      throw new TesseraAuthError('verifier_unavailable', { detail: `JWKS: HTTP ${response.status}` })
    }
    return importPublishedKeys(await readJson(response, 'JWKS'))
  }

  function mayFetch(): boolean {
    const wait = lastFailed ? Math.min(RETRY_AFTER_FAILURE, deps.cooldown) : deps.cooldown
    return deps.clock.now() - attemptedAt >= wait
  }

  function refreshInBackgroundIfOld(): void {
    if (keys && !inflight && deps.clock.now() - fetchedAt >= deps.maxAge && mayFetch()) refresh().catch(() => {})
  }

  async function load(): Promise<void> {
    if (keys) return
    if (inflight) await inflight
    else if (mayFetch()) await refresh()
    else throw new TesseraAuthError('verifier_unavailable', { detail: 'JWKS: unavailable, retrying shortly' })
  }

  return {
    load,
    has(kid) {
      refreshInBackgroundIfOld()
      return keys?.has(kid) ?? false
    },
    get(kid) {
      refreshInBackgroundIfOld()
      return keys?.get(kid)
    },
    async find(kid) {
      await load()
      refreshInBackgroundIfOld()
      const known = keys?.get(kid)
      if (known) return known
      // RFC 8725 §3.10 leaves key discovery to us: only our own jwks_uri, and only so often.
      if (inflight) await inflight.catch(() => {})
      else if (mayFetch()) await refresh()
      return keys?.get(kid) ?? null
    },
  }
}
