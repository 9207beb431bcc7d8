import { en } from './catalogues/en.js'
import { fr } from './catalogues/fr.js'

/** Every message key; the English catalogue defines them, and every other must have each one. */
export type MessageKey = keyof typeof en
export type Catalogue = Record<MessageKey, string>

/**
 * The languages Tessera speaks. Adding one is adding a file under catalogues/ typed `Catalogue`
 * (the compiler refuses a missing key) and one line here (docs/localization.md).
 */
export const CATALOGUES = { en, fr } as const satisfies Record<string, Catalogue>

export type Locale = keyof typeof CATALOGUES
export const LOCALES = Object.keys(CATALOGUES) as Locale[]

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as string[]).includes(value)
}
