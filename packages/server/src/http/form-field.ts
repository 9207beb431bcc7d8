/** One string field of a parsed query or form; a repeated or non-string field counts as absent. */
export function field(source: unknown, name: string): string | undefined {
  if (!source || typeof source !== 'object') return undefined
  const value = (source as Record<string, unknown>)[name]
  return typeof value === 'string' ? value : undefined
}
