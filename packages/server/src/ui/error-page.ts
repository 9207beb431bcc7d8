import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { Translator } from '../i18n/translator.js'
import { type ErrorCode, isTesseraError, type TesseraError } from '../shared/errors.js'
import { sendPage } from './html.js'
import { type PageTranslator, pageTranslator } from './page-translator.js'
import { errorPage } from './pages.js'

/** The errors a browser can meet on the hosted pages: our own words (i18n/catalogues/), never the request's. */
const PAGE_ERRORS: readonly ErrorCode[] = [
  'csrf_rejected',
  // RFC 6749 §4.1.2.1: the client or its redirect URI is not trusted, so the user is told, not the client.
  'unknown_client',
  'redirect_uri_mismatch',
  'invalid_request',
  'flow_expired',
  'csrf_token_invalid',
  'duplicate_session_cookie',
  'step_up_mismatch',
]

/** What a page says for an error code: its catalogue message, or the table's title when it has none. */
export function pageMessage(t: Translator, code: ErrorCode, fallback: string): string {
  const key = `error.${code}`
  return t.has(key) ? t.t(key) : fallback
}

/** Sends the hosted error page for a typed error (its status, its `Retry-After`). */
export function sendErrorPage(reply: FastifyReply, error: TesseraError, message?: string, t?: Translator): FastifyReply {
  if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter))
  const translator = t ?? pageTranslator('en')(reply.request)
  const text =
    message ??
    (PAGE_ERRORS.includes(error.code) ? pageMessage(translator, error.code, error.message) : translator.t('error.invalid_request'))
  return sendPage(reply, error.status, errorPage(text, translator))
}

/**
 * An error handler for a plugin of hosted pages: the errors a browser can meet there become
 * pages, in the page's language; anything else goes on to the application's handler (a problem document).
 */
export function pageErrorHandlerFor(translate: PageTranslator) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (isTesseraError(error) && PAGE_ERRORS.includes(error.code)) return sendErrorPage(reply, error, undefined, translate(request))
    throw error
  }
}

/** The handler with English as the default language. */
export const pageErrorHandler = pageErrorHandlerFor(pageTranslator('en'))
