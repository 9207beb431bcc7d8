import type { Kysely } from 'kysely'
import { type ApiStore, createApiStore } from '../apis/api-store.js'
import { type ApplicationStore, createApplicationStore } from '../applications/application-store.js'
import { type AuditStore, createAuditStore } from '../audit/audit-store.js'
import { createSignInThrottleStore, type SignInThrottleStore } from '../auth/sign-in-throttle-store.js'
import { type ConsentStore, createConsentStore } from '../authorize/consent-store.js'
import { createPendingRequestStore, type PendingRequestStore } from '../authorize/pending-request-store.js'
import { createEmailDeliveryStore, type EmailDeliveryStore } from '../email/email-delivery-store.js'
import { createEventOutbox, type EventOutbox } from '../events/event-outbox.js'
import { createSigningKeyStore, type SigningKeyStore } from '../keys/signing-key-store.js'
import { createRoleStore, type RoleStore } from '../rbac/role-store.js'
import { createRevocationLog, type RevocationEntry, type RevocationLog } from '../revocation/revocation-log.js'
import { createSessionStore, type SessionStore } from '../sessions/session-store.js'
import type { Database, Executor } from '../store/database.js'
import type { DialectName } from '../store/open-database.js'
import type { Transact as GenericTransact } from '../store/transaction.js'
import { type AccessTokenStore, createAccessTokenStore } from '../tokens/access-token-store.js'
import { type AuthorizationCodeStore, createAuthorizationCodeStore } from '../tokens/authorization-code-store.js'
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
  roles: RoleStore
  audit: AuditStore
  pendingRequests: PendingRequestStore
  authorizationCodes: AuthorizationCodeStore
  consents: ConsentStore
  emailDeliveries: EmailDeliveryStore
}

export function createStores(db: Executor, dialect: DialectName = 'sqlite'): Stores {
  return {
    users: createUserStore(db),
    credentials: createPasswordCredentialStore(db),
    sessions: createSessionStore(db),
    throttle: createSignInThrottleStore(db),
    revocations: createRevocationLog(db, dialect),
    events: createEventOutbox(db),
    keys: createSigningKeyStore(db, dialect),
    apis: createApiStore(db),
    applications: createApplicationStore(db),
    refreshTokens: createRefreshTokenStore(db),
    accessTokens: createAccessTokenStore(db),
    webhookEndpoints: createWebhookEndpointStore(db),
    webhookDeliveries: createWebhookDeliveryStore(db),
    roles: createRoleStore(db),
    audit: createAuditStore(db),
    pendingRequests: createPendingRequestStore(db),
    authorizationCodes: createAuthorizationCodeStore(db),
    consents: createConsentStore(db),
    emailDeliveries: createEmailDeliveryStore(db),
  }
}

/** A transaction runner over every store. Domain code should ask for `Transact<TheNarrowStoresItNeeds>`. */
export type Transact<S = Stores> = GenericTransact<S>

export interface TransactHooks {
  /** Called after a transaction that appended to the revocation log has committed, with the kind of each entry. */
  afterRevocationCommit?: (kinds: readonly RevocationEntry['kind'][]) => void
}

export function createTransact(db: Kysely<Database>, dialect: DialectName = 'sqlite', hooks: TransactHooks = {}): Transact {
  return async (work) => {
    const kinds: RevocationEntry['kind'][] = []
    const result = await db.transaction().execute((trx) => {
      const stores = createStores(trx, dialect)
      const append = stores.revocations.append.bind(stores.revocations)
      stores.revocations.append = (...args) => {
        kinds.push(args[0].kind)
        return append(...args)
      }
      return work(stores)
    })
    if (kinds.length > 0) hooks.afterRevocationCommit?.(kinds)
    return result
  }
}
