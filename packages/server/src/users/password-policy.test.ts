import { describe, expect, it } from 'vitest'
import { TesseraError } from '../shared/errors.js'
import { loadPasswordList } from './common-passwords.js'
import { checkNewPassword, checkPasswordSize, type PasswordPolicy } from './password-policy.js'

const policy: PasswordPolicy = { minLength: 8, maxLength: 64, maxBytes: 256, blocklist: new Set(['iloveyou2', 'baseball1']) }
const context = { email: 'ann.lee@example.com' }

function codeOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    if (error instanceof TesseraError) return error.code
    throw error
  }
  return 'accepted'
}

describe('checkNewPassword (NIST SP 800-63B)', () => {
  it('accepts any long enough password without composition rules', () => {
    expect(checkNewPassword('all lower case words', policy, context)).toBe('all lower case words')
    expect(codeOf(() => checkNewPassword('12345678901234', policy, context))).toBe('accepted')
  })

  it('counts characters, not bytes or UTF-16 units', () => {
    expect(codeOf(() => checkNewPassword('🔑🔑🔑🔑🔑🔑🔑', policy, context))).toBe('password_too_short')
    expect(codeOf(() => checkNewPassword('🔑🔑🔑🔑🔑🔑🔑🔑', policy, context))).toBe('accepted')
  })

  it('refuses passwords below the minimum and above the maximum length', () => {
    expect(codeOf(() => checkNewPassword('short12', policy, context))).toBe('password_too_short')
    expect(codeOf(() => checkNewPassword('x'.repeat(65), policy, context))).toBe('password_too_long')
    expect(codeOf(() => checkNewPassword('x'.repeat(64), policy, context))).toBe('accepted')
  })

  it('applies the byte cap before anything else', () => {
    expect(codeOf(() => checkPasswordSize('é'.repeat(129), policy))).toBe('password_too_long')
    expect(codeOf(() => checkNewPassword('é'.repeat(129), policy, context))).toBe('password_too_long')
  })

  it('normalises to NFC, so composed and decomposed forms are one password', () => {
    expect(checkNewPassword('cafe\u0301 au lait', policy, context)).toBe('caf\u00e9 au lait')
  })

  it('refuses listed passwords whatever their case, with a reason', () => {
    try {
      checkNewPassword('ILoveYou2', policy, context)
      expect.unreachable()
    } catch (error) {
      expect((error as TesseraError).code).toBe('password_too_common')
      expect((error as TesseraError).detail).toMatch(/common or breached/)
    }
  })

  it('refuses context-specific passwords: the email, its name part, the service name', () => {
    expect(codeOf(() => checkNewPassword('ann.lee@example.com', policy, context))).toBe('password_too_common')
    expect(codeOf(() => checkNewPassword('Ann.Lee!', policy, { email: 'ann.leee@example.com' }))).toBe('accepted')
    expect(codeOf(() => checkNewPassword('ann.leee', policy, { email: 'ann.leee@example.com' }))).toBe('password_too_common')
    expect(codeOf(() => checkNewPassword('my tessera login', policy, context))).toBe('password_too_common')
  })
})

describe('the shipped common-password list', () => {
  const list = loadPasswordList()

  it('holds thousands of entries, all 8+ characters and lower-case', () => {
    expect(list.size).toBeGreaterThan(10_000)
    for (const entry of list) {
      expect([...entry].length).toBeGreaterThanOrEqual(8)
      expect(entry).toBe(entry.toLowerCase())
    }
  })

  it('contains the passwords every breach list starts with', () => {
    for (const entry of ['password', '12345678', 'qwertyuiop', 'iloveyou', 'sunshine']) expect(list.has(entry)).toBe(true)
    expect(list.has('# common and breached passwords')).toBe(false)
  })
})
