import type { Selectable } from 'kysely'
import type { Executor, MfaFactorsTable } from '../store/database.js'
import type { MfaFactor } from './mfa-factor.js'

export interface MfaFactorStore {
  insert(factor: MfaFactor): Promise<void>
  findById(id: string): Promise<MfaFactor | null>
  listByUser(userId: string): Promise<MfaFactor[]>
  findByCredentialId(credentialId: string): Promise<MfaFactor | null>
  activate(id: string, now: number): Promise<boolean>
  /**
   * Records a TOTP code's step, only if it is later than the last one accepted: the condition is
   * in the UPDATE, so two requests racing with the same code cannot both succeed.
   */
  acceptTotpStep(id: string, step: number, now: number): Promise<boolean>
  /** Records a WebAuthn use: the new signature counter and backup state. */
  recordWebAuthnUse(id: string, counter: number, backedUp: boolean, now: number): Promise<boolean>
  delete(id: string): Promise<boolean>
  /** Renames one of this user's factors; false when the user has no factor with that id. */
  rename(id: string, userId: string, name: string): Promise<boolean>
  /** Drops a user's unconfirmed enrolments of a kind (a new enrolment replaces an abandoned one). */
  deletePending(userId: string, kind: MfaFactor['kind']): Promise<number>
  deleteAllOfUser(userId: string): Promise<number>
}

export function createMfaFactorStore(db: Executor): MfaFactorStore {
  return {
    async insert(factor) {
      await db
        .insertInto('mfa_factors')
        .values({
          id: factor.id,
          user_id: factor.userId,
          kind: factor.kind,
          name: factor.name,
          status: factor.status,
          totp_secret_sealed: factor.totp?.sealedSecret ?? null,
          totp_last_step: factor.totp?.lastStep ?? null,
          webauthn_credential_id: factor.webauthn?.credentialId ?? null,
          webauthn_public_key: factor.webauthn?.publicKey ?? null,
          webauthn_counter: factor.webauthn?.counter ?? null,
          webauthn_transports: factor.webauthn ? JSON.stringify(factor.webauthn.transports) : null,
          webauthn_backed_up: factor.webauthn ? (factor.webauthn.backedUp ? 1 : 0) : null,
          webauthn_device_type: factor.webauthn?.deviceType ?? null,
          created_at: factor.createdAt,
          confirmed_at: factor.confirmedAt,
          last_used_at: factor.lastUsedAt,
        })
        .execute()
    },
    async findById(id) {
      const row = await db.selectFrom('mfa_factors').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? toFactor(row) : null
    },
    async listByUser(userId) {
      const rows = await db
        .selectFrom('mfa_factors')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('id')
        .execute()
      return rows.map(toFactor)
    },
    async findByCredentialId(credentialId) {
      const row = await db.selectFrom('mfa_factors').selectAll().where('webauthn_credential_id', '=', credentialId).executeTakeFirst()
      return row ? toFactor(row) : null
    },
    async activate(id, now) {
      const result = await db
        .updateTable('mfa_factors')
        .set({ status: 'active', confirmed_at: now })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async acceptTotpStep(id, step, now) {
      const result = await db
        .updateTable('mfa_factors')
        .set({ totp_last_step: step, last_used_at: now })
        .where('id', '=', id)
        .where('kind', '=', 'totp')
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async recordWebAuthnUse(id, counter, backedUp, now) {
      const result = await db
        .updateTable('mfa_factors')
        .set({ webauthn_counter: counter, webauthn_backed_up: backedUp ? 1 : 0, last_used_at: now })
        .where('id', '=', id)
        .where('kind', '=', 'webauthn')
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async rename(id, userId, name) {
      const result = await db.updateTable('mfa_factors').set({ name }).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async delete(id) {
      const result = await db.deleteFrom('mfa_factors').where('id', '=', id).executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },
    async deletePending(userId, kind) {
      const result = await db
        .deleteFrom('mfa_factors')
        .where('user_id', '=', userId)
        .where('kind', '=', kind)
        .where('status', '=', 'pending')
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    },
    async deleteAllOfUser(userId) {
      const result = await db.deleteFrom('mfa_factors').where('user_id', '=', userId).executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}

function toFactor(row: Selectable<MfaFactorsTable>): MfaFactor {
  return {
    id: row.id,
    userId: row.user_id,
    kind: row.kind,
    name: row.name,
    status: row.status,
    totp: row.totp_secret_sealed === null ? null : { sealedSecret: row.totp_secret_sealed, lastStep: row.totp_last_step },
    webauthn:
      row.webauthn_credential_id === null
        ? null
        : {
            credentialId: row.webauthn_credential_id,
            publicKey: row.webauthn_public_key ?? '',
            counter: row.webauthn_counter ?? 0,
            transports: JSON.parse(row.webauthn_transports ?? '[]') as string[],
            backedUp: row.webauthn_backed_up === 1,
            deviceType: row.webauthn_device_type === 'multiDevice' ? 'multiDevice' : 'singleDevice',
          },
    createdAt: row.created_at,
    confirmedAt: row.confirmed_at,
    lastUsedAt: row.last_used_at,
  }
}
