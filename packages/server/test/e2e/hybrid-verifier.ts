import { createVerifier, type FetchLike, type Verifier, type VerifierOptions } from '@tessera/sdk'

/**
 * An @tessera/sdk verifier of `audience` in hybrid mode, as the end-to-end tests use it: it
 * reconnects to the revocation feed within 250 ms, so a lost stream is back within a test's time.
 * The caller closes it (after the processes stop: see hybrid.test.ts).
 */
export function hybridVerifier(
  issuer: string,
  audience: string,
  client: { id: string; secret: string },
  options: Partial<VerifierOptions> = {},
): Verifier {
  return createVerifier({
    issuer,
    audience,
    mode: 'hybrid',
    client,
    reconnect: { initialDelay: 50, maxDelay: 250 },
    ...options,
  })
}

export interface FeedConnection {
  /** The cursor the connection resumed from. */
  lastEventId: string | null
  status: number
  events: { event: string; id: string | undefined; data: Record<string, unknown> }[]
}

/** A fetch that records each revocation-feed connection: the cursor it resumed from and what it received. */
export function recordingFetch(): { fetch: FetchLike; connections: FeedConnection[] } {
  const connections: FeedConnection[] = []
  const fetch: FetchLike = async (input, init) => {
    const response = await globalThis.fetch(input, init)
    if (!input.endsWith('/v1/revocations') || !response.body) return response
    const headers = (init?.headers ?? {}) as Record<string, string>
    const connection: FeedConnection = { lastEventId: headers['last-event-id'] ?? null, status: response.status, events: [] }
    connections.push(connection)
    const decoder = new TextDecoder()
    let buffer = ''
    const tap = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        buffer += decoder.decode(chunk, { stream: true })
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const fields = new Map(
            buffer
              .slice(0, end)
              .split('\n')
              .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
          )
          const data = fields.get('data')
          connection.events.push({ event: fields.get('event') ?? 'message', id: fields.get('id'), data: data ? JSON.parse(data) : {} })
          buffer = buffer.slice(end + 2)
        }
        controller.enqueue(chunk)
      },
    })
    return new Response(response.body.pipeThrough(tap), { status: response.status, headers: response.headers })
  }
  return { fetch, connections }
}
