import { describe, expect, it } from 'vitest'
import { normalizeEmail } from './email.js'

describe('normalizeEmail', () => {
  it('trims, lower-cases and NFC-normalises', () => {
    expect(normalizeEmail('  Ann.Lee@Example.COM ')).toBe('ann.lee@example.com')
    expect(normalizeEmail('jose\u0301@example.com')).toBe('jos\u00e9@example.com')
  })

  it('keeps provider-specific parts: dots and +tags are not rewritten', () => {
    expect(normalizeEmail('a.b+tag@gmail.com')).toBe('a.b+tag@gmail.com')
  })

  it('stores an internationalised domain in its ASCII form', () => {
    expect(normalizeEmail('ann@bücher.example')).toBe('ann@xn--bcher-kva.example')
  })

  it.each([
    '',
    'ann',
    '@example.com',
    'ann@',
    'ann@localhost',
    'ann@@example.com',
    'a nn@example.com',
    'ann@exa mple.com',
    'ann\u0000@example.com',
    '<ann>@example.com',
    `${'a'.repeat(65)}@example.com`,
    `ann@${'a'.repeat(250)}.com`,
    'ann@-example.com',
    'ann@example..com',
  ])('refuses %j', (input) => {
    expect(normalizeEmail(input)).toBeNull()
  })
})
