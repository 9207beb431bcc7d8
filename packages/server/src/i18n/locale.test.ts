import { describe, expect, it } from 'vitest'
import { LOCALES } from './catalogues.js'
import { negotiateLocale, parseAcceptLanguage, parseUiLocales, requestedLocale } from './locale.js'

describe('choosing the language (issue 12 part 6)', () => {
  it('orders Accept-Language by q-value, keeping the written order for equal weights, and drops q=0 and junk', () => {
    expect(parseAcceptLanguage('de;q=0.5, fr-CA, en;q=0.8, es;q=0, <script>, it;q=2')).toEqual(['fr-ca', 'en', 'de'])
    expect(parseAcceptLanguage('en, fr')).toEqual(['en', 'fr'])
    expect(parseAcceptLanguage(undefined)).toEqual([])
  })

  it('reads ui_locales as space-separated tags in preference order', () => {
    expect(parseUiLocales('fr-CA  en <b>')).toEqual(['fr-ca', 'en'])
  })

  it('prefers ui_locales, then Accept-Language, then the default, with RFC 4647 lookup (fr-CA finds fr)', () => {
    expect(negotiateLocale(LOCALES, { uiLocales: 'fr-CA', acceptLanguage: 'en', fallback: 'en' })).toBe('fr')
    expect(negotiateLocale(LOCALES, { uiLocales: 'ja', acceptLanguage: 'de, fr;q=0.9, en;q=0.8', fallback: 'en' })).toBe('fr')
    expect(negotiateLocale(LOCALES, { acceptLanguage: 'ja, de', fallback: 'fr' })).toBe('fr')
    expect(negotiateLocale(LOCALES, { acceptLanguage: '*', fallback: 'fr' })).toBe('fr')
    expect(negotiateLocale(LOCALES, { fallback: 'en' })).toBe('en')
  })

  it('says "none asked for" when the request names no language Tessera speaks, so the configured default applies', () => {
    expect(requestedLocale(LOCALES, { acceptLanguage: 'ja' })).toBeUndefined()
    expect(requestedLocale(LOCALES, { acceptLanguage: 'ja, fr-BE;q=0.3' })).toBe('fr')
  })

  it('reads a bounded part of a huge header', () => {
    const huge = `${'xx, '.repeat(10_000)}fr`
    expect(negotiateLocale(LOCALES, { acceptLanguage: huge, fallback: 'en' })).toBe('en')
  })
})
