import { type Migration, Migrator } from 'kysely'
import { foundation } from './migrations/0001-foundation.js'
import { tokens } from './migrations/0002-tokens.js'
import { webhooks } from './migrations/0003-webhooks.js'
import { rbacAudit } from './migrations/0004-rbac-audit.js'
import { authorization } from './migrations/0005-authorization.js'
import { adminApi } from './migrations/0006-admin-api.js'
import { flows } from './migrations/0007-flows.js'
import { consoleClient } from './migrations/0008-console-client.js'
import { email } from './migrations/0009-email.js'
import { webOrigins } from './migrations/0010-web-origins.js'
import { ops } from './migrations/0011-ops.js'
import { backchannel } from './migrations/0012-backchannel.js'
import { mfa } from './migrations/0013-mfa.js'
import { webauthnChallenges } from './migrations/0014-webauthn-challenges.js'
import { connections } from './migrations/0015-connections.js'
import { requireMfa } from './migrations/0017-require-mfa.js'
import { refreshIdTokenDefaultRoles } from './migrations/0019-refresh-id-token-default-roles.js'
import { pushedAuthorizationRequests } from './migrations/0020-pushed-authorization-requests.js'
import { dpop } from './migrations/0021-dpop.js'
import { housekeeping } from './migrations/0022-housekeeping.js'
import { consoleStats } from './migrations/0023-console-stats.js'
import { deviceAuthorizations } from './migrations/0024-device-authorizations.js'
import { authorizationCodeDpopJkt } from './migrations/0025-authorization-code-dpop-jkt.js'
import { encryptedAccessTokens } from './migrations/0025-encrypted-access-tokens.js'
import { tokenAmr } from './migrations/0026-token-amr.js'
import { connectionPrivateKeys } from './migrations/0028-connection-private-keys.js'
import { deviceAuthorizationAmr } from './migrations/0029-device-authorization-amr.js'
import type { OpenDatabase } from './open-database.js'

/**
 * Every migration, in order. Names are permanent: never rename or edit a released one (the two
 * 0025s stay as they are; docs/architecture.md §12, "Migrations are permanent").
 */
export function migrations(database: OpenDatabase): Record<string, Migration> {
  return {
    '0001-foundation': foundation(database.dialect),
    '0002-tokens': tokens(),
    '0003-webhooks': webhooks(),
    '0004-rbac-audit': rbacAudit(),
    '0005-authorization': authorization(),
    '0006-admin-api': adminApi(),
    '0007-flows': flows(),
    '0008-console-client': consoleClient(),
    '0009-email': email(),
    '0010-web-origins': webOrigins(),
    '0011-ops': ops(),
    '0012-backchannel': backchannel(),
    '0013-mfa': mfa(),
    '0014-webauthn-challenges': webauthnChallenges(),
    '0015-connections': connections(),
    '0017-require-mfa': requireMfa(),
    '0019-refresh-id-token-default-roles': refreshIdTokenDefaultRoles(),
    '0020-pushed-authorization-requests': pushedAuthorizationRequests(),
    '0021-dpop': dpop(),
    '0022-housekeeping': housekeeping(),
    '0023-console-stats': consoleStats(),
    '0024-device-authorizations': deviceAuthorizations(),
    '0025-authorization-code-dpop-jkt': authorizationCodeDpopJkt(),
    '0025-encrypted-access-tokens': encryptedAccessTokens(),
    '0026-token-amr': tokenAmr(),
    '0028-connection-private-keys': connectionPrivateKeys(),
    '0029-device-authorization-amr': deviceAuthorizationAmr(),
  }
}

export interface MigrationReport {
  applied: string[]
}

/** Brings the schema up to date. Safe to run on every start and from several processes. */
export async function migrateToLatest(database: OpenDatabase): Promise<MigrationReport> {
  const migrator = new Migrator({
    db: database.db,
    provider: { getMigrations: async () => migrations(database) },
    // Numbers are handed out to parallel work ahead of time and land in any order, so a database
    // that already ran a later number (0013) must still run an earlier one that arrives after it
    // (0010). Each such migration touches only its own tables and columns.
    allowUnorderedMigrations: true,
    ...(database.schema ? { migrationTableSchema: database.schema } : {}),
  })
  if (database.schema) await database.db.schema.createSchema(database.schema).ifNotExists().execute()
  const { error, results } = await migrator.migrateToLatest()
  if (error) throw error
  return { applied: (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName) }
}
