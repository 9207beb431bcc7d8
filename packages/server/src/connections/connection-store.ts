import type { Selectable } from 'kysely'
import type { ConnectionsTable, Executor } from '../store/database.js'
import type { Connection, UserMapping } from './connection.js'

/** Where connections live. */
export interface ConnectionStore {
  insert(connection: Connection): Promise<void>
  findById(id: string): Promise<Connection | null>
  list(): Promise<Connection[]>
  /** Writes every field but the id and creation time; false for an unknown id. */
  update(connection: Connection): Promise<boolean>
  /** Deletes the connection and, by cascade, the identities linked through it. */
  delete(id: string): Promise<boolean>
}

export function createConnectionStore(db: Executor): ConnectionStore {
  return {
    async insert(connection) {
      await db.insertInto('connections').values(toRow(connection)).execute()
    },
    async findById(id) {
      const row = await db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? toConnection(row) : null
    },
    async list() {
      return (await db.selectFrom('connections').selectAll().orderBy('created_at').orderBy('id').execute()).map(toConnection)
    },
    async update(connection) {
      const { id: _id, created_at: _created, ...values } = toRow(connection)
      const result = await db.updateTable('connections').set(values).where('id', '=', connection.id).executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async delete(id) {
      const result = await db.deleteFrom('connections').where('id', '=', id).executeTakeFirst()
      return Number(result.numDeletedRows) === 1
    },
  }
}

function toRow(connection: Connection): ConnectionsTable {
  return {
    id: connection.id,
    type: connection.type,
    preset: connection.preset,
    name: connection.name,
    icon_url: connection.iconUrl,
    issuer: connection.issuer,
    authorization_endpoint: connection.authorizationEndpoint,
    token_endpoint: connection.tokenEndpoint,
    userinfo_endpoint: connection.userinfoEndpoint,
    emails_endpoint: connection.emailsEndpoint,
    user_mapping: JSON.stringify(connection.userMapping),
    client_id: connection.clientId,
    client_secret_sealed: connection.clientSecretSealed,
    private_key_sealed: connection.privateKeySealed,
    scopes: JSON.stringify(connection.scopes),
    applications: connection.applications === null ? null : JSON.stringify(connection.applications),
    allow_sign_up: connection.allowSignUp ? 1 : 0,
    allowed_hosts: JSON.stringify(connection.allowedHosts),
    allow_insecure_development: connection.allowInsecureDevelopment ? 1 : 0,
    enabled: connection.enabled ? 1 : 0,
    created_at: connection.createdAt,
    updated_at: connection.updatedAt,
  }
}

function toConnection(row: Selectable<ConnectionsTable>): Connection {
  return {
    id: row.id,
    type: row.type,
    preset: row.preset,
    name: row.name,
    iconUrl: row.icon_url,
    issuer: row.issuer,
    authorizationEndpoint: row.authorization_endpoint,
    tokenEndpoint: row.token_endpoint,
    userinfoEndpoint: row.userinfo_endpoint,
    emailsEndpoint: row.emails_endpoint,
    userMapping: JSON.parse(row.user_mapping) as UserMapping,
    clientId: row.client_id,
    clientSecretSealed: row.client_secret_sealed,
    privateKeySealed: row.private_key_sealed ?? null,
    scopes: JSON.parse(row.scopes) as string[],
    applications: row.applications === null ? null : (JSON.parse(row.applications) as string[]),
    allowSignUp: Number(row.allow_sign_up) === 1,
    allowedHosts: JSON.parse(row.allowed_hosts) as string[],
    allowInsecureDevelopment: Number(row.allow_insecure_development) === 1,
    enabled: Number(row.enabled) === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }
}
