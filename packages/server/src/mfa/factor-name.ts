/** A factor's display name as the user gave it: printable characters only, trimmed, at most 64. */
export function cleanFactorName(name: string | undefined, fallback: string): string {
  const printable = [...(name ?? '')].filter((char) => char >= ' ' && char !== '\u007f').join('')
  const cleaned = printable.trim().slice(0, 64)
  return cleaned === '' ? fallback : cleaned
}
