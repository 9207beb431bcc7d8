import type { StoredRevocation } from './revocation-log.js'

/** The wire form of an entry (docs/revocation-feed.md): its kind's fields flattened beside `seq`. */
export function revocationToJson(stored: StoredRevocation): Record<string, unknown> {
  const { kind, ...fields } = stored.entry
  return { seq: stored.seq, kind, ...fields, createdAt: stored.createdAt, expiresAt: stored.expiresAt }
}
