import type { Kysely, Transaction } from 'kysely'
import { type AccountTokenStore, createAccountTokenStore } from '../accounts/account-token-store.js'
import { createRequestCounterStore, type RequestCounterStore } from '../accounts/request-counter-store.js'
import { type ApiStore, createApiStore } from '../apis/api-store.js'
import { type ApplicationStore, createApplicationStore } from '../applications/application-store.js'
import { type AuditStore, createAuditStore } from '../audit/audit-store.js'
import { createSignInThrottleStore, type SignInThrottleStore } from '../auth/sign-in-throttle-store.js'
import { type ConsentStore, createConsentStore } from '../authorize/consent-store.js'
import { createPushedRequestStore, type PushedRequestStore } from '../authorize/pushed-request-store.js'
import { type BackchannelStore, createBackchannelStore } from '../backchannel/backchannel-store.js'
import { type ConnectionStore, createConnectionStore } from '../connections/connection-store.js'
import { createIdentityStore, type IdentityStore } from '../connections/identity-store.js'
import { createEmailDeliveryStore, type EmailDeliveryStore } from '../email/email-delivery-store.js'
import { createEventOutbox, type EventOutbox } from '../events/event-outbox.js'
import { createFlowStore, type FlowStore } from '../flows/flow-store.js'
import { createSigningKeyStore, type SigningKeyStore } from '../keys/signing-key-store.js'
import { createMfaFactorStore, type MfaFactorStore } from '../mfa/mfa-factor-store.js'
import { createRecoveryCodeStore, type RecoveryCodeStore } from '../mfa/recovery-code-store.js'
import { createWebAuthnChallengeStore, type WebAuthnChallengeStore } from '../mfa/webauthn-challenge-store.js'
import { createRoleStore, type RoleStore } from '../rbac/role-store.js'
import { createRevocationLog, type RevocationEntry, type RevocationLog } from '../revocation/revocation-log.js'
import { createSessionStore, type SessionStore } from '../sessions/session-store.js'
import type { Database, Executor } from '../store/database.js'
import type { DialectName } from '../store/open-database.js'
import type { ReadNow } from '../store/sqlite-read-now.js'
import { createTransactionRunner, type Transact as GenericTransact, type TransactionScope } from '../store/transaction.js'
import { type AccessTokenStore, createAccessTokenStore } from '../tokens/access-token-store.js'
import { type AuthorizationCodeStore, createAuthorizationCodeStore } from '../tokens/authorization-code-store.js'
import { createDeviceAuthorizationStore, type DeviceAuthorizationStore } from '../tokens/device-authorization-store.js'
import { createRefreshTokenStore, type RefreshTokenStore } from '../tokens/refresh-token-store.js'
import { createPasswordCredentialStore, type PasswordCredentialStore } from '../users/password-credential-store.js'
import { createUserStore, type UserStore } from '../users/user-store.js'
import { createWebhookDeliveryStore, type WebhookDeliveryStore } from '../webhooks/webhook-delivery-store.js'
import { createWebhookEndpointStore, type WebhookEndpointStore } from '../webhooks/webhook-endpoint-store.js'

/** Every store, bound to one executor (the database, or one transaction). */
export interface Stores {
  users: UserStore
  credentials: PasswordCredentialStore
  sessions: SessionStore
  throttle: SignInThrottleStore
  revocations: RevocationLog
  events: EventOutbox
  keys: SigningKeyStore
  apis: ApiStore
  applications: ApplicationStore
  refreshTokens: RefreshTokenStore
  accessTokens: AccessTokenStore
  webhookEndpoints: WebhookEndpointStore
  webhookDeliveries: WebhookDeliveryStore
  backchannel: BackchannelStore
  roles: RoleStore
  audit: AuditStore
  flows: FlowStore
  authorizationCodes: AuthorizationCodeStore
  consents: ConsentStore
  pushedRequests: PushedRequestStore
  deviceAuthorizations: DeviceAuthorizationStore
  mfaFactors: MfaFactorStore
  recoveryCodes: RecoveryCodeStore
  webauthnChallenges: WebAuthnChallengeStore
  emailDeliveries: EmailDeliveryStore
  accountTokens: AccountTokenStore
  requestCounters: RequestCounterStore
  connections: ConnectionStore
  identities: IdentityStore
}

export interface StoreOptions {
  /** SQLite, outside transactions: hot reads run at once when the connection is free (store/sqlite-read-now.ts). */
  readNow?: ReadNow
  /** Called when a revocation is appended through these stores (see createTransact). */
  onRevocationAppended?: (kind: RevocationEntry['kind']) => void
}

