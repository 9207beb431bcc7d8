import { TesseraError } from '../shared/errors.js'

/** An opaque page cursor: the base64url of the last seen entry's seq. */
export function encodeAuditCursor(seq: number): string {
  return Buffer.from(String(seq), 'utf8').toString('base64url')
}

/** Decodes a cursor this server issued; anything else is `invalid_cursor` (400). */
export function decodeAuditCursor(cursor: string): number {
  if (!/^[A-Za-z0-9_-]{1,24}$/.test(cursor)) throw new TesseraError('invalid_cursor')
  const text = Buffer.from(cursor, 'base64url').toString('utf8')
  if (!/^[1-9][0-9]{0,15}$/.test(text)) throw new TesseraError('invalid_cursor')
  const seq = Number(text)
  // Only the canonical encoding: one cursor string per position.
  if (!Number.isSafeInteger(seq) || encodeAuditCursor(seq) !== cursor) throw new TesseraError('invalid_cursor')
  return seq
}
