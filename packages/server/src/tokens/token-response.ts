/** RFC 6749 §5.1 (and RFC 8693 §2.2.1 for `issued_token_type`). */
export interface TokenResponse {
  access_token: string
  /** RFC 9449 §5: `DPoP` for a DPoP-bound access token. */
  token_type: 'Bearer' | 'DPoP'
  expires_in: number
  scope: string
  refresh_token?: string
  issued_token_type?: string
}

export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'
export const SESSION_TOKEN_TYPE = 'urn:tessera:token-type:session'
