import type { KeyService } from '../keys/key-service.js'
import type { SigningKeyStore } from '../keys/signing-key-store.js'
import { acrOf } from '../sessions/session-acr.js'
import type { Clock } from '../shared/clock.js'
import { sha256 } from '../shared/digest.js'
import { issueOrderedOpaqueToken } from '../shared/opaque-token.js'
import { randomOrderedId } from '../shared/ordered-id.js'
import type { RandomSource } from '../shared/random.js'
import { type AccessTokenGrant, TOKEN_VERSION_CLAIM } from './access-token.js'
import { createAccessTokenEncrypter } from './access-token-encryption.js'
import type { AccessTokenStore } from './access-token-store.js'

export interface AccessTokenIssuerDeps {
  issuer: string
  keys: KeyService
  clock: Clock
  random: RandomSource
  /**
   * Sign inside a transaction on libuv's thread pool too (PostgreSQL), not on the event loop (SQLite).
   * docs/architecture.md §12: on SQLite the group commit holds the one connection, and the hand-off
   * cost the loop more than the signature; on PostgreSQL the transaction holds one of a pool's
   * connections and the loop serves the other requests meanwhile (issue 17, bench/tools/ab-refresh.mjs).
   */
  offLoopInTransaction?: boolean
}

export interface IssuedAccessToken {
  token: string
  jti: string
  expiresAt: number
  /** Seconds, for `expires_in`. */
  expiresIn: number
}

export type AccessTokenIssuer = ReturnType<typeof createAccessTokenIssuer>

/**
 * Issues access tokens in the API's format: RFC 9068 JWTs for `jwt` and `hybrid` APIs, opaque
 * reference tokens (checked by introspection) for `session` APIs. An API with an encryption key
 * gets its JWTs encrypted to it (nested JWTs, tokens/access-token-encryption.ts).
 */
export function createAccessTokenIssuer(deps: AccessTokenIssuerDeps) {
  const encrypt = createAccessTokenEncrypter()
  return {
    /** `tx` receives the record of an opaque or encrypted token, or of a JWT bound to a refresh family. */
    async issue(
      tx: { accessTokens: AccessTokenStore; keys: SigningKeyStore } | null,
      grant: AccessTokenGrant,
      ttlSeconds: number,
    ): Promise<IssuedAccessToken> {
      const now = deps.clock.now()
      const iat = Math.floor(now / 1000)
      const expiresAt = (iat + ttlSeconds) * 1000
      // Ids sort by issue time, so the rows a grant records append to their indexes (§12).
      if (grant.api.mode === 'session') {
        const opaque = issueOrderedOpaqueToken(deps.random, now)
        await tx?.accessTokens.insert(record(grant, opaque.id, 'opaque', opaque.secretHash, now, expiresAt))
        return { token: opaque.token, jti: opaque.id, expiresAt, expiresIn: ttlSeconds }
      }
      const jti = randomOrderedId(deps.random, now)
      const signer = await deps.keys.signer(tx ?? undefined)
      // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti; scope; auth_time when known.
      const claims: Record<string, unknown> = { client_id: grant.clientId, scope: grant.scope.join(' ') }
      if (grant.sessionId) claims.sid = grant.sessionId
      if (grant.authTime !== null) claims.auth_time = Math.floor(grant.authTime / 1000)
      // RFC 9470 §6: acr and amr of the session, as they are now (a step-up shows in later tokens).
      if (grant.amr) {
        claims.acr = acrOf(grant.amr)
        claims.amr = [...grant.amr]
      }
      if (grant.tokenVersion !== null) claims[TOKEN_VERSION_CLAIM] = grant.tokenVersion
      if (grant.api.rolesClaim && grant.roles) claims.roles = [...grant.roles]
      // RFC 9449 §6.1: the confirmation of the DPoP key the token is bound to.
      if (grant.dpopJkt) claims.cnf = { jkt: grant.dpopJkt }
      claims.iss = deps.issuer
      claims.sub = grant.subject
      claims.aud = grant.api.identifier
      claims.iat = iat
      claims.exp = iat + ttlSeconds
      claims.jti = jti
      // RFC 9068 §2.1: typ at+jwt. Outside a transaction (client_credentials) on libuv's thread
      // pool: the event loop, which bounds the rate, serves other requests while another core
      // signs (docs/architecture.md §4). Inside one, on the event loop on SQLite, on the pool on
      // PostgreSQL (§12).
      const token = await signer.sign('at+jwt', claims, { offLoop: tx === null || deps.offLoopInTransaction === true })
      const encryptionKey = grant.api.encryptionKey
      if (encryptionKey) {
        // Tessera never holds the key that decrypts it, so the record (found by the token's
        // digest) is what introspection and revocation know it by (docs/tokens.md).
        if (!tx) throw new Error('an encrypted access token is recorded, so it needs a transaction')
        const encrypted = await encrypt(token, encryptionKey)
        await tx.accessTokens.insert({
          ...record(grant, jti, 'jwe', null, now, expiresAt),
          tokenHash: sha256(encrypted),
          signingKid: signer.kid,
        })
        return { token: encrypted, jti, expiresAt, expiresIn: ttlSeconds }
      }
      if (grant.familyId && tx) await tx.accessTokens.insert(record(grant, jti, 'jwt', null, now, expiresAt))
      return { token, jti, expiresAt, expiresIn: ttlSeconds }
    },
  }
}

function record(
  grant: AccessTokenGrant,
  jti: string,
  format: 'jwt' | 'opaque' | 'jwe',
  secretHash: string | null,
  now: number,
  expiresAt: number,
) {
  return {
    jti,
    format,
    secretHash,
    familyId: grant.familyId,
    sessionId: grant.sessionId,
    userId: grant.userId,
    clientId: grant.clientId,
    api: grant.api.identifier,
    scope: grant.scope,
    tokenVersion: grant.tokenVersion,
    authTime: grant.authTime,
    createdAt: now,
    expiresAt,
    revokedAt: null,
    roles: grant.api.rolesClaim && grant.roles ? [...grant.roles] : null,
    dpopJkt: grant.dpopJkt ?? null,
    amr: grant.amr ? [...grant.amr] : null,
  }
}
