import { describe, expect, it } from 'vitest'
import { auditQuery, NO_FILTER } from './audit-filter.js'

describe('audit filter', () => {
  it('leaves empty fields out and trims the others', () => {
    expect(auditQuery({ ...NO_FILTER, actorKind: 'user', actorId: ' usr_1 ', action: '' })).toEqual({
      query: { actorKind: 'user', actorId: 'usr_1' },
      error: null,
    })
  })

  it('sends times as RFC 3339 instants', () => {
    const { query } = auditQuery({ ...NO_FILTER, since: '2026-01-02T03:04' })
    expect(query.since).toBe(new Date('2026-01-02T03:04').toISOString())
  })

  it('reports an impossible date instead of sending it', () => {
    expect(auditQuery({ ...NO_FILTER, until: 'not a date' }).error).toBe('until is not a date')
  })
})
