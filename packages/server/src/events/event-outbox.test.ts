import { describe, expect, it } from 'vitest'
import { anEvent, expectIntegerTimes, type Open, openTestStores, T0 } from '../../test/store-fixture.js'
import { DIALECTS } from '../../test/test-database.js'

function testEventOutbox(open: Open) {
  it('numbers events with a strictly increasing sequence and round-trips them', async () => {
    const { stores } = await open()
    const created = anEvent({
      type: 'user.created',
      actor: { kind: 'anonymous' },
      userId: 'usr_ann',
      payload: { email: 'ann@example.com' },
      ip: '203.0.113.9',
    })
    const revoked = anEvent({
      type: 'session.revoked',
      actor: { kind: 'user', id: 'usr_ann' },
      userId: 'usr_ann',
      payload: { sessionId: 'sess_one', nested: { list: [1, 'two', null] } },
      createdAt: T0 + 1,
    })
    const first = await stores.events.append(created)
    const second = await stores.events.append(revoked)
    expect(typeof first).toBe('number')
    expect(second).toBeGreaterThan(first)

    const events = await stores.events.listAfter(0, 10)
    expect(events).toEqual([
      { seq: first, ...created },
      { seq: second, ...revoked },
    ])
    expectIntegerTimes(events[0] as object, ['seq', 'createdAt'])
  })

  it('lists only the events after a given sequence, up to the limit', async () => {
    const { stores } = await open()
    const seqs: number[] = []
    for (let i = 0; i < 5; i++) seqs.push(await stores.events.append(anEvent({ createdAt: T0 + i })))
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1] as number)
    const after = async (seq: number, limit: number) => (await stores.events.listAfter(seq, limit)).map((each) => each.seq)

    expect(await after(seqs[2] as number, 10)).toEqual(seqs.slice(3))
    expect(await after(0, 2)).toEqual(seqs.slice(0, 2))
    expect(await after(seqs[4] as number, 10)).toEqual([])
  })
}

for (const dialect of DIALECTS) {
  describe(`event outbox on ${dialect}`, () => testEventOutbox(() => openTestStores(dialect)))
}
