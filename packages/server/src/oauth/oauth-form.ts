import { TesseraError } from '../shared/errors.js'

/** Parameters that may repeat: RFC 8707 allows several `resource` values. */
const MULTI = new Set(['resource'])

export interface OAuthForm {
  get(name: string): string | undefined
  all(name: string): string[]
  has(name: string): boolean
}

/**
 * Reads an `application/x-www-form-urlencoded` body strictly. RFC 6749 §3.1: parameters must not
 * repeat (except `resource`), and empty values are treated as absent. Anything in the query string
 * is refused: credentials and tokens never belong in a URL (RFC 6749 §2.3.1, RFC 9700 §4.3).
 */
export function readOAuthForm(body: unknown, query: unknown): OAuthForm {
  if (query && typeof query === 'object' && Object.keys(query).length > 0) {
    throw new TesseraError('invalid_request', { detail: 'parameters must be sent in the form body, not the URL' })
  }
  if (!body || typeof body !== 'object')
    throw new TesseraError('invalid_request', { detail: 'the body must be application/x-www-form-urlencoded' })
  const fields = body as Record<string, unknown>
  // The usual form, every parameter once as a string, is read where the parser left it (issue 17);
  // the general path below makes the lists only when a parameter repeats or is not a string.
  let lists: Map<string, string[]> | null = null
  for (const name of Object.keys(fields)) {
    const value = fields[name]
    if (typeof value === 'string') continue
    const list = (Array.isArray(value) ? value : [value]).filter((item) => item !== '')
    if (list.some((item) => typeof item !== 'string'))
      throw new TesseraError('invalid_request', { detail: `malformed parameter ${name.slice(0, 40)}` })
    if (list.length > 1 && !MULTI.has(name))
      throw new TesseraError('invalid_request', { detail: `parameter ${name.slice(0, 40)} is repeated` })
    if (list.length === 0) continue
    lists ??= new Map()
    lists.set(name, list as string[])
  }
  const repeated = lists
  const one = (name: string): string | undefined => {
    if (repeated?.has(name)) return repeated.get(name)?.[0]
    // Own fields only: a name such as `toString` or `__proto__` is absent, as it was from the Map.
    if (!Object.hasOwn(fields, name)) return undefined
    const value = fields[name]
    return typeof value === 'string' && value !== '' ? value : undefined
  }
  return {
    get: one,
    all: (name) => {
      if (repeated?.has(name)) return repeated.get(name) as string[]
      const value = one(name)
      return value === undefined ? [] : [value]
    },
    has: (name) => one(name) !== undefined || (repeated?.has(name) ?? false),
  }
}
