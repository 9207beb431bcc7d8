/**
 * The asymmetric JWS algorithms a JWKS key may name (RFC 8725 §3.1). Symmetric (`HS*`) and `none`
 * are never accepted: a resource server holds only public keys. The allow-list for one token is
 * narrower still: the `alg` of the published key its `kid` names.
 */
export const ASYMMETRIC_ALGORITHMS: ReadonlySet<string> = new Set([
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
])
