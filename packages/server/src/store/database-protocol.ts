/** A DPoP proof seen (RFC 9449 §11.1), by the SHA-256 of its key thumbprint and jti (0021-dpop). */
export interface DpopProofsTable {
  id: string
  expires_at: number
}

/** A pushed authorization request (RFC 9126), single use (0020-pushed-authorization-requests). */
export interface PushedAuthorizationRequestsTable {
  /** SHA-256 of the random part of its `request_uri`: the reference itself is never stored. */
  id: string
  client_id: string
  /** The pushed parameters, checked when pushed and again when used: a JSON object of string arrays. */
  parameters: string
  created_at: number
  expires_at: number
}

/** An RFC 8628 device authorization, from its request to its single redemption (0024-device-authorizations). */
export interface DeviceAuthorizationsTable {
  id: string
  /** SHA-256 of the device code: the code itself is never stored. */
  device_code_hash: string
  /** HMAC-SHA-256 of the normalised user code, under a key of the master key (authorize/device-user-code.ts). */
  user_code_hash: string
  client_id: string
  /** Space-separated. */
  scope: string
  resource: string | null
  /** Seconds the device must wait between polls; raised by 5 on each `slow_down` (RFC 8628 §3.5). */
  poll_interval: number
  last_polled_at: number | null
  status: 'pending' | 'approved' | 'denied'
  /** The session of the user who approved; the device's tokens are bound to it. */
  session_id: string | null
  user_id: string | null
  auth_time: number | null
  /** JSON array: the approving session's RFC 8176 methods when it approved; null before, and in rows before 0029. */
  amr: string | null
  decided_at: number | null
  /** When the device redeemed it; a second redemption is a replay. */
  used_at: number | null
  /** The token family issued at redemption, revoked when the device code is replayed. */
  family_id: string | null
  created_at: number
  expires_at: number
}
