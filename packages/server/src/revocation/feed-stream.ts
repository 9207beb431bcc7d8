import type { StoredRevocation } from './revocation-log.js'

/** What a feed stream writes to: the HTTP response (a Node writable). */
export interface FeedSink {
  write(chunk: Buffer): boolean
  readonly writableLength: number
  cork(): void
  uncork(): void
}

export interface FeedStreamOptions {
  /** The sequence the subscriber already holds (its cursor, or the snapshot's), 0 for none. */
  sent: number
  frameOf: (entry: StoredRevocation) => Buffer
  /**
   * Bytes a stream may hold unsent beyond what its catch-up wrote. A subscriber that reads slower
   * than revocations arrive (or not at all: a half-open connection) would otherwise make the
   * server buffer every event for it; past this it is dropped and resumes from its cursor.
   */
  maxBufferedBytes: number
  /** Called once when the stream falls that far behind; the caller closes the connection. */
  onOverflow: () => void
}

/**
 * One subscriber's stream (docs/revocation-feed.md, docs/architecture.md §7): entries in sequence order, each exactly once.
 * Live entries that arrive while the stream is still catching up from the log are held and sent
 * after it, skipping what the catch-up already sent. Writes never wait for the subscriber, so a
 * slow one delays no other; its backlog is bounded by `maxBufferedBytes`.
 */
export function createFeedStream(sink: FeedSink, options: FeedStreamOptions) {
  let sent = options.sent
  let ready = false
  let closed = false
  let allowance = options.maxBufferedBytes
  const queued: StoredRevocation[] = []

  function write(frame: Buffer): void {
    if (closed) return
    sink.write(frame)
    if (ready && sink.writableLength > allowance) {
      closed = true
      options.onOverflow()
    }
  }

  function emit(entries: readonly StoredRevocation[]): void {
    // Several entries in one turn (a burst): one write to the socket, not one per entry.
    const batch = entries.length > 1
    if (batch) sink.cork()
    for (const entry of entries) {
      if (entry.seq <= sent) continue
      write(options.frameOf(entry))
      sent = entry.seq
    }
    if (batch) sink.uncork()
  }

  return {
    /** The highest sequence this stream has written (or the subscriber held). */
    get sent(): number {
      return sent
    },
    /** Closed by its connection, or dropped for falling behind. */
    get closed(): boolean {
      return closed
    },
    /** A snapshot replaces whatever the subscriber held: what follows continues from its sequence. */
    snapshot(frame: Buffer, seq: number): void {
      write(frame)
      sent = seq
    },
    /** Entries read from the log for this stream while it catches up. */
    catchUp(entries: readonly StoredRevocation[]): void {
      emit(entries)
    },
    /** Entries from the hub, the same objects for every stream. */
    deliver(entries: readonly StoredRevocation[]): void {
      if (ready) emit(entries)
      else queued.push(...entries)
    },
    /** Caught up: send what the hub delivered meanwhile, and count the backlog from here. */
    live(): void {
      emit(queued.splice(0))
      ready = true
      allowance = sink.writableLength + options.maxBufferedBytes
    },
    /** Any other event (a heartbeat): written unless the stream is closed. */
    send(frame: Buffer): void {
      write(frame)
    },
    close(): void {
      closed = true
    },
  }
}

export type FeedStream = ReturnType<typeof createFeedStream>
