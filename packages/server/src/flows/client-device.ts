import type { FastifyRequest } from 'fastify'
import { type RequestDevice, requestDevice } from '../http/request-device.js'
import { LOCALES } from '../i18n/catalogues.js'
import { requestedLocale } from '../i18n/locale.js'

/**
 * The device facts of a JSON request, with the language its `Accept-Language` asks for (when
 * Tessera speaks it), so the messages a sign-up causes are in the user's language (issue 12 part 6).
 */
export function clientDevice(request: FastifyRequest): RequestDevice {
  const locale = requestedLocale(LOCALES, { acceptLanguage: request.headers['accept-language'] })
  return { ...requestDevice(request), ...(locale ? { locale } : {}) }
}
