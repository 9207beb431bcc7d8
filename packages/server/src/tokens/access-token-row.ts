import type { Selectable } from 'kysely'
import type { AccessTokensTable } from '../store/database.js'
import type { AccessTokenRecord } from './access-token.js'
import { amrFromColumn } from './amr-column.js'

/** The columns of an access token's row that every read of it takes (introspection's join leaves out the other two). */
export type AccessTokenRow = Omit<Selectable<AccessTokensTable>, 'family_id' | 'token_hash'>

/** A token's row as the record's fields, but for the refresh family and the encrypted token's hash. */
export function accessTokenFromRow(row: AccessTokenRow): Omit<AccessTokenRecord, 'familyId' | 'tokenHash'> {
  return {
    jti: row.jti,
    format: row.format,
    secretHash: row.secret_hash,
    sessionId: row.session_id,
    userId: row.user_id,
    clientId: row.client_id,
    api: row.api,
    scope: row.scope === '' ? [] : row.scope.split(' '),
    tokenVersion: row.token_version,
    authTime: row.auth_time,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    roles: row.roles === null ? null : row.roles.split(' ').filter(Boolean),
    dpopJkt: row.dpop_jkt,
    signingKid: row.signing_kid,
    amr: amrFromColumn(row.amr),
  }
}
