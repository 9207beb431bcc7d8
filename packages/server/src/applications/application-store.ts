import type { Selectable } from 'kysely'
import type { ApplicationsTable, Executor } from '../store/database.js'
import type { Application } from './application.js'
import { allowedWebOrigins } from './web-origin.js'

export interface ApplicationStore {
  insert(app: Application): Promise<void>
  findById(id: string): Promise<Application | null>
  list(): Promise<Application[]>
  setSecretHash(id: string, secretHash: string, now: number): Promise<boolean>
  /** Writes the changeable settings (not the type, secret or creation time). */
  update(app: Application): Promise<boolean>
  delete(id: string): Promise<boolean>
  /** Whether any application allows this web origin (a CORS preflight names no client). */
  hasWebOrigin(origin: string): Promise<boolean>
}

export function createApplicationStore(db: Executor): ApplicationStore {
  return {
    async insert(app) {
      await db
        .insertInto('applications')
        .values({
          id: app.id,
          type: app.type,
          secret_hash: app.secretHash,
          ...changeableColumns(app),
          created_at: app.createdAt,
        })
        .execute()
      await writeWebOrigins(db, app)
    },
    async findById(id) {
      const row = await db.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? toApplication(row) : null
    },
    async list() {
      return (await db.selectFrom('applications').selectAll().orderBy('created_at').orderBy('id').execute()).map(toApplication)
    },
    async setSecretHash(id, secretHash, now) {
      const result = await db
        .updateTable('applications')
        .set({ secret_hash: secretHash, updated_at: now })
        .where('id', '=', id)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async update(app) {
      const result = await db
        .updateTable('applications')
        .set({
          ...changeableColumns(app),
        })
        .where('id', '=', app.id)
        .executeTakeFirst()
      if (Number(result.numUpdatedRows) === 0) return false
      await writeWebOrigins(db, app)
      return true
    },
    async delete(id) {
      await db.deleteFrom('application_web_origins').where('client_id', '=', id).execute()
      const result = await db.deleteFrom('applications').where('id', '=', id).executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },
    async hasWebOrigin(origin) {
      const row = await db
        .selectFrom('application_web_origins')
        .select('client_id')
        .where('origin', '=', origin)
        .limit(1)
        .executeTakeFirst()
      return row !== undefined
    },
  }
}

/** Rewrites the index of the origins in force, from the application's own settings. */
async function writeWebOrigins(db: Executor, app: Application): Promise<void> {
  await db.deleteFrom('application_web_origins').where('client_id', '=', app.id).execute()
  const origins = allowedWebOrigins(app)
  if (origins.length > 0) {
    await db
      .insertInto('application_web_origins')
      .values(origins.map((origin) => ({ origin, client_id: app.id })))
      .execute()
  }
}

function toApplication(row: Selectable<ApplicationsTable>): Application {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    secretHash: row.secret_hash,
    grants: JSON.parse(row.grants),
    redirectUris: JSON.parse(row.redirect_uris),
    apis: JSON.parse(row.apis),
    scopes: JSON.parse(row.scopes),
    accessTokenTtl: row.access_token_ttl,
    refreshTokenTtl: row.refresh_token_ttl,
    firstParty: Number(row.first_party) === 1,
    postLogoutRedirectUris: JSON.parse(row.post_logout_redirect_uris),
    webOrigins: row.web_origins === null ? null : JSON.parse(row.web_origins),
    backchannelLogoutUri: row.backchannel_logout_uri,
    backchannelLogoutSessionRequired: Number(row.backchannel_logout_session_required) === 1,
    requirePushedAuthorizationRequests: Number(row.require_pushed_authorization_requests) === 1,
    requireMfa: Number(row.require_mfa) === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

/**
 * The columns `update` writes, as `insert` writes them too: one list, so a new setting cannot be
 * stored on creation and lost on update (or the reverse).
 */
function changeableColumns(app: Application) {
  return {
    name: app.name,
    grants: JSON.stringify(app.grants),
    redirect_uris: JSON.stringify(app.redirectUris),
    apis: JSON.stringify(app.apis),
    scopes: JSON.stringify(app.scopes),
    access_token_ttl: app.accessTokenTtl,
    refresh_token_ttl: app.refreshTokenTtl,
    first_party: app.firstParty ? 1 : 0,
    post_logout_redirect_uris: JSON.stringify(app.postLogoutRedirectUris),
    web_origins: app.webOrigins === null ? null : JSON.stringify(app.webOrigins),
    backchannel_logout_uri: app.backchannelLogoutUri,
    backchannel_logout_session_required: app.backchannelLogoutSessionRequired ? 1 : 0,
    require_pushed_authorization_requests: app.requirePushedAuthorizationRequests ? 1 : 0,
    require_mfa: app.requireMfa ? 1 : 0,
    updated_at: app.updatedAt,
  }
}
