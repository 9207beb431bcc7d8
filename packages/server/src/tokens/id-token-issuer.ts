import { createHash } from 'node:crypto'
import type { KeyService } from '../keys/key-service.js'
import type { SigningAlgorithm } from '../keys/signing-key.js'
import type { SigningKeyStore } from '../keys/signing-key-store.js'
import { acrOf } from '../sessions/session-acr.js'
import type { Clock } from '../shared/clock.js'
import type { User } from '../users/user.js'

/** ID tokens live five minutes: the client checks one at sign-in and keeps it only as a logout hint. */
export const ID_TOKEN_TTL_SECONDS = 300

export interface IdTokenInput {
  issuer: string
  user: User
  clientId: string
  sessionId: string
  /** Milliseconds. */
  authTime: number
  amr: string[]
  nonce: string | null
  scope: string[]
  accessToken: string
  /** Seconds. */
  iat: number
}

/**
 * OIDC Core §2 and §3.1.3.6: the claims of an ID token, as plain data. at_hash is the left half
 * of the hash of the access token, with the hash of the signing algorithm (SHA-256 for ES256,
 * RS256, PS256; SHA-512 for EdDSA with Ed25519).
 */
export function idTokenClaims(input: IdTokenInput, alg: SigningAlgorithm): Record<string, unknown> {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256')
    .update(input.accessToken, 'ascii')
    .digest()
  const claims: Record<string, unknown> = {
    iss: input.issuer,
    sub: input.user.id,
    aud: input.clientId,
    iat: input.iat,
    exp: input.iat + ID_TOKEN_TTL_SECONDS,
    auth_time: Math.floor(input.authTime / 1000),
    sid: input.sessionId,
    amr: input.amr,
    // OIDC Core §2: the acr the session reached (docs/mfa.md "What tokens say").
    acr: acrOf(input.amr),
    at_hash: digest.subarray(0, digest.length / 2).toString('base64url'),
    ...(input.nonce !== null ? { nonce: input.nonce } : {}),
  }
  // OIDC Core §5.4: the email scope's claims; email_verified once a link or code sent to it was used (docs/email.md).
  if (input.scope.includes('email')) Object.assign(claims, emailClaims(input.user))
  if (input.scope.includes('profile')) Object.assign(claims, profileClaims(input.user))
  return claims
}

export function emailClaims(user: User) {
  return { email: user.email, email_verified: user.emailVerified }
}

/** The profile claims Tessera holds: only when the user last changed. */
export function profileClaims(user: User) {
  return { updated_at: Math.floor(user.updatedAt / 1000) }
}

export type IdTokenIssuer = ReturnType<typeof createIdTokenIssuer>

/** Signs ID tokens with the active key (the same key and signer as access tokens). */
export function createIdTokenIssuer(deps: { keys: KeyService; clock: Clock }) {
  return {
    async issue(tx: { keys: SigningKeyStore } | undefined, input: Omit<IdTokenInput, 'iat'>): Promise<string> {
      const signer = await deps.keys.signer(tx)
      const iat = Math.floor(deps.clock.now() / 1000)
      return signer.sign('JWT', idTokenClaims({ ...input, iat }, signer.alg))
    },
  }
}
