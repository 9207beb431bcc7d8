import { describe, expect, it } from 'vitest'
import { createManualClock } from '../shared/clock.js'
import { createKeySetView } from './key-set-view.js'
import type { SigningKey } from './signing-key.js'

const TTL = 1000

function key(kid: string): SigningKey {
  return {
    kid,
    alg: 'ES256',
    state: 'active',
    publicJwk: {},
    encryptedPrivateKey: '',
    createdAt: 0,
    activatesAt: 0,
    retiredAt: null,
    removeAfter: null,
    revokedAt: null,
  }
}

/** A key table whose reads finish only when the test says, counting them. */
function slowTable() {
  const pending: { resolve: (keys: SigningKey[]) => void; reject: (error: Error) => void }[] = []
  return {
    reads: 0,
    read(this: { reads: number }) {
      this.reads++
      return new Promise<SigningKey[]>((resolve, reject) => pending.push({ resolve, reject }))
    },
    /** Answers the oldest read still waiting. */
    answer(keys: SigningKey[]) {
      pending.shift()?.resolve(keys)
    },
    /** Answers the newest read still waiting. */
    answerNewest(keys: SigningKey[]) {
      pending.pop()?.resolve(keys)
    },
    fail(error: Error) {
      pending.shift()?.reject(error)
    },
  }
}

function setUp() {
  const clock = createManualClock()
  const table = slowTable()
  const view = createKeySetView({ clock, ttlMs: TTL, read: () => table.read() })
  return { clock, table, view }
}

describe('key set view', () => {
  it('shares one read of the key table among concurrent misses, then serves the set until it is a TTL old', async () => {
    const { clock, table, view } = setUp()
    const reads = [view.current(), view.current(), view.current()]
    expect(table.reads).toBe(1)
    table.answer([key('a')])
    for (const read of reads) expect((await read).map((k) => k.kid)).toEqual(['a'])
    clock.advance(TTL - 1)
    expect((await view.current()).map((k) => k.kid)).toEqual(['a'])
    expect(table.reads).toBe(1)
    // A TTL after the read started, the set is read again, once for all who ask.
    clock.advance(1)
    const again = [view.current(), view.current()]
    expect(table.reads).toBe(2)
    table.answer([key('b')])
    for (const read of again) expect((await read).map((k) => k.kid)).toEqual(['b'])
  })

  it('never lets a read that starts after drop() join a read that began before it, nor keeps the older result', async () => {
    const { table, view } = setUp()
    const before = view.current()
    view.drop() // this instance rotated the keys while the table was being read
    const after = [view.current(), view.current()]
    expect(table.reads).toBe(2)
    // The newer read answers first; the older one, answered last, must not replace it.
    table.answerNewest([key('new')])
    table.answer([key('old')])
    expect((await before).map((k) => k.kid)).toEqual(['old'])
    for (const read of after) expect((await read).map((k) => k.kid)).toEqual(['new'])
    expect((await view.current()).map((k) => k.kid)).toEqual(['new'])
    expect(table.reads).toBe(2)
  })

  it('does not let an older read replace a set read after it', async () => {
    const { clock, table, view } = setUp()
    const first = view.current()
    table.answer([key('a')])
    await first
    clock.advance(TTL)
    const shared = view.current()
    // A transaction reads its own view meanwhile, and finishes first.
    clock.advance(10)
    const inTransaction = view.current(async () => [key('b')])
    expect((await inTransaction).map((k) => k.kid)).toEqual(['b'])
    table.answer([key('a')])
    await shared
    expect((await view.current()).map((k) => k.kid)).toEqual(['b'])
  })

  it('reads inside a transaction on its own: it neither joins a shared read nor is joined', async () => {
    const { table, view } = setUp()
    const shared = view.current()
    let transactionReads = 0
    const readInTransaction = async () => {
      transactionReads++
      return [key('tx')]
    }
    expect((await view.current(readInTransaction)).map((k) => k.kid)).toEqual(['tx'])
    expect(transactionReads).toBe(1)
    expect(table.reads).toBe(1)
    table.answer([key('pool')])
    expect((await shared).map((k) => k.kid)).toEqual(['pool'])
  })

  it('hands a failed read to every request that joined it, and reads again on the next request', async () => {
    const { table, view } = setUp()
    const reads = [view.current(), view.current()]
    table.fail(new Error('store unavailable'))
    for (const read of reads) await expect(read).rejects.toThrow('store unavailable')
    const next = view.current()
    expect(table.reads).toBe(2)
    table.answer([key('a')])
    expect((await next).map((k) => k.kid)).toEqual(['a'])
  })
})
