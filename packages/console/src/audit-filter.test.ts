import { describe, expect, it } from 'vitest'
import { auditQuery, mergeNewer, NO_FILTER } from './audit-filter.js'

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

describe('the live tail merge', () => {
  it('puts only newer entries on top, newest first, and keeps what is shown', () => {
    const shown = [{ id: '12' }, { id: '9' }]
    expect(mergeNewer(shown, [{ id: '14' }, { id: '13' }, { id: '12' }, { id: '9' }])).toEqual({
      entries: [{ id: '14' }, { id: '13' }, { id: '12' }, { id: '9' }],
      added: 2,
    })
    expect(mergeNewer(shown, [{ id: '12' }])).toEqual({ entries: shown, added: 0 })
    expect(mergeNewer([], [{ id: '2' }, { id: '3' }])).toEqual({ entries: [{ id: '3' }, { id: '2' }], added: 2 })
  })
})
