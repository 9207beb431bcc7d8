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
 * JWT issued with a refresh family) is revoked and written to the revocation log, so hybrid-mode
 * resource servers learn of it. A JWT issued without a family (client credentials) is not
 * recorded: introspection calls it inactive once its API is gone, and a `jwt`-mode resource server
 * accepts it until it expires, as it would any other JWT.
 */
export async function revokeTokensOfApi(tx: ApiCutOffStores, api: string, now: number): Promise<{ access: number; refresh: number }> {
  const refresh = await tx.refreshTokens.revokeAllOfApi(api, now)
  const live = await tx.accessTokens.listLiveOfApi(api, now)
  for (const access of live) {
    if (!(await tx.accessTokens.revoke(access.jti, now))) continue
    await tx.revocations.append({ kind: 'access_token', jti: access.jti }, now, access.expiresAt)
  }
  return { access: live.length, refresh }
}
