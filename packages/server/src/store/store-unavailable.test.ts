import { describe, expect, it } from 'vitest'
import { isStoreUnavailable } from './store-unavailable.js'

describe('which errors mean the store is unavailable', () => {
  it('recognises socket, PostgreSQL shutdown and pool errors', () => {
    const coded = (code: string) => Object.assign(new Error('x'), { code })
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'SQLITE_BUSY', '57P01', '57P03', '08006']) {
      expect(isStoreUnavailable(coded(code))).toBe(true)
    }
    expect(isStoreUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true)
    expect(isStoreUnavailable(new Error('Client has encountered a connection error and is not queryable'))).toBe(true)
    expect(isStoreUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true)
    // Node reports a refused dual-stack connect as an AggregateError of both attempts.
    expect(isStoreUnavailable(new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')]))).toBe(true)
  })

  it('leaves real bugs and constraint violations alone', () => {
    expect(isStoreUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false)
    expect(isStoreUnavailable(new TypeError('cannot read properties of undefined'))).toBe(false)
    expect(isStoreUnavailable('ECONNREFUSED')).toBe(false)
    expect(isStoreUnavailable(null)).toBe(false)
  })
})
