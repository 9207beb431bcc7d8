import { isJsonObject } from '../shared/read-json.js'

/**
 * One entry of Tessera's revocation log, as the feed sends it (docs/revocation-feed.md). Times are
 * milliseconds since the Unix epoch; after `expiresAt` no token the entry affects can be valid.
 *
 * @example
 * const entry: RevocationEntry = { seq: 42, kind: 'session', sid: 'hghAGIu2bw-Ur789ekCUJw', createdAt: 1795758238000, expiresAt: 1795761838000 }
 */
export type RevocationEntry = { seq: number; createdAt: number; expiresAt: number } & (
  | { kind: 'session'; sid: string }
  | { kind: 'user_token_version'; sub: string; minTokenVersion: number }
  | { kind: 'access_token'; jti: string }
  | { kind: 'key'; kid: string }
  | { kind: 'client'; clientId: string }
  | { kind: 'api'; aud: string }
)

/**
 * The kinds of revocation entry.
 *
 * @example
 * const kind: RevocationKind = 'user_token_version'
 */
export type RevocationKind = RevocationEntry['kind']

/**
 * Read an entry from the wire; null when it is malformed or of a kind this SDK does not know
 * (a newer server), which the caller reports.
 */
export function parseRevocationEntry(value: unknown): RevocationEntry | null {
  if (!isJsonObject(value)) return null
  const { seq, kind, createdAt, expiresAt } = value
  if (!isCount(seq) || !isCount(createdAt) || !isCount(expiresAt)) return null
  // Each entry is one object literal, not `{ ...base, kind, … }`: Node 20's V8 builds a spread
  // followed by more properties on a slow path, ~3 µs an entry against ~0.2 µs for a literal, paid
  // by every subscriber on every event and 20,000 times for a snapshot of 20,000
  // (docs/architecture.md §9, the revocation fan-out).
  switch (kind) {
    case 'session':
      return isName(value.sid) ? { seq, kind, sid: value.sid, createdAt, expiresAt } : null
    case 'user_token_version':
      return isName(value.sub) && isCount(value.minTokenVersion)
        ? { seq, kind, sub: value.sub, minTokenVersion: value.minTokenVersion, createdAt, expiresAt }
        : null
    case 'access_token':
      return isName(value.jti) ? { seq, kind, jti: value.jti, createdAt, expiresAt } : null
    case 'key':
      return isName(value.kid) ? { seq, kind, kid: value.kid, createdAt, expiresAt } : null
    case 'client':
      return isName(value.clientId) ? { seq, kind, clientId: value.clientId, createdAt, expiresAt } : null
    case 'api':
      return isName(value.aud) ? { seq, kind, aud: value.aud, createdAt, expiresAt } : null
    default:
      return null
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}