export function createStores(db: Executor, dialect: DialectName = 'sqlite', options: StoreOptions = {}): Stores {
  return {
    users: createUserStore(db),
    credentials: createPasswordCredentialStore(db),
    sessions: createSessionStore(db, options.readNow),
    throttle: createSignInThrottleStore(db),
    revocations: createRevocationLog(db, dialect, options.onRevocationAppended ? { onAppend: options.onRevocationAppended } : {}),
    events: createEventOutbox(db),
    keys: createSigningKeyStore(db, dialect),
    apis: createApiStore(db),
    applications: createApplicationStore(db),
    refreshTokens: createRefreshTokenStore(db),
    accessTokens: createAccessTokenStore(db),
    webhookEndpoints: createWebhookEndpointStore(db),
    webhookDeliveries: createWebhookDeliveryStore(db),
    backchannel: createBackchannelStore(db),
    roles: createRoleStore(db),
    audit: createAuditStore(db),
    flows: createFlowStore(db),
    authorizationCodes: createAuthorizationCodeStore(db),
    consents: createConsentStore(db),
    pushedRequests: createPushedRequestStore(db),
    deviceAuthorizations: createDeviceAuthorizationStore(db),
    mfaFactors: createMfaFactorStore(db),
    recoveryCodes: createRecoveryCodeStore(db),
    webauthnChallenges: createWebAuthnChallengeStore(db),
    emailDeliveries: createEmailDeliveryStore(db),
    accountTokens: createAccountTokenStore(db),
    requestCounters: createRequestCounterStore(db),
    connections: createConnectionStore(db),
    identities: createIdentityStore(db),
  }
}

/** A transaction runner over every store. Domain code asks for `Transact<TheNarrowStoresItNeeds>`. */
export type Transact<S = Stores> = GenericTransact<S>

export interface TransactHooks {
  /**
   * Called once after a transaction that appended to the revocation log has committed, with the
   * kind of each entry it appended; never after a rollback.
   */
  afterRevocationCommit?: (kinds: readonly RevocationEntry['kind'][]) => void
  /**
   * Called once after a transaction that wrote an application, an API or a role (its permissions
   * and assignments too) has committed: the composition root drops its read cache of them and
   * tells other instances to drop theirs (docs/architecture.md §8).
   */
  afterConfigCommit?: () => void
  /** Where an after-commit hook's error goes (the transaction has committed regardless). */
  onHookError?: (error: unknown) => void
}

/**
 * Every store bound to one transaction. The revocation log's transactional store registers the
 * after-revocation-commit hook with the transaction's scope, so it runs once the change has committed.
 */
export function bindStores(
  dialect: DialectName,
  hooks: TransactHooks = {},
): (trx: Transaction<Database>, scope: TransactionScope) => Stores {
  const afterConfigCommit = () => hooks.afterConfigCommit?.()
  return (trx, scope) => {
    const kinds: RevocationEntry['kind'][] = []
    // One hook per transaction: the scope keeps a set, so it runs once however many entries were appended.
    const afterRevocationCommit = () => hooks.afterRevocationCommit?.(kinds)
    const stores = createStores(trx, dialect, {
      onRevocationAppended: (kind) => {
        kinds.push(kind)
        scope.afterCommit(afterRevocationCommit)
      },
    })
    if (!hooks.afterConfigCommit) return stores
    const changed = () => scope.afterCommit(afterConfigCommit)
    return {
      ...stores,
      applications: notifyingWrites(stores.applications, APPLICATION_WRITES, changed),
      apis: notifyingWrites(stores.apis, API_WRITES, changed),
      roles: notifyingWrites(stores.roles, ROLE_WRITES, changed),
    }
  }
}

/** The writes of the stores whose rows the composition root caches (every other method only reads). */
const APPLICATION_WRITES = ['insert', 'setSecretHash', 'update', 'delete'] as const satisfies readonly (keyof ApplicationStore)[]
const API_WRITES = ['insert', 'update', 'delete', 'setRolesClaim'] as const satisfies readonly (keyof ApiStore)[]
const ROLE_WRITES = [
  'insert',
  'update',
  'delete',
  'addPermissions',
  'removePermissions',
  'assign',
  'unassign',
] as const satisfies readonly (keyof RoleStore)[]

/** The same store, with `changed` called before each of the named writes. */
function notifyingWrites<S extends object>(store: S, writes: readonly (keyof S)[], changed: () => void): S {
  const wrapped: S = { ...store }
  for (const name of writes) {
    const write = store[name] as (...args: unknown[]) => unknown
    ;(wrapped as Record<keyof S, unknown>)[name] = (...args: unknown[]) => {
      changed()
      return write.apply(store, args)
    }
  }
  return wrapped
}

export function createTransact(db: Kysely<Database>, dialect: DialectName = 'sqlite', hooks: TransactHooks = {}): Transact {
  return createTransactionRunner(db, bindStores(dialect, hooks), hooks.onHookError ? { onHookError: hooks.onHookError } : {})
}
