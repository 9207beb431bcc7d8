import { type TSchema, Type } from '@sinclair/typebox'
import { ERRORS } from '../shared/errors.js'

/**
 * Shared pieces of the admin API's schemas. Every body and query is closed
 * (`additionalProperties: false`: no mass assignment), every string bounded.
 */
export const closed = <T extends Parameters<typeof Type.Object>[0]>(properties: T, description?: string) =>
  Type.Object(properties, { additionalProperties: false, ...(description ? { description } : {}) })

export const UserId = Type.String({ pattern: '^usr_[A-Za-z0-9_-]{1,64}$', description: 'A user id (usr_…).' })
export const SessionId = Type.String({ pattern: '^[A-Za-z0-9_-]{22}$', description: 'A session id.' })
export const ClientId = Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$', description: 'An application client_id.' })
export const ApiId = Type.String({ pattern: '^api_[A-Za-z0-9_-]{1,64}$', description: 'An API id (api_…), not its identifier URI.' })
export const Kid = Type.String({ pattern: '^[A-Za-z0-9_-]{16,128}$', description: 'A signing key id (RFC 7638 thumbprint).' })
export const EndpointId = Type.String({ pattern: '^ep_[A-Za-z0-9_-]{1,64}$', description: 'A webhook endpoint id (ep_…).' })
export const Permission = Type.String({ pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,128}$', description: 'A scope token (RFC 6749 §3.3).' })

export const Email = Type.String({ minLength: 3, maxLength: 320, description: 'An email address.' })
/** The password policy enforces its own byte cap with its own code; this bounds the JSON string. */
export const Password = Type.String({ minLength: 1, maxLength: 4096, description: 'A new password (NIST SP 800-63B rules).' })
export const Name = Type.String({ minLength: 1, maxLength: 200 })

export const MAX_PAGE = 200
/** Query strings are strings (the app does not coerce types), so the page size is a bounded numeral. */
export const Limit = Type.String({
  pattern: '^(?:[1-9]|[1-9][0-9]|1[0-9]{2}|200)$',
  description: `Page size, 1 to ${MAX_PAGE} (default 50).`,
})
export const DEFAULT_PAGE = 50
export const Cursor = Type.String({ minLength: 1, maxLength: 512, description: 'The opaque `nextCursor` of the previous page.' })

export const Timestamp = Type.String({ format: 'date-time' })

/** RFC 9457 problem details, as every admin error is sent. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: `A stable error code: ${Object.keys(ERRORS).length} codes, see docs/http-api.md.` }),
    detail: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { description: 'RFC 9457 problem details with a stable `code`.' },
)

/** The error responses every admin route can give, plus its own. */
export function responses(ok: Record<number, TSchema>, extra: number[] = []): Record<number, TSchema> {
  const errors = Object.fromEntries([400, 401, 403, ...extra].map((status) => [status, ProblemSchema]))
  return { ...ok, ...errors }
}

export const NoContent = Type.Null({ description: 'No content.' })
