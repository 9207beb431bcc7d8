import type { ColumnType, Generated, Kysely, Transaction } from 'kysely'
import type { AuthorizationCodesTable, ConsentsTable } from './database-authorization.js'
import type { ConnectionsTable, IdentitiesTable } from './database-connections.js'
import type { AccountRequestCountersTable, AccountTokensTable, EmailCursorTable, EmailDeliveriesTable } from './database-email.js'
import type { FlowsTable } from './database-flows.js'
import type { MfaFactorsTable, RecoveryCodesTable, WebAuthnChallengesTable } from './database-mfa.js'
import type { DeviceAuthorizationsTable, DpopProofsTable, PushedAuthorizationRequestsTable } from './database-protocol.js'
import type {
  ApplicationRolesTable,
  AuditLogTable,
  AuditProjectionTable,
  RolePermissionsTable,
  RolesTable,
  UserRolesTable,
} from './database-rbac.js'
import type {
  AccessTokensTable,
  ApisTable,
  ApplicationsTable,
  ApplicationWebOriginsTable,
  BackchannelCursorTable,
  BackchannelLogoutsTable,
  RefreshTokensTable,
  SessionRelyingPartiesTable,
  SigningKeysTable,
} from './database-tokens.js'
import type { WebhookDeliveriesTable, WebhookEndpointsTable } from './database-webhooks.js'

export type { AuthorizationCodesTable, ConsentsTable } from './database-authorization.js'
export type { ConnectionsTable, IdentitiesTable } from './database-connections.js'
export type { AccountRequestCountersTable, AccountTokensTable, EmailCursorTable, EmailDeliveriesTable } from './database-email.js'
export type { FlowsTable } from './database-flows.js'
export type { MfaFactorsTable, RecoveryCodesTable, WebAuthnChallengesTable } from './database-mfa.js'
export type {
  ApplicationRolesTable,
  AuditLogTable,
  AuditProjectionTable,
  RolePermissionsTable,
  RolesTable,
  UserRolesTable,
} from './database-rbac.js'
export type { WebhookDeliveriesTable, WebhookEndpointsTable } from './database-webhooks.js'
export type {
  AccessTokensTable,
  ApisTable,
  ApplicationsTable,
  ApplicationWebOriginsTable,
  BackchannelCursorTable,
  BackchannelLogoutsTable,
  RefreshTokensTable,
  SessionRelyingPartiesTable,
  SigningKeysTable,
}

/**
 * The tables of Tessera. Times are integer milliseconds since the Unix epoch on every dialect,
 * so comparisons and arithmetic are the same in SQLite and PostgreSQL.
 */
export interface Database {
  users: UsersTable
  password_credentials: PasswordCredentialsTable
  sessions: SessionsTable
  sign_in_throttle: SignInThrottleTable
  rate_limit_counters: RateLimitCountersTable
  revocation_log: RevocationLogTable
  event_outbox: EventOutboxTable
  signing_keys: SigningKeysTable
  apis: ApisTable
  applications: ApplicationsTable
  application_web_origins: ApplicationWebOriginsTable
  session_relying_parties: SessionRelyingPartiesTable
  backchannel_logouts: BackchannelLogoutsTable
  backchannel_cursor: BackchannelCursorTable
  refresh_tokens: RefreshTokensTable
  access_tokens: AccessTokensTable
  webhook_endpoints: WebhookEndpointsTable
  webhook_deliveries: WebhookDeliveriesTable
  roles: RolesTable
  role_permissions: RolePermissionsTable
  user_roles: UserRolesTable
  application_roles: ApplicationRolesTable
  audit_log: AuditLogTable
  audit_projection: AuditProjectionTable
  flows: FlowsTable
  authorization_codes: AuthorizationCodesTable
  consents: ConsentsTable
  email_cursor: EmailCursorTable
  email_deliveries: EmailDeliveriesTable
  account_tokens: AccountTokensTable
  account_request_counters: AccountRequestCountersTable
  mfa_factors: MfaFactorsTable
  recovery_codes: RecoveryCodesTable
  webauthn_challenges: WebAuthnChallengesTable
  connections: ConnectionsTable
  identities: IdentitiesTable
  master_key_check: MasterKeyCheckTable
  pushed_authorization_requests: PushedAuthorizationRequestsTable
  dpop_proofs: DpopProofsTable
  device_authorizations: DeviceAuthorizationsTable
}

export interface UsersTable {
  id: string
  /** Normalised (see users/email.ts); unique. */
  email: string
  status: 'active' | 'disabled'
  /** docs/architecture.md §2: tokens carry it; raising it kills every token with an older one. */
  token_version: number
  /** 1 once the user proved control of `email` (migration 0009-email); a change of address sets it anew. */
  email_verified: ColumnType<number, number | undefined, number>
  created_at: number
  updated_at: number
}

/** Kept apart from users so that code listing users never touches a password hash. */
export interface PasswordCredentialsTable {
  user_id: string
  /** argon2id PHC string. */
  hash: string
  updated_at: number
}

export interface SessionsTable {
  id: string
  user_id: string
  /** SHA-256 of the token's secret, base64url; the secret itself is never stored. */
  secret_hash: string
  created_at: number
  last_active_at: number
  absolute_expires_at: number
  auth_time: number
  /** JSON array of authentication methods (RFC 8176 values), e.g. ["pwd"]. */
  amr: string
  user_agent: string | null
  ip: string | null
  revoked_at: number | null
  revoked_reason: string | null
}

export interface SignInThrottleTable {
  /** SHA-256 of the normalised email, so unknown emails are throttled exactly like known ones. */
  key: string
  failures: number
  locked_until: number | null
  updated_at: number
}

/** A fixed-window per-IP counter shared by every instance (rate-limit/database-rate-limit-counter.ts). */
export interface RateLimitCountersTable {
  /** `<limiter>:<client IP>` */
  key: string
  count: number
  reset_at: number
}

export interface RevocationLogTable {
  seq: Generated<number>
  kind: 'session' | 'user_token_version' | 'access_token' | 'key' | 'client' | 'api'
  /** The session id (`sid`), user id (`sub`), token id (`jti`), key id (`kid`) or client id. */
  subject: string
  /** For user_token_version: tokens with a lower version are dead. */
  min_token_version: number | null
  created_at: number
  /** After this time no token the entry affects can still be valid, so the entry may be dropped. */
  expires_at: number
}

export interface EventOutboxTable {
  seq: Generated<number>
  type: string
  /** JSON: who acted ({ kind: 'user' | 'application' | 'cli' | 'system' | 'anonymous', id? }). */
  actor: string
  /** The user the event is about, when there is one. */
  user_id: string | null
  /** JSON; never holds a secret. */
  payload: string
  ip: string | null
  created_at: number
}

/** The master-key check value (migration 0022): one row, id 1. */
export interface MasterKeyCheckTable {
  id: number
  /** base64url HMAC-SHA-256 of a constant under a subkey of the master key; it reveals nothing of the key. */
  value: string
  created_at: number
}

/** A connection or a transaction: store functions run on either. */
export type Executor = Kysely<Database> | Transaction<Database>
