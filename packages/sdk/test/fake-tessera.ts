import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { JWK } from 'jose'

/** One request the fake issuer received. */
export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: string
}

/** One open revocation stream. */
export interface FeedConnection {
  headers: IncomingHttpHeaders
  send(event: string, data: unknown, id?: number): void
  close(): void
}

export type FeedEntry = { seq: number; kind: string; createdAt: number; expiresAt: number } & Record<string, unknown>

export interface FakeFeed {
  /** Every entry committed so far, in seq order. */
  entries: FeedEntry[]
  connections: FeedConnection[]
  /** What a new stream gets; by default what docs/revocation-feed.md says: snapshot or catch-up, then a heartbeat. */
  onConnect: (connection: FeedConnection) => void
  /** Commit an entry and send it to every open stream. */
  append(entry: Omit<FeedEntry, 'seq'>): FeedEntry
  /** Commit an entry without telling anyone (as if it was committed while no stream was open). */
  commitQuietly(entry: Omit<FeedEntry, 'seq'>): FeedEntry
  heartbeat(): void
  /** The server closes every open stream. */
  closeAll(): void
  /** Answer the next connections with this status instead of a stream. */
  refuseWith: number | null
}

/**
 * A stand-in for Tessera on 127.0.0.1: discovery, JWKS, introspection, the session check and the
 * revocation feed, each replaceable by the test, every request recorded.
 */
export interface FakeTessera {
  issuer: string
  requests: RecordedRequest[]
  count(path: string): number
  /** The published keys (mutable). */
  jwks: JWK[]
  /** The discovery document (mutable). */
  discovery: Record<string, unknown>
  introspect: (token: string, request: RecordedRequest) => { status: number; body: unknown }
  session: (token: string | undefined) => { status: number; body: unknown }
  feed: FakeFeed
  close(): Promise<void>
}

export async function startFakeTessera(): Promise<FakeTessera> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  let seq = 0

  const feed: FakeFeed = {
    entries: [],
    connections: [],
    refuseWith: null,
    onConnect(connection) {
      const cursor = connection.headers['last-event-id']
      if (cursor === undefined) {
        connection.send('snapshot', { seq, serverTime: Date.now(), entries: feed.entries }, seq)
      } else {
        for (const entry of feed.entries) if (entry.seq > Number(cursor)) connection.send('revocation', entry, entry.seq)
      }
      connection.send('heartbeat', { seq, serverTime: Date.now() })
    },
    commitQuietly(entry) {
      seq += 1
      const committed = { ...entry, seq } as FeedEntry
      feed.entries.push(committed)
      return committed
    },
    append(entry) {
      const committed = feed.commitQuietly(entry)
      for (const connection of feed.connections) connection.send('revocation', committed, committed.seq)
      return committed
    },
    heartbeat() {
      for (const connection of feed.connections) connection.send('heartbeat', { seq, serverTime: Date.now() })
    },
    closeAll() {
      for (const connection of feed.connections.splice(0)) connection.close()
    },
  }

  const fake: FakeTessera = {
    issuer,
    requests: [],
    count: (path) => fake.requests.filter((request) => request.path === path).length,
    jwks: [],
    discovery: {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      introspection_endpoint: `${issuer}/oauth/introspect`,
      revocation_feed_endpoint: `${issuer}/v1/revocations`,
    },
    introspect: () => ({ status: 200, body: { active: false } }),
    session: () => ({ status: 401, body: { code: 'unauthenticated' } }),
    feed,
    async close() {
      feed.closeAll()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  }

  server.on('request', (req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString()
    })
    req.on('end', () => {
      const path = new URL(req.url ?? '/', issuer).pathname
      const recorded: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, body }
      fake.requests.push(recorded)
      if (path === '/.well-known/openid-configuration') return json(res, 200, fake.discovery)
      if (path === '/.well-known/jwks.json') return json(res, 200, { keys: fake.jwks })
      if (path === '/oauth/introspect') {
        const answer = fake.introspect(new URLSearchParams(body).get('token') ?? '', recorded)
        return json(res, answer.status, answer.body)
      }
      if (path === '/v1/session') {
        const answer = fake.session(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1])
        return json(res, answer.status, answer.body)
      }
      if (path === '/v1/revocations') {
        if (feed.refuseWith !== null) return json(res, feed.refuseWith, { code: 'refused' })
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' })
        const connection: FeedConnection = {
          headers: req.headers,
          send(event, data, id) {
            if (!res.writableEnded) res.write(`event: ${event}\n${id !== undefined ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`)
          },
          close() {
            res.end()
          },
        }
        feed.connections.push(connection)
        res.on('close', () => {
          const index = feed.connections.indexOf(connection)
          if (index !== -1) feed.connections.splice(index, 1)
        })
        feed.onConnect(connection)
        return
      }
      json(res, 404, { code: 'not_found' })
    })
  })
  return fake
}
