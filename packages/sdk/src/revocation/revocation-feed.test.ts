import { describe, expect, it, vi } from 'vitest'
import { systemClock } from '../shared/clock.js'
import type { FetchLike } from '../shared/fetch-like.js'
import { startRevocationFeed } from './revocation-feed.js'
import { createRevocationSet } from './revocation-set.js'

const SNAPSHOT = 'event: snapshot\nid: 0\ndata: {"seq":0,"serverTime":0,"entries":[]}\n\n'

/**
 * A stream that delivers a snapshot and then stays silent, and whose body ignores the abort
 * signal, as Node 20's fetch does for a body fetched with `redirect: 'error'` once its Request
 * has been garbage-collected (undici #4627).
 */
function deafFetch(): { fetch: FetchLike; connections: () => number } {
  let connections = 0
  const fetch: FetchLike = async () => {
    connections += 1
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(SNAPSHOT))
      },
    })
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
  }
  return { fetch, connections: () => connections }
}

function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> {
  return Promise.race([promise, new Promise<'timed out'>((resolve) => setTimeout(() => resolve('timed out'), ms))])
}

describe('the revocation feed subscription', () => {
  it('ends a stream whose fetch ignores the abort signal, when it goes silent and on close (issue 6, undici #4627)', async () => {
    const deaf = deafFetch()
    const errors: string[] = []
    const feed = startRevocationFeed({
      url: async () => 'http://tessera.test/v1/revocations',
      authorization: 'Basic cnM6c2VjcmV0',
      fetch: deaf.fetch,
      clock: systemClock,
      set: createRevocationSet(),
      connectTimeout: 1_000,
      idleTimeout: 300,
      reconnect: { initialDelay: 1, maxDelay: 1, random: () => 0 },
      onError: (error) => errors.push(error.detail ?? ''),
    })
    await feed.settled(1_000)
    expect(feed.staleness()).toBeLessThan(300)

    // The watchdog replaces the silent connection although its body never heard the abort.
    await vi.waitFor(() => expect(deaf.connections()).toBeGreaterThanOrEqual(2), { timeout: 3_000, interval: 20 })
    expect(errors[0]).toBe('revocation feed: timed out or went silent')

    expect(await within(feed.close(), 2_000)).toBeUndefined()
  })
})

describe('the feed’s bytes', () => {
  it('are decoded and parsed across chunks that split a line and a UTF-8 character', async () => {
    // A session id with a two-byte and a four-byte character, cut inside each of them.
    const sid = 'séance-🔑-1'
    const text = `${SNAPSHOT}event: revocation\nid: 1\ndata: ${JSON.stringify({ seq: 1, kind: 'session', sid, createdAt: 1, expiresAt: Date.now() + 60_000 })}\n\n`
    const bytes = new TextEncoder().encode(text)
    const eAcute = bytes.indexOf(0xc3)
    const key = bytes.indexOf(0xf0)
    const cuts = [0, eAcute + 1, key + 2, key + 3, bytes.length]
    const fetch: FetchLike = async () => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 1; i < cuts.length; i++) controller.enqueue(bytes.slice(cuts[i - 1], cuts[i]))
        },
      })
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
    }
    const set = createRevocationSet()
    const errors: string[] = []
    const feed = startRevocationFeed({
      url: async () => 'http://tessera.test/v1/revocations',
      authorization: 'Basic cnM6c2VjcmV0',
      fetch,
      clock: systemClock,
      set,
      connectTimeout: 1_000,
      idleTimeout: 60_000,
      reconnect: { initialDelay: 1_000, maxDelay: 1_000, random: () => 0 },
      onError: (error) => errors.push(error.detail ?? ''),
    })
    const token = { kid: 'k', jti: 'j', sub: 'u', clientId: 'c', sid, tokenVersion: null, iat: 0, audiences: [] }
    await vi.waitFor(() => expect(set.revokes(token)).toBe('session'), { timeout: 2_000, interval: 10 })
    expect(set.revokes({ ...token, sid: 's\uFFFDance-\uFFFD-1' })).toBeNull()
    expect(errors.filter((detail) => !detail.includes('closed'))).toEqual([])
    await feed.close()
  })
})
