import { isJsonObject } from '../shared/read-json.js'
import { parseRevocationEntry, type RevocationEntry } from './revocation-entry.js'
import type { SseEvent } from './sse-parser.js'

/** A feed event, read and checked (docs/revocation-feed.md). */
export type FeedEvent =
  | { type: 'snapshot'; seq: number; entries: RevocationEntry[]; skipped: number }
  | { type: 'revocation'; seq: number; entry: RevocationEntry | null }
  | { type: 'heartbeat' }
  | { type: 'other' }

/**
 * Read one server-sent event of the feed. A snapshot or a revocation that is not what the contract
 * says throws (the connection is dropped and resumed); an entry of an unknown kind is kept as
 * `entry: null` (or counted in `skipped`), so its sequence still advances the cursor.
 */
export function readFeedEvent(event: SseEvent): FeedEvent {
  switch (event.type) {
    case 'snapshot': {
      const body = parse(event.data)
      if (!isJsonObject(body) || !isSeq(body.seq) || !Array.isArray(body.entries)) throw new Error('malformed snapshot')
      const entries = body.entries.map(parseRevocationEntry)
      const kept = entries.filter((entry): entry is RevocationEntry => entry !== null)
      return { type: 'snapshot', seq: body.seq, entries: kept, skipped: entries.length - kept.length }
    }
    case 'revocation': {
      const body = parse(event.data)
      if (!isJsonObject(body) || !isSeq(body.seq)) throw new Error('malformed revocation')
      return { type: 'revocation', seq: body.seq, entry: parseRevocationEntry(body) }
    }
    case 'heartbeat':
      return { type: 'heartbeat' }
    default:
      return { type: 'other' }
  }
}

function parse(data: string): unknown {
  try {
    return JSON.parse(data) as unknown
  } catch {
    return undefined
  }
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}
