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
