import type { Config } from './config-schema.js'

/** What a masked secret reads as: it is set, and nothing more. */
export const MASKED = '********'

/** Leaf names that hold a secret, now or in a key added later (fail closed: a match is masked). */
const SECRET_NAME = /(secret|password|passphrase|credentials?|token|key)$/i

/**
 * The effective configuration for an operator's eyes (GET /admin/v1/settings, the console's
 * Settings page), with every secret masked: a leaf whose name says it is a secret (the master key,
 * any password, secret, token or key) shows only whether it is set, and every URL loses its user
 * information and query string, where a database, Redis or SMTP URL carries credentials
 * (OWASP ASVS V8.3: no secret leaves the server in a response).
 */
export function publicSettings(config: Config): Record<string, unknown> {
  return mask(config as unknown as Record<string, unknown>) as Record<string, unknown>
}

function mask(value: unknown, name = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => mask(item, name))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, mask(item, key)]))
  }
  if (SECRET_NAME.test(name)) return value === '' || value === undefined || value === null ? '' : MASKED
  if (typeof value === 'string' && /url$/i.test(name)) return withoutCredentials(value)
  return value
}

function withoutCredentials(value: string): string {
  if (value === '') return ''
  if (!URL.canParse(value)) return MASKED // not a URL we can clean: say only that it is set
  const url = new URL(value)
  const masked = url.username !== '' || url.password !== ''
  url.username = ''
  url.password = ''
  const schema = url.searchParams.get('schema')
  url.search = schema === null ? '' : `?schema=${encodeURIComponent(schema)}`
  url.hash = ''
  // sqlite:PATH has no host: keep it as it is once its query is gone.
  return masked ? url.href.replace('//', `//${MASKED}@`) : url.href
}
