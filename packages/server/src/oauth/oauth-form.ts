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
  const values = new Map<string, string[]>()
  const fields = body as Record<string, unknown>
  for (const name of Object.keys(fields)) {
    const value = fields[name]
    // The usual case, one string, without the general path's arrays (issue 17).
    if (typeof value === 'string') {
      if (value !== '') values.set(name, [value])
      continue
    }
    const list = (Array.isArray(value) ? value : [value]).filter((item) => item !== '')
    if (list.some((item) => typeof item !== 'string'))
      throw new TesseraError('invalid_request', { detail: `malformed parameter ${name.slice(0, 40)}` })
    if (list.length > 1 && !MULTI.has(name))
      throw new TesseraError('invalid_request', { detail: `parameter ${name.slice(0, 40)} is repeated` })
    if (list.length > 0) values.set(name, list as string[])
  }
  return {
    get: (name) => values.get(name)?.[0],
    all: (name) => values.get(name) ?? [],
    has: (name) => values.has(name),
  }
}
