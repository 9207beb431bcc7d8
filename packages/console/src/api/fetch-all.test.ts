import { describe, expect, it } from 'vitest'
import { fetchAll, MAX_PICKER_PAGES } from './fetch-all.js'

describe('fetchAll', () => {
  it('follows the cursors to the last page, asking for pages of 200', async () => {
    const calls: (Record<string, string | undefined> | undefined)[] = []
    const pages: Record<string, { roles: string[]; nextCursor: string | null }> = {
      start: { roles: ['a', 'b'], nextCursor: 'c1' },
      c1: { roles: ['c'], nextCursor: null },
    }
    const api = {
      get: async <T>(_path: string, query?: Record<string, string | undefined>) => {
        calls.push(query)
        return pages[query?.cursor ?? 'start'] as T
      },
    }
    expect(await fetchAll<string, 'roles'>(api, '/roles', 'roles')).toEqual(['a', 'b', 'c'])
    expect(calls).toEqual([
      { limit: '200', cursor: undefined },
      { limit: '200', cursor: 'c1' },
    ])
  })

  it('stops after a bounded number of pages', async () => {
    let calls = 0
    const api = {
      get: async <T>() => {
        calls += 1
        return { apis: ['x'], nextCursor: 'again' } as T
      },
    }
    expect(await fetchAll<string, 'apis'>(api, '/apis', 'apis')).toHaveLength(MAX_PICKER_PAGES)
    expect(calls).toBe(MAX_PICKER_PAGES)
  })
})
