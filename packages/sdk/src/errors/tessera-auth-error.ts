import { AUTH_ERRORS, type AuthErrorCode, type BearerErrorName } from './auth-error-codes.js'

/**
 * Options of a {@link TesseraAuthError}.
 *
 * @example
 * const options: TesseraAuthErrorOptions = { detail: 'the token has no kid', scopes: [] }
 */
export interface TesseraAuthErrorOptions {
  /** Why, for logs. Never holds a token, a secret or a claim value. */
  detail?: string
  /** For `insufficient_scope`: the scopes the resource requires (RFC 6750 §3 `scope`). */
  scopes?: readonly string[]
  /** For `insufficient_user_authentication`: the acceptable `acr` values (RFC 9470 §3 `acr_values`). */
  acrValues?: readonly string[]
  /** For `insufficient_user_authentication`: the allowed age of the authentication, seconds (RFC 9470 §3 `max_age`). */
  maxAge?: number
  /** For 503s: seconds after which a retry may succeed (`Retry-After`). */
  retryAfter?: number
  /** The underlying failure (a network error, say), for logs. */
  cause?: unknown
}

/**
 * The one error the SDK throws. Match on `code`, which is stable; the message may change and
 * never contains the token.
 *
 * @example
 * try {
 *   await verifier.verify(token, { scopes: ['orders:read'] })
 * } catch (error) {
 *   if (error instanceof TesseraAuthError && error.code === 'insufficient_scope') reply.status(403)
 *   else throw error
 * }
 */
export class TesseraAuthError extends Error {
  readonly code: AuthErrorCode
  /** The HTTP status a resource server should answer with. */
  readonly status: number
  /** The RFC 6750 error name, or null when the challenge carries none (no token) or the answer is not a challenge (503). */
  readonly oauthError: BearerErrorName | null
  readonly detail: string | undefined
  readonly scopes: readonly string[]
  readonly retryAfter: number | undefined
  readonly acrValues: readonly string[]
  readonly maxAge: number | undefined

  constructor(code: AuthErrorCode, options: TesseraAuthErrorOptions = {}) {
    // A refusal of the request (a 4xx code: the token or header is not good enough) is an answer,
    // not a fault: it carries no stack frames, whose capture was most of its cost (~9 of ~10 µs at
    // the depth of a verify()); a failure of the verifier (5xx) keeps them (docs/sdk.md, Errors;
    // docs/architecture.md §9).
    // The message and options are read first: nothing that could throw runs while the limit is 0.
    const message = options.detail ? `${AUTH_ERRORS[code].title}: ${options.detail}` : AUTH_ERRORS[code].title
    const errorOptions = { cause: options.cause }
    const refusal = AUTH_ERRORS[code].status < 500
    const limit = refusal ? stackTraceLimit(0) : undefined
    super(message, errorOptions)
    if (refusal) stackTraceLimit(limit)
    this.name = 'TesseraAuthError'
    this.code = code
    this.status = AUTH_ERRORS[code].status
    this.oauthError = AUTH_ERRORS[code].oauthError
    this.detail = options.detail
    this.scopes = options.scopes ?? []
    this.retryAfter = options.retryAfter
    this.acrValues = options.acrValues ?? []
    this.maxAge = options.maxAge
  }
}

/** Set `Error.stackTraceLimit` (when the host lets us: a frozen `Error` keeps its frames) and return what it was. */
function stackTraceLimit(value: number | undefined): number | undefined {
  const previous = Error.stackTraceLimit
  try {
    Error.stackTraceLimit = value as number
  } catch {
    // A locked-down realm: the error keeps its frames.
  }
  return previous
}

/**
 * Narrow an unknown error, optionally to one code.
 *
 * @example
 * if (isTesseraAuthError(error, 'stale_revocation_feed')) metrics.staleRejections.inc()
 */
export function isTesseraAuthError(error: unknown, code?: AuthErrorCode): error is TesseraAuthError {
  return error instanceof TesseraAuthError && (code === undefined || error.code === code)
}
