import { MAX_TOKEN_LENGTH } from '../tokens/compact-jws.js'

/** RFC 6750 §2.1 `b64token`, bounded: what may be sent to the issuer as a token at all. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/

export function isBearerTokenSyntax(token: unknown): token is string {
  return typeof token === 'string' && token.length <= MAX_TOKEN_LENGTH && B64TOKEN.test(token)
}
