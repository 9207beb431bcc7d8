import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { type ErrorCode, isTesseraError, type TesseraError } from '../shared/errors.js'
import { sendPage } from './html.js'
import { errorPage } from './pages.js'

/** What the hosted pages say for the errors a browser can meet there: our own words, never the request's. */
const PAGE_MESSAGES: Partial<Record<ErrorCode, string>> = {
  csrf_rejected: 'This form was sent from another site and was refused.',
  // RFC 6749 §4.1.2.1: the client or its redirect URI is not trusted, so the user is told, not the client.
  unknown_client: 'The application is not registered with this server.',
  redirect_uri_mismatch: 'The application sent an address to return to that it has not registered.',
  invalid_request: 'The sign-in request is not valid.',
  flow_expired: 'This sign-in request has expired or was started in another browser. Go back to the application and try again.',
  csrf_token_invalid: 'This form has expired. Go back to the application and try again.',
  duplicate_session_cookie:
    'Your browser sent two Tessera session cookies, so neither can be trusted. Clear the cookies of this site and try again.',
}

/** Sends the hosted error page for a typed error (its status, its `Retry-After`). */
export function sendErrorPage(reply: FastifyReply, error: TesseraError, message?: string): FastifyReply {
  if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter))
  return sendPage(reply, error.status, errorPage(message ?? PAGE_MESSAGES[error.code] ?? 'The request is not valid.'))
}

/**
 * An error handler for a plugin of hosted pages: the errors a browser can meet there become
 * pages; anything else goes on to the application's handler (a problem document).
 */
export function pageErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isTesseraError(error) && PAGE_MESSAGES[error.code] !== undefined) return sendErrorPage(reply, error)
  throw error
}
