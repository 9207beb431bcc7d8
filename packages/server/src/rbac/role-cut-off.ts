import type { RevocationLog } from '../revocation/revocation-log.js'
import type { UserStore } from '../users/user-store.js'

/** What a cut-off writes: users' token versions and the revocation log. */
export interface CutOffStores {
  users: UserStore
  revocations: RevocationLog
}

/**
 * Kills the live tokens of the holders of a role that lost (or may have lost) a permission, in the
 * caller's transaction (docs/architecture.md §2). A user's token version rises and the revocation log says
 * so; an application gets a `client` cut-off, which kills its tokens issued up to now (the SDK's
 * revocation set and introspection both compare the token's `iat` with the entry's time).
 * Refresh tokens live on: the next refresh issues an access token with the reduced scope.
 */
export async function cutOffHolders(
  tx: CutOffStores,
  holders: { users: readonly string[]; applications: readonly string[] },
  now: number,
  retentionMs: number,
): Promise<void> {
  for (const userId of holders.users) {
    const version = await tx.users.raiseTokenVersion(userId, now)
    if (version !== null)
      await tx.revocations.append({ kind: 'user_token_version', sub: userId, minTokenVersion: version }, now, now + retentionMs)
  }
  for (const clientId of holders.applications) {
    await tx.revocations.append({ kind: 'client', clientId }, now, now + retentionMs)
  }
}
