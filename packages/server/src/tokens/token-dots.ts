// How introspection tells a token's format from its dots (tokens/introspection-service.ts).

/**
 * The dots in a token, counted up to five, without `split` (issue 17): two make three parts, a
 * compact JWS (RFC 7515 §7.1), a JWT access token; four, five parts, may be a compact JWE (RFC 7516
 * §7.1), which its pattern decides; an opaque token (`<id>.<secret>`) has one and is tested by neither.
 */
export function dotsIn(token: string): number {
  let dots = 0
  for (let at = token.indexOf('.'); at >= 0 && dots < 5; at = token.indexOf('.', at + 1)) dots++
  return dots
}
