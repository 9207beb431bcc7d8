import type { FastifyError, FastifyInstance } from 'fastify'
import { type ErrorCode, isTesseraError, TesseraError } from '../shared/errors.js'
import { isStoreUnavailable } from '../store/store-unavailable.js'
import { sendOAuthError } from './oauth-error-response.js'
import { sendProblem } from './problem.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * How the route's errors are rendered: `'oauth'` for RFC 6749 §5.2 JSON (`{ error,
     * error_description }`, the OAuth name from the error table); RFC 9457 problem documents
     * otherwise (the default).
     */
    errors?: 'oauth' | 'problem'
  }
}

/**
 * Failures that are expected in operation, counted per burst instead of logged one by one; a full
 * password-estimate queue (users/password-estimate-pool.ts) is load, not a fault.
 */
export type ExpectedFailure = Extract<ErrorCode, 'store_unavailable' | 'rate_limited' | 'password_check_busy'>
const EXPECTED: readonly ErrorCode[] = ['store_unavailable', 'rate_limited', 'password_check_busy'] satisfies ExpectedFailure[]

export interface ErrorHandlingDeps {
  /** Called for each expected failure (with the cause), instead of an error line with a stack. */
  expectedFailure: (code: ExpectedFailure, cause: unknown) => void
  /** Sees the code of every error answered (the metrics' error counter). */
  observe?: (code: ErrorCode) => void
}

/**
 * The one place where errors become HTTP responses. Every failure is a problem document with a
 * stable code, or RFC 6749 §5.2 JSON on a route whose config says `errors: 'oauth'`; nothing else
 * (no stack, no driver message) reaches the client.
 */
export function installErrorHandling(app: FastifyInstance, deps?: ErrorHandlingDeps): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const mapped = mapError(error)
    deps?.observe?.(mapped.code)
    if (EXPECTED.includes(mapped.code)) {
      // Without a burst log (a bare app in a test), one warning line, still without a stack.
      if (deps) deps.expectedFailure(mapped.code as ExpectedFailure, error)
      else request.log.warn({ code: mapped.code }, 'request refused')
    } else if (mapped.status >= 500) request.log.error({ err: error }, 'request failed')
    // OAuth endpoints answer in RFC 6749 §5.2 form; everything else in RFC 9457 form.
    if (request.routeOptions.config.errors === 'oauth') return sendOAuthError(reply, mapped)
    return sendProblem(reply, mapped)
  })
  app.setNotFoundHandler((_request, reply) => {
    deps?.observe?.('not_found')
    return sendProblem(reply, new TesseraError('not_found'))
  })
}

function mapError(error: FastifyError): TesseraError {
  if (isTesseraError(error)) return error
  if (error.validation) {
    return new TesseraError('invalid_request', {
      detail: 'The request does not match the schema.',
      errors: error.validation.map((issue) => ({
        path: issue.instancePath || `/${String((issue.params as { missingProperty?: string }).missingProperty ?? '')}`,
        message: issue.message ?? 'is invalid',
      })),
    })
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new TesseraError('payload_too_large')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new TesseraError('unsupported_media_type')
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new TesseraError('malformed_json')
  }
  if (error instanceof SyntaxError || /prototype property/.test(error.message)) return new TesseraError('malformed_json')
  if (isStoreUnavailable(error)) return new TesseraError('store_unavailable')
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new TesseraError('invalid_request', { detail: error.message })
  }
  return new TesseraError('internal_error')
}
