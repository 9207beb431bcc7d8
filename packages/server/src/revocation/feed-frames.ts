import { revocationToJson } from './revocation-entry-json.js'
import type { StoredRevocation } from './revocation-log.js'

/** One server-sent event as bytes: `event:`, `id:` when given, one `data:` line, a blank line (docs/revocation-feed.md). */
export function sseFrame(event: string, data: unknown, id?: number): Buffer {
  return Buffer.from(`event: ${event}\n${id !== undefined ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`)
}

/**
 * The `revocation` event of an entry, serialised once however many streams it goes to: the hub
 * hands the same entry object to every open stream, so the first stream encodes it and the rest
 * write the same bytes. Entries read for one stream's catch-up are encoded for that stream alone.
 */
export function createRevocationFrames(): (entry: StoredRevocation) => Buffer {
  const frames = new WeakMap<StoredRevocation, Buffer>()
  return (entry) => {
    let frame = frames.get(entry)
    if (frame === undefined) {
      frame = sseFrame('revocation', revocationToJson(entry), entry.seq)
      frames.set(entry, frame)
    }
    return frame
  }
}
