import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import type { Clock } from '../shared/clock.js'
import type { FetchLike } from '../shared/fetch-like.js'
import { readFeedEvent } from './feed-event.js'
import { type ReconnectPolicy, reconnectDelay } from './reconnect-delay.js'
import type { RevocationSet } from './revocation-set.js'
import { createSseParser, type SseEvent } from './sse-parser.js'

export interface RevocationFeedDeps {
  /** Resolves the `revocation_feed_endpoint` (from discovery). */
  url: () => Promise<string>
  /** `Authorization: Basic …` of the resource-server application. */
  authorization: string
  fetch: FetchLike
  clock: Clock
  set: RevocationSet
  /** Ms to wait for the stream's response headers. */
  connectTimeout: number
  /** Ms of silence (by `clock`) after which the connection is presumed dead and replaced. */
  idleTimeout: number
  reconnect: ReconnectPolicy
  /** Told of every failure (HTTP status, network error, malformed event); never of a secret. */
  onError: (error: TesseraAuthError) => void
}

/** The subscription to Tessera's revocation stream that keeps a {@link RevocationSet} current. */
export interface RevocationFeed {
  /** Ms since the last event or heartbeat at `now` (the clock's, read when omitted); Infinity before the first. */
  staleness(now?: number): number
  /** Resolves once the first connection has delivered an event or failed, or after `ms`. */
  settled(ms: number): Promise<void>
  /** The last failure, for error details. */
  lastError(): string | null
  /** End the stream; resolves once it is closed. */
  close(): Promise<void>
}

/**
 * Subscribe to the feed (docs/revocation-feed.md): SSE over a streaming `fetch`, resumed from the
 * last applied sequence with `Last-Event-ID`, reconnected with jittered exponential back-off, and
 * replaced when it goes silent for longer than `idleTimeout` (a half-open TCP connection never
 * errors by itself).
 */
export function startRevocationFeed(deps: RevocationFeedDeps): RevocationFeed {
  let closed = false
  let cursor: string | null = null
  let lastHeardAt: number | null = null
  let connectedAt = deps.clock.now()
  let lastError: string | null = null
  let current: AbortController | null = null
  let wake: (() => void) | null = null
  let firstSettled: () => void = () => {}
  const first = new Promise<void>((resolve) => {
    firstSettled = resolve
  })

  function fail(detail: string, cause?: unknown): void {
    lastError = detail
    firstSettled()
    if (!closed) deps.onError(new TesseraAuthError('stale_revocation_feed', { detail, cause }))
  }

  function heard(): void {
    lastHeardAt = deps.clock.now()
    lastError = null
    firstSettled()
  }

  function handle(event: SseEvent): void {
    const read = readFeedEvent(event)
    heard()
    if (read.type === 'snapshot') {
      deps.set.replace(read.entries)
      cursor = String(read.seq)
      if (read.skipped > 0) fail(`snapshot held ${read.skipped} entries of an unknown kind or shape`)
    } else if (read.type === 'revocation') {
      if (read.entry) deps.set.apply(read.entry)
      else fail(`revocation ${read.seq} is of an unknown kind or shape`)
      cursor = String(read.seq)
    } else if (read.type === 'heartbeat') {
      deps.set.prune(deps.clock.now())
    }
  }

  /** One connection, until it ends. Returns whether it delivered anything. */
  async function connectOnce(): Promise<boolean> {
    const controller = new AbortController()
    current = controller
    connectedAt = deps.clock.now()
    const connectTimer = setTimeout(() => controller.abort(), deps.connectTimeout)
    let delivered = false
    try {
      const headers: Record<string, string> = {
        accept: 'text/event-stream',
        authorization: deps.authorization,
        'cache-control': 'no-store',
      }
      if (cursor !== null) headers['last-event-id'] = cursor
      const response = await deps.fetch(await deps.url(), { headers, signal: controller.signal, redirect: 'error' })
      clearTimeout(connectTimer)
      if (!response.ok || !response.body) {
        await response.body?.cancel().catch(() => {})
        // 400 invalid_cursor: our cursor is ahead of the server (a restored database); start over.
        if (response.status === 400) cursor = null
        fail(`revocation feed: HTTP ${response.status}`)
        return false
      }
      if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
        await response.body.cancel().catch(() => {})
        fail('revocation feed: not an event stream')
        return false
      }
      const parser = createSseParser((event) => {
        handle(event)
        delivered = true
      })
      const decoder = new TextDecoder()
      const reader = response.body.getReader()
      // Aborting must end the read even when the fetch no longer does: Node 20's fetch drops the
      // signal of a body fetched with `redirect: 'error'` once its Request is garbage-collected
      // (undici #4627), which left close() hanging and a silent connection never replaced.
      controller.signal.addEventListener('abort', () => void reader.cancel().catch(() => {}), { once: true })
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        parser.push(decoder.decode(value, { stream: true }))
      }
      if (closed) return delivered
      fail(controller.signal.aborted ? 'revocation feed: timed out or went silent' : 'revocation feed: the server closed the stream')
    } catch (error) {
      if (closed) return delivered
      const reason = controller.signal.aborted ? 'timed out or went silent' : error instanceof Error ? error.message : 'failed'
      fail(`revocation feed: ${reason}`, error)
    } finally {
      clearTimeout(connectTimer)
      controller.abort()
      current = null
    }
    return delivered
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms)
      wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }

  // Replace a connection that has gone silent, and drop lapsed entries while the stream is quiet.
  const watchdog = setInterval(
    () => {
      const now = deps.clock.now()
      deps.set.prune(now)
      if (current && now - Math.max(lastHeardAt ?? connectedAt, connectedAt) > deps.idleTimeout) current.abort()
    },
    Math.max(250, Math.min(5000, deps.idleTimeout / 4)),
  )
  watchdog.unref()

  const running = (async () => {
    let failures = 0
    while (!closed) {
      const delivered = await connectOnce()
      if (closed) break
      failures = delivered ? 0 : failures + 1
      await sleep(reconnectDelay(deps.reconnect, failures))
    }
  })()

  return {
    staleness: (now = deps.clock.now()) => (lastHeardAt === null ? Number.POSITIVE_INFINITY : Math.max(0, now - lastHeardAt)),
    lastError: () => lastError,
    settled(ms) {
      let timer: ReturnType<typeof setTimeout> | undefined
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms)
        timer.unref()
      })
      return Promise.race([first, timeout]).finally(() => clearTimeout(timer))
    },
    async close() {
      closed = true
      clearInterval(watchdog)
      current?.abort()
      wake?.()
      firstSettled()
      await running
    },
  }
}
