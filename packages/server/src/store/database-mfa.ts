/** Second factors (issue 13): one row per TOTP authenticator or WebAuthn credential of a user. */
export interface MfaFactorsTable {
  id: string
  user_id: string
  kind: 'totp' | 'webauthn'
  /** The user's name for it ("Phone", "YubiKey"). */
  name: string
  /** `pending` until the user proves possession (one TOTP code, or the WebAuthn registration). */
  status: 'pending' | 'active'
  /** TOTP: the base32 secret, AES-256-GCM under a subkey of the master key, bound to the row id. */
  totp_secret_sealed: string | null
  /** TOTP: the last time step accepted; a code of this step or an earlier one is a replay. */
  totp_last_step: number | null
  /** WebAuthn: the credential id, base64url; unique across users. */
  webauthn_credential_id: string | null
  /** WebAuthn: the COSE public key, base64url. */
  webauthn_public_key: string | null
  webauthn_counter: number | null
  /** WebAuthn: JSON array of transports the authenticator reported. */
  webauthn_transports: string | null
  /** WebAuthn: 1 when the credential is backed up (synced passkey). */
  webauthn_backed_up: number | null
  /** WebAuthn: `singleDevice` or `multiDevice`. */
  webauthn_device_type: string | null
  created_at: number
  confirmed_at: number | null
  last_used_at: number | null
}

/** Recovery codes: keyed hashes, single use; a new set replaces the old. */
export interface RecoveryCodesTable {
  user_id: string
  code_hash: string
  created_at: number
  used_at: number | null
}

/** WebAuthn challenges (issue 13): single use, short-lived, bound to the ceremony's purpose and user. */
export interface WebAuthnChallengesTable {
  id: string
  purpose: 'register' | 'second_factor' | 'passwordless'
  /** The user the ceremony is for; null for passwordless sign-in, where the credential names the user. */
  user_id: string | null
  /** base64url, as the client returns it in clientDataJSON. */
  challenge: string
  created_at: number
  expires_at: number
}
