import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createRevocationFrames, sseFrame } from './feed-frames.js'
import { createFeedStream } from './feed-stream.js'
import type { StoredRevocation } from './revocation-log.js'

const entry = (seq: number): StoredRevocation => ({ seq, entry: { kind: 'session', sid: `s${seq}` }, createdAt: 1000, expiresAt: 2000 })

/** A real Writable that keeps every chunk, and every batch its writes arrived in (one per socket write). */
function recordingSink() {
  const chunks: Buffer[] = []
  const batches: number[] = []
  const sink = new Writable({
    writev(items, callback) {
      batches.push(items.length)
      for (const item of items) chunks.push(item.chunk as Buffer)
      callback()
    },
  })
  const events = () => chunks.map((chunk) => /^id: (\d+)$/m.exec(chunk.toString())?.[1]).map(Number)
  return { sink, chunks, batches, events }
}

/** A real Writable whose subscriber never reads: nothing written ever leaves its buffer. */
function stuckSink() {
  return new Writable({ highWaterMark: 16, write() {} })
}

const options = { frameOf: createRevocationFrames(), maxBufferedBytes: 1024, onOverflow: () => {} }

describe('a feed stream', () => {
  it('sends every entry exactly once and in order across catch-up and live delivery', () => {
    const { sink, events } = recordingSink()
    const feed = createFeedStream(sink, { ...options, sent: 1 })
    feed.deliver([entry(3), entry(4)]) // committed while the stream was catching up
    feed.catchUp([entry(1), entry(2), entry(3)])
    feed.live()
    feed.deliver([entry(4), entry(5)])
    feed.deliver([entry(5)])
    expect(events()).toEqual([2, 3, 4, 5])
    expect(feed.sent).toBe(5)
  })

  it('writes the bytes it encoded once to every stream a broadcast entry goes to', () => {
    const frameOf = createRevocationFrames()
    const sinks = [recordingSink(), recordingSink(), recordingSink()]
    const feeds = sinks.map(({ sink }) => createFeedStream(sink, { ...options, frameOf, sent: 0 }))
    for (const feed of feeds) feed.live()
    const broadcast = [entry(7)]
    for (const feed of feeds) feed.deliver(broadcast)
    const [first, ...others] = sinks.map(({ chunks }) => chunks)
    expect(first).toHaveLength(1)
    for (const chunks of others) expect(chunks[0]).toBe(first?.[0])
    expect(first?.[0]?.toString()).toBe(
      'event: revocation\nid: 7\ndata: {"seq":7,"kind":"session","sid":"s7","createdAt":1000,"expiresAt":2000}\n\n',
    )
  })

  it('writes a burst of entries to its socket in one write', async () => {
    const { sink, batches, events } = recordingSink()
    const feed = createFeedStream(sink, { ...options, sent: 0 })
    feed.live()
    feed.deliver([entry(1), entry(2), entry(3)])
    await new Promise((resolve) => sink.write(Buffer.alloc(0), resolve))
    expect(events().slice(0, 3)).toEqual([1, 2, 3])
    expect(batches[0]).toBe(3)
  })

  it('drops a subscriber that stops reading once its backlog passes the bound, and writes nothing more to it', () => {
    const sink = stuckSink()
    let overflows = 0
    const feed = createFeedStream(sink, { ...options, sent: 0, maxBufferedBytes: 1024, onOverflow: () => overflows++ })
    // The catch-up alone may exceed the bound: a large snapshot is not a slow subscriber.
    feed.snapshot(sseFrame('snapshot', { entries: 'x'.repeat(4096) }, 0), 0)
    feed.live()
    expect(overflows).toBe(0)
    let seq = 1
    while (!feed.closed) feed.deliver([entry(seq++)])
    expect(overflows).toBe(1)
    expect(sink.writableLength).toBeGreaterThan(4096 + 1024)
    expect(sink.writableLength).toBeLessThan(4096 + 1024 + 200)
    const held = sink.writableLength
    feed.deliver([entry(seq)])
    feed.send(sseFrame('heartbeat', { seq }))
    expect(sink.writableLength).toBe(held)
    expect(overflows).toBe(1)
  })

  it('writes nothing once closed', () => {
    const { sink, chunks } = recordingSink()
    const feed = createFeedStream(sink, { ...options, sent: 0 })
    feed.live()
    feed.close()
    feed.deliver([entry(1)])
    feed.send(sseFrame('heartbeat', { seq: 1 }))
    expect(chunks).toEqual([])
  })
})
