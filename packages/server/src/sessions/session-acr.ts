/**
 * Tessera's authentication context class references, weakest first (docs/architecture.md §2,
 * docs/mfa.md "What tokens say"). The SDK's step-up check orders them the same way.
 */
export const ACR_VALUES = ['urn:tessera:acr:sfa', 'urn:tessera:acr:mfa', 'urn:tessera:acr:phr'] as const

export type Acr = (typeof ACR_VALUES)[number]

/**
 * The acr a session reached, from its RFC 8176 `amr`:
 * - `phr` (phishing-resistant) when a user-verifying passkey proved it: `hwk` and `user` together
 *   (NIST 800-63B §5.2.5: a verifier-impersonation-resistant authenticator; user verification makes it multi-factor);
 * - `mfa` when the session records `mfa` (two distinct factors, NIST 800-63B §4.2.1);
 * - `sfa` otherwise.
 */
export function acrOf(amr: readonly string[]): Acr {
  if (amr.includes('hwk') && amr.includes('user')) return 'urn:tessera:acr:phr'
  if (amr.includes('mfa')) return 'urn:tessera:acr:mfa'
  return 'urn:tessera:acr:sfa'
}

/** Whether a session at `reached` meets a request for any of `requested` (unknown values are ignored; none known means met). */
export function acrSatisfies(reached: Acr, requested: readonly string[]): boolean {
  const known = requested.filter((value): value is Acr => (ACR_VALUES as readonly string[]).includes(value))
  if (known.length === 0) return true
  const rank = ACR_VALUES.indexOf(reached)
  return known.some((value) => ACR_VALUES.indexOf(value) <= rank)
}
