import type { RevocationEntry, RevocationKind } from './revocation-entry.js'

/** What of a verified token the revocation rules look at. */
export interface RevocableToken {
  kid: string
  jti: string
  sub: string
  clientId: string
  sid: string | null
  tokenVersion: number | null
  /** Seconds since the Unix epoch. */
  iat: number
  /** Its `aud`, as a list. */
  audiences: readonly string[]
}

/**
 * The live revocation set of hybrid mode, in memory: one hash lookup per rule of
 * docs/revocation-feed.md, so it costs next to nothing on a cache hit.
 */
export interface RevocationSet {
  /** Add one entry from the stream. */
  apply(entry: RevocationEntry): void
  /** Replace everything with a snapshot. */
  replace(entries: readonly RevocationEntry[]): void
  /** The kind of the first entry that kills the token, or null when none does. */
  revokes(token: RevocableToken): RevocationKind | null
  /** Drop the entries whose `expiresAt` has passed. */
  prune(now: number): void
  readonly size: number
}

interface Cutoff {
  /** user_token_version: the least valid version; client and api: the latest revoked `iat` in ms. */
  value: number
  expiresAt: number
}

export function createRevocationSet(): RevocationSet {
  const sessions = new Map<string, number>()
  const jtis = new Map<string, number>()
  const kids = new Map<string, number>()
  const versions = new Map<string, Cutoff>()
  const clients = new Map<string, Cutoff>()
  const apis = new Map<string, Cutoff>()

  // Several entries for one subject combine conservatively: the highest cut-off, the latest expiry.
  const raise = (map: Map<string, Cutoff>, key: string, value: number, expiresAt: number): void => {
    const current = map.get(key)
    map.set(key, { value: Math.max(value, current?.value ?? value), expiresAt: Math.max(expiresAt, current?.expiresAt ?? expiresAt) })
  }
  const later = (map: Map<string, number>, key: string, expiresAt: number): void => {
    map.set(key, Math.max(expiresAt, map.get(key) ?? expiresAt))
  }

  function apply(entry: RevocationEntry): void {
    if (entry.kind === 'session') later(sessions, entry.sid, entry.expiresAt)
    else if (entry.kind === 'access_token') later(jtis, entry.jti, entry.expiresAt)
    else if (entry.kind === 'key') later(kids, entry.kid, entry.expiresAt)
    else if (entry.kind === 'user_token_version') raise(versions, entry.sub, entry.minTokenVersion, entry.expiresAt)
    else if (entry.kind === 'client') raise(clients, entry.clientId, entry.createdAt, entry.expiresAt)
    else raise(apis, entry.aud, entry.createdAt, entry.expiresAt)
  }

  const all = [sessions, jtis, kids, versions, clients, apis] as const

  return {
    apply,
    replace(entries) {
      for (const map of all) map.clear()
      for (const entry of entries) apply(entry)
    },
    revokes(token) {
      if (token.sid !== null && sessions.has(token.sid)) return 'session'
      if (jtis.has(token.jti)) return 'access_token'
      if (kids.has(token.kid)) return 'key'
      const version = versions.get(token.sub)
      if (version && token.tokenVersion !== null && token.tokenVersion < version.value) return 'user_token_version'
      const client = clients.get(token.clientId)
      if (client && token.iat * 1000 <= client.value) return 'client'
      // A deleted API: every token for it issued up to the deletion (client credentials included).
      for (const aud of token.audiences) {
        const api = apis.get(aud)
        if (api && token.iat * 1000 <= api.value) return 'api'
      }
      return null
    },
    prune(now) {
      for (const map of [sessions, jtis, kids]) for (const [key, expiresAt] of map) if (expiresAt <= now) map.delete(key)
      for (const map of [versions, clients, apis]) for (const [key, cutoff] of map) if (cutoff.expiresAt <= now) map.delete(key)
    },
    get size() {
      return all.reduce((total, map) => total + map.size, 0)
    },
  }
}
