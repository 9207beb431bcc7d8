import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import type { Introspect } from '../introspection/introspection-client.js'
import type { RevocationFeed } from '../revocation/revocation-feed.js'
import type { RevocationSet } from '../revocation/revocation-set.js'
import type { LocallyVerified } from './local-verification.js'

export interface HybridCheckDeps {
  feed: RevocationFeed
  set: RevocationSet
  maxStaleness: number
  /** Set when `onStale` is `introspect`. */
  introspect: Introspect | null
  /** Ms the first requests wait for the feed's first snapshot. */
  startupWait: number
}

/**
 * Hybrid mode's checks after local verification (docs/architecture.md §3), on every call, cache hit or not:
 * the revocation set (hash lookups), then the feed's freshness. A stale feed fails closed, or with
 * `onStale: 'introspect'` asks the issuer about this token.
 */
export function createHybridCheck(deps: HybridCheckDeps) {
  function rejectIfRevoked(verified: LocallyVerified): void {
    const kind = deps.set.revokes(verified.revocable)
    if (kind) throw new TesseraAuthError('token_revoked', { detail: `revoked by a ${kind} entry` })
  }

  async function afterFirstSnapshot(token: string, verified: LocallyVerified): Promise<void> {
    await deps.feed.settled(deps.startupWait)
    rejectIfRevoked(verified)
    if (deps.feed.staleness() > deps.maxStaleness) await whenStale(token)
  }

  /**
   * Settles at once (no promise) on the common path, a fresh feed: a hybrid check is on every
   * request, and each await is a turn of the microtask queue (bench/tools/ab-sdk-hybrid-hook.mjs).
   * `now` is the verifier's clock reading of this request, the one its expiry was checked at.
   */
  return function checkHybrid(token: string, verified: LocallyVerified, now: number): Promise<void> | undefined {
    const staleness = deps.feed.staleness(now)
    // Before the first snapshot the set is empty, not clean: wait for it, boundedly.
    if (staleness === Number.POSITIVE_INFINITY) return afterFirstSnapshot(token, verified)
    // A stale set is still right about what it holds: revocations only accumulate.
    rejectIfRevoked(verified)
    if (staleness <= deps.maxStaleness) return undefined
    return whenStale(token)
  }

  async function whenStale(token: string): Promise<void> {
    const detail = `no feed event for longer than maxStaleness (${deps.feed.lastError() ?? 'silent'})`
    if (!deps.introspect) throw new TesseraAuthError('stale_revocation_feed', { detail, retryAfter: 1 })
    let answer: Awaited<ReturnType<Introspect>>
    try {
      answer = await deps.introspect(token)
    } catch (error) {
      throw new TesseraAuthError('stale_revocation_feed', { detail: `${detail}; introspection failed too`, retryAfter: 1, cause: error })
    }
    if (!answer.active) throw new TesseraAuthError('token_revoked', { detail: 'inactive at introspection' })
  }
}
