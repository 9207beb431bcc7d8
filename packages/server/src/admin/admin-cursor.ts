import { TesseraError } from '../shared/errors.js'

/**
 * Opaque page cursors: base64url of `<kind>:<key>`. Clients must not build them; a cursor of
 * another list, or anything that does not decode to a key of the expected shape, is refused
 * with 400 before it reaches a query.
 */
export function encodeCursor(kind: string, key: string): string {
  return Buffer.from(`${kind}:${key}`, 'utf8').toString('base64url')
}

export function decodeCursor(kind: string, cursor: string, keyPattern: RegExp): string {
  const invalid = () => new TesseraError('invalid_request', { detail: 'cursor is not a cursor this list gave out' })
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) throw invalid()
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8')
  const prefix = `${kind}:`
  if (!decoded.startsWith(prefix)) throw invalid()
  const key = decoded.slice(prefix.length)
  if (!keyPattern.test(key)) throw invalid()
  return key
}
