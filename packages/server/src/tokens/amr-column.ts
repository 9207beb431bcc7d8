/**
 * The RFC 8176 methods a code or token keeps from the authentication it came from (0026-token-amr),
 * as a JSON array in a text column. Null means "not recorded" (a machine token, or a row written
 * before 0026), and then the session's methods stand in, as they did before.
 */
export function amrToColumn(amr: readonly string[] | null | undefined): string | null {
  return amr ? JSON.stringify(amr) : null
}

export function amrFromColumn(value: string | null | undefined): string[] | null {
  if (value === null || value === undefined) return null
  try {
    const parsed = JSON.parse(value) as unknown
    return Array.isArray(parsed) && parsed.every((each) => typeof each === 'string') ? parsed : null
  } catch {
    return null
  }
}
