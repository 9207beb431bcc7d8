import type { Application } from '../applications/application.js'
import type { Clock } from '../shared/clock.js'
import { digestsEqual, sha256 } from '../shared/digest.js'
import { parseOpaqueToken } from '../shared/opaque-token.js'
import type { Transact } from '../store/transaction.js'
import { isCompactJwe } from './access-token-encryption.js'
import type { RevocableAccessToken } from './access-token-store.js'
import type { AccessTokenVerifier } from './access-token-verifier.js'
import { type RefreshFamilyStores, revokeFamily } from './refresh-family.js'

/** Revokes one recorded access token of the caller (opaque or encrypted) and logs it for hybrid resource servers. */
async function revokeRecorded(tx: RefreshFamilyStores, caller: Application, access: RevocableAccessToken, now: number): Promise<void> {
  if (access.clientId !== caller.id || access.revokedAt !== null) return
  await tx.accessTokens.revoke(access.jti, now)
  await tx.revocations.append({ kind: 'access_token', jti: access.jti }, now, access.expiresAt)
  await tx.events.append({
    type: 'access_token.revoked',
    actor: { kind: 'application', id: caller.id },
    userId: access.userId,
    payload: { jti: access.jti },
    ip: null,
    createdAt: now,
  })
}

export interface TokenRevocationDeps {
  transact: Transact<RefreshFamilyStores>
  clock: Clock
  verifyAccessToken: AccessTokenVerifier
}

export type TokenRevocationService = ReturnType<typeof createTokenRevocationService>

/**
 * RFC 7009. A client revokes only its own tokens. A refresh token takes its whole family (and
 * the access tokens issued with it); an access token's `jti` goes into the revocation log until
 * the token would have expired. Unknown, foreign and already-dead tokens change nothing, and the
 * answer is the same 200 in every case (§2.2), so revocation reveals nothing.
 */
export function createTokenRevocationService(deps: TokenRevocationDeps) {
  return {
    async revoke(caller: Application, token: string): Promise<void> {
      const now = deps.clock.now()
      if (token.split('.').length === 3) {
        const claims = await deps.verifyAccessToken(token)
        if (!claims || claims.clientId !== caller.id) return
        await deps.transact(async (tx) => {
          if (await tx.revocations.isRevoked('access_token', claims.jti, now)) return
          await tx.accessTokens.revoke(claims.jti, now)
          await tx.revocations.append({ kind: 'access_token', jti: claims.jti }, now, claims.exp * 1000)
          await tx.events.append({
            type: 'access_token.revoked',
            actor: { kind: 'application', id: caller.id },
            userId: claims.sid ? claims.sub : null,
            payload: { jti: claims.jti },
            ip: null,
            createdAt: now,
          })
        })
        return
      }
      if (isCompactJwe(token)) {
        // Issue 16 part 7: an encrypted token is known by its digest; its inner jti goes to the log.
        await deps.transact(async (tx) => {
          const access = await tx.accessTokens.findByTokenHash(sha256(token))
          if (access?.format === 'jwe') await revokeRecorded(tx, caller, access, now)
        })
        return
      }
      const parsed = parseOpaqueToken(token)
      if (!parsed) return
      await deps.transact(async (tx) => {
        const refresh = await tx.refreshTokens.findById(parsed.id)
        if (refresh && digestsEqual(refresh.secretHash, parsed.secretHash) && refresh.clientId === caller.id) {
          if (refresh.revokedAt === null) await revokeFamily(tx, refresh, 'revoked_by_client', now)
          return
        }
        const access = await tx.accessTokens.findByJti(parsed.id)
        if (access?.format === 'opaque' && access.secretHash && digestsEqual(access.secretHash, parsed.secretHash))
          await revokeRecorded(tx, caller, access, now)
      })
    },
  }
}
