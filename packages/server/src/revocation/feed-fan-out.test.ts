import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { basic, createApi, createClient } from '../../test/oauth-fixture.js'
import { openSse, type SseConnection } from '../../test/sse-client.js'
import { createTestServer, signUp, type TestServer } from '../../test/test-server.js'

const API = 'https://orders.example.test'

// One server for the file: each test opens its own streams and signs its own users out.
let server: TestServer
let base: string
let readerAuth: string
let users = 0
beforeAll(async () => {
  server = await createTestServer()
  await createApi({ tessera: server.tessera }, API, 'hybrid', ['orders:read'])
  readerAuth = basic(await createClient({ tessera: server.tessera }, { type: 'resource-server', apis: [API], scopes: [] }))
  base = await server.app.listen({ port: 0, host: '127.0.0.1' })
})
afterAll(async () => {
  await server.close()
})

/** A stream that has caught up (its first heartbeat comes right after the catch-up). */
async function liveStream(): Promise<SseConnection> {
  const feed = await openSse(`${base}/v1/revocations`, { authorization: readerAuth })
  await feed.next((event) => event.event === 'heartbeat')
  return feed
}

/** A subscriber on a raw socket that reads nothing once its stream is live. */
async function stalledSubscriber(): Promise<Socket> {
  const socket = connect(Number(new URL(base).port), '127.0.0.1')
  socket.write(`GET /v1/revocations HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nAuthorization: ${readerAuth}\r\n\r\n`)
  let received = ''
  await new Promise<void>((resolve) => {
    const onData = (chunk: Buffer) => {
      received += chunk.toString()
      if (!received.includes('event: heartbeat')) return
      socket.off('data', onData)
      socket.pause()
      resolve()
    }
    socket.on('data', onData)
  })
  return socket
}

/** Signs a new user out; resolves with the sid of the revoked session. */
async function revokeOne(): Promise<string> {
  const { token, body } = await signUp(server.app, `user${++users}@example.com`, { transport: 'bearer' })
  const response = await server.app.inject({ method: 'POST', url: '/v1/sign-out', headers: { authorization: `Bearer ${token}` } })
  expect(response.statusCode).toBe(204)
  return body.session?.id as string
}

/** The sids of the revocations a stream delivers until the one revoking `last`, duplicates included. */
async function sidsUntil(feed: SseConnection, last: string): Promise<string[]> {
  const sids: string[] = []
  while (sids.at(-1) !== last) sids.push(((await feed.next((event) => event.event === 'revocation')).data as { sid: string }).sid)
  return sids
}

describe('revocation fan-out to many streams', () => {
  it('delivers each revocation to every open stream exactly once, in order', async () => {
    const feeds = await Promise.all(Array.from({ length: 8 }, liveStream))
    const first = await revokeOne()
    const second = await revokeOne()
    for (const feed of feeds) expect(await sidsUntil(feed, second)).toEqual([first, second])
    for (const feed of feeds) feed.close()
  })

  it('keeps delivering to the others while one subscriber reads nothing', async () => {
    const stalled = await stalledSubscriber()
    const feed = await liveStream()
    const sids = [await revokeOne(), await revokeOne(), await revokeOne()]
    expect(await sidsUntil(feed, sids[2] as string)).toEqual(sids)
    feed.close()
    stalled.destroy()
  })

  it('survives a subscriber that disconnects while a revocation is written, and unsubscribes it', async () => {
    const hub = server.tessera.services.revocationHub
    await vi.waitFor(() => expect(hub.subscribers).toBe(0))
    const feed = await liveStream()
    const leaving = await stalledSubscriber()
    expect(hub.subscribers).toBe(2)
    // Gone from the client's side before the server has seen the close: the fan-out writes to it.
    leaving.resetAndDestroy()
    const sid = await revokeOne()
    expect(await sidsUntil(feed, sid)).toEqual([sid])
    await vi.waitFor(() => expect(hub.subscribers).toBe(1))
    const next = await revokeOne()
    expect(await sidsUntil(feed, next)).toEqual([next])
    feed.close()
  })
})
