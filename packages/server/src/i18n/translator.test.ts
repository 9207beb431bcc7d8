import { describe, expect, it } from 'vitest'
import { CATALOGUES, type Catalogue, LOCALES, type MessageKey } from './catalogues.js'
import { createTranslator } from './translator.js'

/** Sample values for every variable a message may name. */
const VALUES = {
  title: 'T',
  product: 'Tessera',
  app: 'App',
  email: 'ann@example.com',
  newEmail: 'new@example.com',
  scope: 'read',
  min: 8,
  minutes: 30,
  hours: 24,
  support: 'help@example.com',
  created: '2026-01-01',
  active: '2026-01-02',
  api: 'Example API',
  code: 'BCDF-GHJK',
  name: 'GitHub',
  count: 3,
  added: '2026-01-01',
  used: '2026-01-02',
  connection: 'GitHub',
  date: '2026-01-03',
}

const variablesOf = (message: string) => new Set([...message.matchAll(/\{(\w+)/g)].map((match) => match[1]))

describe('message catalogues', () => {
  it('has every English key in every language, and no other key', () => {
    const keys = Object.keys(CATALOGUES.en).sort()
    for (const locale of LOCALES) expect(Object.keys(CATALOGUES[locale]).sort(), locale).toEqual(keys)
  })

  it('formats every message of every language, with the same variables as the English one', () => {
    for (const locale of LOCALES) {
      const t = createTranslator(locale)
      const catalogue: Catalogue = CATALOGUES[locale]
      for (const key of Object.keys(catalogue) as MessageKey[]) {
        expect(variablesOf(catalogue[key]), `${locale} ${key}`).toEqual(variablesOf(CATALOGUES.en[key]))
        const text = t.parts(key, VALUES, { b: (chunks) => chunks.join('') }).join('')
        expect(text.length, `${locale} ${key}`).toBeGreaterThan(0)
        expect(text, `${locale} ${key}`).not.toMatch(/[{}]/)
      }
    }
  })

  it('applies the plural rules of each language', () => {
    const values = { email: 'a@b.c', product: 'Tessera' }
    expect(createTranslator('en').t('email.password_reset.p1', { ...values, minutes: 1 })).toContain('for 1 minute.')
    expect(createTranslator('en').t('email.password_reset.p1', { ...values, minutes: 30 })).toContain('for 30 minutes.')
    expect(createTranslator('fr').t('email.verify_email.p1', { email: 'a@b.c', hours: 1 })).toContain('pendant 1 heure.')
    expect(createTranslator('fr').t('email.verify_email.p1', { email: 'a@b.c', hours: 24 })).toContain('pendant 24 heures.')
  })

  it('refuses a message whose variable is missing, rather than sending a blank', () => {
    expect(() => createTranslator('fr').t('email.password_reset.p1', { product: 'Tessera' })).toThrow()
  })
})
