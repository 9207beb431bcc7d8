import type { FastifyRequest } from 'fastify'
import { LOCALES, type Locale } from '../i18n/catalogues.js'
import { negotiateLocale } from '../i18n/locale.js'
import { createTranslator, type Translator } from '../i18n/translator.js'

/**
 * The translator for a hosted page: the authorization request's `ui_locales` when the page serves
 * one, then the browser's `Accept-Language`, then the configured default (issue 12 part 6).
 */
export type PageTranslator = (request: FastifyRequest, uiLocales?: string | null) => Translator

export function pageTranslator(fallback: Locale): PageTranslator {
  return (request, uiLocales) =>
    createTranslator(
      negotiateLocale(LOCALES, { uiLocales: uiLocales ?? null, acceptLanguage: request.headers['accept-language'], fallback }),
    )
}

/** English: what a page says when no translator was handed to it. */
export const ENGLISH: Translator = createTranslator('en')
