import type { RevocationLog } from '../revocation/revocation-log.js'
import type { AccessTokenStore } from './access-token-store.js'
import type { RefreshTokenStore } from './refresh-token-store.js'

export interface ApiCutOffStores {
  accessTokens: Pick<AccessTokenStore, 'listLiveOfApi' | 'revoke'>
  refreshTokens: Pick<RefreshTokenStore, 'revokeAllOfApi'>
  revocations: Pick<RevocationLog, 'append'>
}

/**
 * A deleted API takes its live tokens with it, in the transaction that deletes it (issue 16):
 * every refresh token for it is revoked, and every recorded access token (each opaque one, each
 * JWT issued with a refresh family) is revoked and written to the revocation log. Tokens that
 * were never recorded (client-credentials JWTs: recording them would cost a write per request)
 * are reached by one `api` cut-off entry: every token for that audience issued up to now is dead,
 * at introspection and for hybrid resource servers, even if the identifier is registered again.
 * It lasts `horizonMs` (the longest access-token lifetime), after which no such token is valid.
 */
export async function revokeTokensOfApi(
  tx: ApiCutOffStores,
  api: string,
  now: number,
  horizonMs: number,
): Promise<{ access: number; refresh: number }> {
  await tx.revocations.append({ kind: 'api', aud: api }, now, now + horizonMs)
  const refresh = await tx.refreshTokens.revokeAllOfApi(api, now)
  const live = await tx.accessTokens.listLiveOfApi(api, now)
  for (const access of live) {
    if (!(await tx.accessTokens.revoke(access.jti, now))) continue
    await tx.revocations.append({ kind: 'access_token', jti: access.jti }, now, access.expiresAt)
  }
  return { access: live.length, refresh }
}
