import { setImmediate as nextTurn } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { coalescedReads } from './coalesced-reads.js'

// The batching rules of coalescedReads (the session check on PostgreSQL): one query per turn of the
// event loop, never a read joining a query already sent, at most `maxInFlight` queries at once.

type Row = { id: string; version: number }

/** A store whose queries answer only when the test says, each from the rows as they are when it was sent. */
function heldStore(rows: Map<string, number>) {
  const queries: { keys: string[]; answer: () => void; fail: (error: Error) => void }[] = []
  const readMany = (keys: string[]) =>
    new Promise<Row[]>((resolve, reject) => {
      // What the query sees is fixed when it is sent, as a statement's snapshot is.
      const seen = keys.filter((key) => rows.has(key)).map((id) => ({ id, version: rows.get(id) as number }))
      queries.push({ keys, answer: () => resolve(seen), fail: reject })
    })
  return { queries, readMany }
}

function reads(store: ReturnType<typeof heldStore>, limits = { maxInFlight: 4, maxKeys: 64 }) {
  return coalescedReads<string, Row>({ readMany: store.readMany, keyOf: (row) => row.id, ...limits })
}

describe('coalesced reads', () => {
  it('answers the reads of one turn with one query, each with its own row, and null for a key not found', async () => {
    const store = heldStore(
      new Map([
        ['a', 1],
        ['b', 1],
      ]),
    )
    const read = reads(store)
    const answers = Promise.all([read('a'), read('b'), read('a'), read('missing')])
    await nextTurn()
    expect(store.queries.map((query) => query.keys)).toEqual([['a', 'b', 'missing']])
    store.queries[0]?.answer()
    expect(await answers).toEqual([{ id: 'a', version: 1 }, { id: 'b', version: 1 }, { id: 'a', version: 1 }, null])
  })

  it('hands every read of one key in one batch the same promise, and a read in a later batch a new one', async () => {
    const rows = new Map([['a', 1]])
    const store = heldStore(rows)
    const read = reads(store)
    const first = read('a')
    const again = read('a')
    const other = read('b')
    // One answer per key and batch (issue 17): no promise of its own for each read of the key.
    expect(again).toBe(first)
    expect(other).not.toBe(first)
    await nextTurn()
    rows.set('a', 2)
    const later = read('a')
    expect(later).not.toBe(first)
    await nextTurn()
    for (const query of store.queries) query.answer()
    expect(await Promise.all([first, again, other, later])).toEqual([
      { id: 'a', version: 1 },
      { id: 'a', version: 1 },
      null,
      { id: 'a', version: 2 },
    ])
  })

  it('never lets a read join a query already sent: a read asked after a change sees the change', async () => {
    const rows = new Map([['a', 1]])
    const store = heldStore(rows)
    const read = reads(store)
    const first = read('a')
    await nextTurn()
    expect(store.queries).toHaveLength(1)
    rows.set('a', 2) // committed after the first query was sent, before the second read is asked
    const second = read('a')
    await nextTurn()
    expect(store.queries.map((query) => query.keys)).toEqual([['a'], ['a']])
    for (const query of store.queries) query.answer()
    expect(await first).toEqual({ id: 'a', version: 1 })
    expect(await second).toEqual({ id: 'a', version: 2 })
  })

  it('keeps gathering while maxInFlight queries run, and sends the batch, read after every member arrived, when one returns', async () => {
    const rows = new Map([
      ['a', 1],
      ['b', 1],
      ['c', 1],
    ])
    const store = heldStore(rows)
    const read = reads(store, { maxInFlight: 1, maxKeys: 64 })
    const first = read('a')
    await nextTurn()
    const second = read('b')
    await nextTurn()
    rows.set('c', 2) // committed while the second batch gathers: a read asked now must see it
    const third = read('c')
    await nextTurn()
    expect(store.queries.map((query) => query.keys)).toEqual([['a']])
    store.queries[0]?.answer()
    await first
    expect(store.queries.map((query) => query.keys)).toEqual([['a'], ['b', 'c']])
    store.queries[1]?.answer()
    expect(await Promise.all([second, third])).toEqual([
      { id: 'b', version: 1 },
      { id: 'c', version: 2 },
    ])
  })

  it('closes a batch at maxKeys distinct keys and sends the full batches in order as slots free up', async () => {
    const store = heldStore(new Map())
    const read = reads(store, { maxInFlight: 1, maxKeys: 2 })
    const all = ['a', 'b', 'c', 'd', 'e'].map((key) => read(key))
    await nextTurn()
    expect(store.queries.map((query) => query.keys)).toEqual([['a', 'b']])
    store.queries[0]?.answer()
    await nextTurn()
    expect(store.queries.map((query) => query.keys)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ])
    store.queries[1]?.answer()
    await nextTurn()
    expect(store.queries.map((query) => query.keys)).toEqual([['a', 'b'], ['c', 'd'], ['e']])
    store.queries[2]?.answer()
    expect(await Promise.all(all)).toEqual([null, null, null, null, null])
  })

  it('fails every read of a batch whose query fails, and the next batch still runs', async () => {
    const store = heldStore(new Map([['a', 1]]))
    const read = reads(store)
    const failing = [read('a'), read('b')].map((answer) => answer.catch((error: Error) => error.message))
    await nextTurn()
    store.queries[0]?.fail(new Error('connection lost'))
    expect(await Promise.all(failing)).toEqual(['connection lost', 'connection lost'])
    const later = read('a')
    await nextTurn()
    store.queries[1]?.answer()
    expect(await later).toEqual({ id: 'a', version: 1 })
  })

  it('fails the batch, not the process, when readMany throws before returning a promise', async () => {
    const read = coalescedReads<string, Row>({
      readMany: () => {
        throw new Error('cannot compile')
      },
      keyOf: (row) => row.id,
      maxInFlight: 1,
      maxKeys: 8,
    })
    await expect(read('a')).rejects.toThrow('cannot compile')
    await expect(read('b')).rejects.toThrow('cannot compile')
  })
})
