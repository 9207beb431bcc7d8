import type { JWK } from 'jose'

/** RFC 8725 §3.1: a fixed allow-list of algorithms; ES256 by default. */
export const SIGNING_ALGORITHMS = ['ES256', 'EdDSA', 'RS256', 'PS256'] as const
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number]

/**
 * next: published, not signing yet. active: signing. retired: published until every token it
 * signed has expired. removed: gone. revoked: unpublished at once and written to the revocation log.
 */
export type KeyState = 'next' | 'active' | 'retired' | 'removed' | 'revoked'

export interface SigningKey {
  kid: string
  alg: SigningAlgorithm
  state: KeyState
  /** Public members only. */
  publicJwk: JWK
  /** The private key, PKCS#8, encrypted under the master key (see key-encryption.ts). */
  encryptedPrivateKey: string
  createdAt: number
  /** When a `next` key starts signing. */
  activatesAt: number | null
  retiredAt: number | null
  /** When a retired key leaves the JWKS. */
  removeAfter: number | null
  revokedAt: number | null
}

export interface RotationPolicy {
  /** How long a key signs before its successor takes over. */
  rotationIntervalMs: number
  /** How long a new key is published before it signs: at least one JWKS cache lifetime. */
  prePublishMs: number
  /** The longest lifetime of anything a key signs; a retired key stays published this long. */
  maxTokenLifetimeMs: number
}

export type RotationStep =
  | { kind: 'create_active' }
  | { kind: 'create_next'; activatesAt: number }
  | { kind: 'promote'; next: string; retire: string | null }
  | { kind: 'remove'; kid: string }

/**
 * The rotation schedule as a pure function of the key set and the time: what to do now.
 * Steps are applied in order; applying them and asking again yields no steps.
 */
export function planRotation(keys: readonly SigningKey[], policy: RotationPolicy, now: number): RotationStep[] {
  const steps: RotationStep[] = []
  const active = keys.find((key) => key.state === 'active')
  const next = keys.find((key) => key.state === 'next')

  if (next && next.activatesAt !== null && next.activatesAt <= now) {
    steps.push({ kind: 'promote', next: next.kid, retire: active?.kid ?? null })
  } else if (!active) {
    // No signing key at all (first start, or the active key was revoked with no successor):
    // sign at once. A published `next` key would be better, but there is nothing to wait for.
    if (next) steps.push({ kind: 'promote', next: next.kid, retire: null })
    else steps.push({ kind: 'create_active' })
  } else if (!next) {
    const since = active.activatesAt ?? active.createdAt
    const due = since + policy.rotationIntervalMs
    if (due - policy.prePublishMs <= now) steps.push({ kind: 'create_next', activatesAt: Math.max(due, now + policy.prePublishMs) })
  }
  for (const key of keys) {
    if (key.state === 'retired' && key.removeAfter !== null && key.removeAfter <= now) steps.push({ kind: 'remove', kid: key.kid })
  }
  return steps
}

/** Keys a verifier may meet: everything published. */
export function isPublished(key: SigningKey): boolean {
  return key.state === 'next' || key.state === 'active' || key.state === 'retired'
}
