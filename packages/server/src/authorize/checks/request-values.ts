/** The raw parameters of an authorization request, read strictly. */
export interface RequestValues {
  get(name: string): string | undefined
  all(name: string): string[]
  has(name: string): boolean
  /** Parameters that appeared more than once (RFC 6749 §3.1 forbids it, except `resource`). */
  repeated: Set<string>
  tooLong: boolean
}

export const MAX_VALUE_LENGTH = 2048

/** Reads query or form parameters; empty values count as absent (RFC 6749 §3.1). */
export function readRequestValues(raw: unknown): RequestValues {
  const map = new Map<string, string[]>()
  const repeated = new Set<string>()
  let tooLong = false
  if (raw && typeof raw === 'object') {
    for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
      const list = (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string' && item !== '')
      if (list.length === 0) continue
      if (list.length > 1 && name !== 'resource') repeated.add(name)
      if (list.some((item) => item.length > MAX_VALUE_LENGTH)) tooLong = true
      map.set(name, list)
    }
  }
  return {
    get: (name) => map.get(name)?.[0],
    all: (name) => map.get(name) ?? [],
    has: (name) => map.has(name),
    repeated,
    tooLong,
  }
}
