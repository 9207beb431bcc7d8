/** A second factor of a user (issue 13): an authenticator app (TOTP) or a WebAuthn credential. */
export interface MfaFactor {
  id: string
  userId: string
  kind: 'totp' | 'webauthn'
  name: string
  status: 'pending' | 'active'
  totp: { sealedSecret: string; lastStep: number | null } | null
  webauthn: WebAuthnCredential | null
  createdAt: number
  confirmedAt: number | null
  lastUsedAt: number | null
}

export interface WebAuthnCredential {
  /** base64url */
  credentialId: string
  /** The COSE public key, base64url. */
  publicKey: string
  counter: number
  transports: string[]
  backedUp: boolean
  deviceType: 'singleDevice' | 'multiDevice'
}

/** What a user or an operator sees of a factor: never its secret or key. */
export function presentFactor(factor: MfaFactor) {
  return {
    id: factor.id,
    kind: factor.kind,
    name: factor.name,
    createdAt: new Date(factor.createdAt).toISOString(),
    lastUsedAt: factor.lastUsedAt === null ? null : new Date(factor.lastUsedAt).toISOString(),
    ...(factor.webauthn ? { backedUp: factor.webauthn.backedUp } : {}),
  }
}
