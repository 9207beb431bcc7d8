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

/** How each store is made over an executor; `options` reaches the session and access-token stores and the revocation log. */
const FACTORIES: { [K in keyof Stores]: (db: Executor, dialect: DialectName, options: StoreOptions) => Stores[K] } = {
  users: (db) => createUserStore(db),
  credentials: (db) => createPasswordCredentialStore(db),
  sessions: (db, _dialect, options) => createSessionStore(db, options.readNow),
  throttle: (db) => createSignInThrottleStore(db),
  revocations: (db, dialect, options) =>
    createRevocationLog(db, dialect, options.onRevocationAppended ? { onAppend: options.onRevocationAppended } : {}),
  events: (db) => createEventOutbox(db),
  keys: (db, dialect) => createSigningKeyStore(db, dialect),
  apis: (db) => createApiStore(db),
  applications: (db) => createApplicationStore(db),
  refreshTokens: (db) => createRefreshTokenStore(db),
  accessTokens: (db, _dialect, options) => createAccessTokenStore(db, options.readNow),
  webhookEndpoints: (db) => createWebhookEndpointStore(db),
  webhookDeliveries: (db) => createWebhookDeliveryStore(db),
  backchannel: (db) => createBackchannelStore(db),
  roles: (db) => createRoleStore(db),
  audit: (db) => createAuditStore(db),
  flows: (db) => createFlowStore(db),
  authorizationCodes: (db) => createAuthorizationCodeStore(db),
  consents: (db) => createConsentStore(db),
  pushedRequests: (db) => createPushedRequestStore(db),
  deviceAuthorizations: (db) => createDeviceAuthorizationStore(db),
  mfaFactors: (db) => createMfaFactorStore(db),
  recoveryCodes: (db) => createRecoveryCodeStore(db),
  webauthnChallenges: (db) => createWebAuthnChallengeStore(db),
  emailDeliveries: (db) => createEmailDeliveryStore(db),
  accountTokens: (db) => createAccountTokenStore(db),
  requestCounters: (db) => createRequestCounterStore(db),
  connections: (db) => createConnectionStore(db),
  identities: (db) => createIdentityStore(db),
}

const STORE_NAMES = Object.keys(FACTORIES) as (keyof Stores)[]

export function createStores(db: Executor, dialect: DialectName = 'sqlite', options: StoreOptions = {}): Stores {
  const stores: Partial<Record<keyof Stores, unknown>> = {}
  for (const name of STORE_NAMES) stores[name] = FACTORIES[name](db, dialect, options)
  return stores as Stores
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

/** What the stores of one transaction tell the code that reads through them (app/config-cache.ts). */
export interface BoundTransaction {
  /** Runs `hook` once the transaction has committed (store/transaction.ts). */
  afterCommit(hook: () => void): void
  /** Whether the transaction wrote an application, an API or a role: its reads of them see its own writes. */
  readonly configWritten: boolean
}

/** The state of one transaction's stores, beside the stores made so far (own properties). */
interface BoundState extends BoundTransaction {
  trx: Transaction<Database>
  scope: TransactionScope
  kinds: RevocationEntry['kind'][]
  configWritten: boolean
  afterRevocationCommit?: () => void
}

const BOUND = Symbol('bound transaction')

/** The transaction `stores` are bound to, or undefined for the stores of the database itself. */
export function boundTransaction(stores: object): BoundTransaction | undefined {
  return (stores as { [BOUND]?: BoundState })[BOUND]
}

/**
 * Every store bound to one transaction, each made when the transaction first uses it: a token
 * request's transaction uses 3 to 6 of the 29, and making them all cost it more than its SQLite
 * reads (bench/tools/profile-refresh.mjs). The revocation log registers the
 * after-revocation-commit hook with the transaction's scope, so it runs once the change has committed.
 */
export function bindStores(
  dialect: DialectName,
  hooks: TransactHooks = {},
): (trx: Transaction<Database>, scope: TransactionScope) => Stores {
  const afterConfigCommit = () => hooks.afterConfigCommit?.()
  const make = (state: BoundState, name: keyof Stores): unknown => {
    if (name === 'revocations') {
      return FACTORIES.revocations(state.trx, dialect, {
        onRevocationAppended: (kind) => {
          state.kinds.push(kind)
          // One hook per transaction: the scope keeps a set, so it runs once however many entries were appended.
          state.afterRevocationCommit ??= () => hooks.afterRevocationCommit?.(state.kinds)
          state.scope.afterCommit(state.afterRevocationCommit)
        },
      })
    }
    const store = FACTORIES[name](state.trx, dialect, {})
    const writes = CONFIG_WRITES[name as keyof typeof CONFIG_WRITES]
    if (!writes) return store
    return notifyingWrites(store as unknown as Record<string, unknown>, writes as readonly string[], () => {
      state.configWritten = true
      if (hooks.afterConfigCommit) state.scope.afterCommit(afterConfigCommit)
    })
  }
  // The stores are getters on one prototype per runner; a store made once is kept on the instance.
  const prototype: object = {}
  for (const name of STORE_NAMES) {
    Object.defineProperty(prototype, name, {
      enumerable: true,
      get(this: { [BOUND]: BoundState }) {
        const store = make(this[BOUND], name)
        Object.defineProperty(this, name, { value: store, enumerable: true, writable: true, configurable: true })
        return store
      },
    })
  }
  return (trx, scope) => {
    const state: BoundState = {
      trx,
      scope,
      kinds: [],
      configWritten: false,
      afterCommit: (hook) => scope.afterCommit(hook),
    }
    const stores = Object.create(prototype) as { [BOUND]: BoundState }
    stores[BOUND] = state
    return stores as unknown as Stores
  }
}

/** The writes of the stores whose rows the composition root caches (every other method only reads). */
const CONFIG_WRITES = {
  applications: ['insert', 'setSecretHash', 'update', 'delete'] as const satisfies readonly (keyof ApplicationStore)[],
  apis: ['insert', 'update', 'delete', 'setRolesClaim'] as const satisfies readonly (keyof ApiStore)[],
  roles: [
    'insert',
    'update',
    'delete',
    'addPermissions',
    'removePermissions',
    'assign',
    'unassign',
  ] as const satisfies readonly (keyof RoleStore)[],
}

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
