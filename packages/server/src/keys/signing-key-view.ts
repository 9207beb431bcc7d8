import type { SigningKey } from './signing-key.js'

/** The public view of a signing key, for the CLI and the admin API: never the private key. */
export function presentKey(key: SigningKey) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
  return {
    kid: key.kid,
    alg: key.alg,
    state: key.state,
    createdAt: iso(key.createdAt),
    activatesAt: iso(key.activatesAt),
    retiredAt: iso(key.retiredAt),
    removeAfter: iso(key.removeAfter),
    revokedAt: iso(key.revokedAt),
  }
}
