import { describe, expect, it } from 'vitest'
import { flattenSettings } from './settings-page.js'

describe('settings rows', () => {
  it('flattens sections into dotted paths and says when a value is not set', () => {
    expect(
      flattenSettings({
        issuer: 'https://id.example',
        masterKey: '',
        session: { idleTimeout: 60, cookie: { secure: true } },
        list: ['a', 'b'],
      }),
    ).toEqual([
      ['issuer', 'https://id.example'],
      ['masterKey', '(not set)'],
      ['session.idleTimeout', '60'],
      ['session.cookie.secure', 'true'],
      ['list', 'a, b'],
    ])
  })
})
