import type { Clock } from '../../shared/clock.js'
import { sha256 } from '../../shared/digest.js'
import { TesseraError } from '../../shared/errors.js'
import type { DpopNonces } from './dpop-nonce.js'
import { type CheckedProof, checkDpopProof, DPOP_PROOF_FUTURE_LEEWAY_MS, DPOP_PROOF_MAX_AGE_MS } from './dpop-proof.js'
import type { DpopReplayStore } from './dpop-replay-store.js'

export interface DpopCheckDeps {
  /** Shared by every instance: the database, or Redis when configured. */
  replay: Pick<DpopReplayStore, 'remember'>
  /** Server nonces (RFC 9449 §8), when `tokens.dpopNonce` is on; null otherwise. */
  nonces: DpopNonces | null
  clock: Clock
}

export type DpopCheck = (
  header: string | string[] | undefined,
  expect: { method: string; url: string; accessToken?: string },
) => Promise<CheckedProof | null>

/**
 * The whole check of a request's `DPoP` header (RFC 9449 §4.3): none is null; more than one, a bad
 * proof, a missing or stale server nonce, or a proof seen before (on any instance) is refused.
 */
export function createDpopCheck(deps: DpopCheckDeps): DpopCheck {
  return async (header, expect) => {
    if (header === undefined) return null
    // RFC 9449 §4.3 step 1: exactly one DPoP header (Node joins repeated ones with a comma, which no JWS holds).
    if (Array.isArray(header)) throw new TesseraError('invalid_dpop_proof', { detail: 'send one DPoP header' })
    const now = deps.clock.now()
    const proof = await checkDpopProof(header, { ...expect, now })
    if (deps.nonces && (proof.nonce === null || !deps.nonces.isValid(proof.nonce, now))) {
      throw new TesseraError('use_dpop_nonce', { detail: 'use the nonce in the DPoP-Nonce header' })
    }
    // RFC 9449 §11.1: a proof is accepted once; it is remembered for as long as it could be accepted.
    const fresh = await deps.replay.remember(
      sha256(`${proof.jkt}:${proof.jti}`),
      proof.iat + DPOP_PROOF_MAX_AGE_MS + DPOP_PROOF_FUTURE_LEEWAY_MS,
      proof.iat,
    )
    if (!fresh) throw new TesseraError('invalid_dpop_proof', { detail: 'the DPoP proof was used before' })
    return proof
  }
}
