import { describe, expect, it } from 'vitest'
import { problemOf } from './admin-client.js'

describe('problemOf', () => {
  it("keeps an RFC 9457 problem's stable code and detail", () => {
    const error = problemOf(409, { code: 'builtin_protected', title: 'This built-in object cannot be changed', detail: 'no' })
    expect(error).toMatchObject({ status: 409, code: 'builtin_protected', message: 'no' })
  })

  it('falls back to the title, then to the status, for bodies that are not problem documents', () => {
    expect(problemOf(403, { code: 'insufficient_scope', title: 'Forbidden' }).message).toBe('Forbidden')
    expect(problemOf(502, null)).toMatchObject({ code: 'http_502', message: 'HTTP 502' })
  })
})
