import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { cryptoRandom } from '../shared/random.js'
import {
  createRecoveryCodeHasher,
  generateRecoveryCodes,
  isRecoveryCodeShape,
  normalizeRecoveryCode,
  RECOVERY_CODE_COUNT,
} from './recovery-codes.js'

describe('recovery codes (NIST SP 800-63B §5.1.2 look-up secrets)', () => {
  it('generates ten distinct, readable codes of 60 bits', () => {
    const codes = generateRecoveryCodes(cryptoRandom)
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT)
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT)
    for (const code of codes) {
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/)
      expect(isRecoveryCodeShape(code)).toBe(true)
    }
  })

  it('stores a keyed hash: the same code under another key does not match, and the hash is not the code', () => {
    const hasher = createRecoveryCodeHasher(randomBytes(32))
    const [code] = generateRecoveryCodes(cryptoRandom) as [string]
    const stored = hasher.hash(code)
    expect(stored).not.toContain(normalizeRecoveryCode(code))
    expect(hasher.matches(code, stored)).toBe(true)
    expect(createRecoveryCodeHasher(randomBytes(32)).matches(code, stored)).toBe(false)
  })

  it('accepts what people type (case, spaces, missing dashes, I/L/O for 1/0) and nothing else', () => {
    const hasher = createRecoveryCodeHasher(randomBytes(32))
    const stored = hasher.hash('AB1C-D0EF-GH1J')
    for (const typed of ['ab1c-d0ef-gh1j', 'AB1CD0EFGH1J', ' ab1c d0ef gh1j ', 'ABIC-DOEF-GHLJ']) {
      expect(hasher.matches(typed, stored)).toBe(true)
    }
    for (const wrong of ['AB1C-D0EF-GH1K', 'AB1C-D0EF-GH1', '', 'AB1C-D0EF-GH1J-0000']) {
      expect(hasher.matches(wrong, stored)).toBe(false)
    }
    expect(isRecoveryCodeShape('AB1C-D0EF-GH1')).toBe(false)
    expect(isRecoveryCodeShape('AB1C-D0EF-GH1U')).toBe(false)
  })
})
