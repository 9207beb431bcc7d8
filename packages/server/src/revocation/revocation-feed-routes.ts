import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Clock } from '../shared/clock.js'
import { isTesseraError, TesseraError } from '../shared/errors.js'
import { createRevocationFrames, sseFrame } from './feed-frames.js'
import { createChunkFraming, responseSink } from './feed-socket-sink.js'
import { createFeedStream } from './feed-stream.js'
import { revocationToJson } from './revocation-entry-json.js'
import type { RevocationHub } from './revocation-hub.js'
import type { RevocationLog } from './revocation-log.js'

export interface RevocationFeedDeps {
  log: RevocationLog
  hub: RevocationHub
  clock: Clock
  /**
   * Authenticates the calling client from its `Authorization` header (a GET has no form body) and
   * refuses public clients: the token endpoint's client authentication, adapted by the
   * composition root. Throws `invalid_client` on failure.
   */
  authenticateClient: (request: FastifyRequest) => Promise<{ type: string }>
  heartbeatIntervalMs: number
  /** Unsent bytes a stream may hold past its catch-up before it is closed (see feed-stream.ts); 1 MiB by default. */
  maxBufferedBytes?: number
}

const PAGE = 1000
/** About 7,000 revocation events a subscriber has not read. */
const MAX_BUFFERED_BYTES = 1024 * 1024

/** `GET /v1/revocations`: the live revocation set, or a resumable stream of it (docs/revocation-feed.md). */
export function revocationFeedRoutes(deps: RevocationFeedDeps) {
  const { log, hub, clock } = deps
  const maxBufferedBytes = deps.maxBufferedBytes ?? MAX_BUFFERED_BYTES
  // One encoding of each broadcast entry (and one HTTP chunk of it) for all the streams it goes to.
  const frameOf = createRevocationFrames()
  const chunkOf = createChunkFraming()
  /** Ends each open stream; a stream never ends by itself, and Fastify's close waits for it. */
  const open = new Set<() => void>()

  async function authenticateReader(request: FastifyRequest, reply: FastifyReply) {
    try {
      const application = await deps.authenticateClient(request)
      if (application.type !== 'resource-server') throw new TesseraError('feed_forbidden')
      return application
    } catch (error) {
      if (isTesseraError(error) && error.code === 'invalid_client') reply.header('www-authenticate', 'Basic realm="tessera"')
      throw error
    }
  }

  async function snapshot() {
    // The sequence first: anything committed after it arrives as a revocation event, so the
    // snapshot and the stream neither overlap nor leave a gap.
    const seq = await log.currentSeq()
    const now = clock.now()
    const entries = (await log.listLive(now)).filter((entry) => entry.seq <= seq)
    return { seq, serverTime: now, entries: entries.map(revocationToJson) }
  }

  return async (app: FastifyInstance) => {
    // Before the server waits for in-flight requests: end the streams, or SIGTERM never completes
    // while a subscriber is attached. Subscribers resume from Last-Event-ID on another instance.
    app.addHook('preClose', async () => {
      for (const end of open) end()
    })
    app.get('/v1/revocations', async (request, reply) => {
      await authenticateReader(request, reply)
      if (!(request.headers.accept ?? '').includes('text/event-stream')) {
        reply.header('cache-control', 'no-store')
        return snapshot()
      }
      const cursor = await readCursor(request, log)
      // The hub must know where the log stands before this stream relies on it for what follows.
      await hub.currentSeq()
      stream(request, reply, cursor)
      return reply
    })
  }

  function stream(request: FastifyRequest, reply: FastifyReply, cursor: number | null) {
    reply.hijack()
    const out = reply.raw
    out.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    })
    const feed = createFeedStream(responseSink(out, chunkOf), {
      sent: cursor ?? 0,
      frameOf,
      maxBufferedBytes,
      onOverflow: () => {
        request.log.warn('revocation feed: a subscriber fell too far behind; closing its stream (it resumes from its cursor)')
        stop()
        out.destroy()
      },
    })
    const heartbeat = () => feed.send(sseFrame('heartbeat', { seq: feed.sent, serverTime: clock.now() }))
    // Subscribe before catching up; the stream holds what arrives meanwhile: nothing falls in between.
    const unsubscribe = hub.subscribe(feed.deliver)
    const timer = setInterval(heartbeat, deps.heartbeatIntervalMs)
    const stop = () => {
      feed.close()
      unsubscribe()
      clearInterval(timer)
      open.delete(end)
    }
    const end = () => {
      stop()
      out.end()
    }
    open.add(end)
    request.raw.on('close', stop)

    void (async () => {
      const oldest = await log.oldestSeq()
      if (cursor === null || (oldest !== null && cursor < oldest - 1)) {
        const snap = await snapshot()
        feed.snapshot(sseFrame('snapshot', snap, snap.seq), snap.seq)
      }
      for (;;) {
        const page = await log.listAfter(feed.sent, PAGE)
        feed.catchUp(page)
        if (page.length < PAGE) break
      }
      feed.live()
      heartbeat()
    })().catch((error: unknown) => {
      request.log.error({ err: error }, 'revocation feed failed')
      if (!feed.closed) end()
    })
  }
}

/** `Last-Event-ID` wins over `?after=`; either must be a sequence this server has reached. */
async function readCursor(request: FastifyRequest, log: RevocationLog): Promise<number | null> {
  const header = request.headers['last-event-id']
  const query = (request.query as Record<string, unknown>).after
  const raw = typeof header === 'string' ? header : query
  if (raw === undefined) return null
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw) || Number(raw) > (await log.currentSeq())) {
    throw new TesseraError('invalid_cursor')
  }
  return Number(raw)
}
