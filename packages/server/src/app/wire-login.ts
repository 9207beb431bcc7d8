import type { Accounts } from '../accounts/accounts.js'
import { flowEmailVerification } from '../accounts/flow-email-verification.js'
import { flowRecovery } from '../accounts/flow-recovery.js'
import type { AuthorizeService } from '../authorize/authorize-service.js'
import { createConnections } from '../connections/connections.js'
import { createFlowService } from '../flows/flow-service.js'
import { createLoginFlow } from '../flows/login-flow.js'
import { createRecoveryFlow } from '../flows/recovery-flow.js'
import { createUpstreamAccounts } from '../flows/upstream-accounts.js'
import { subkey } from '../keys/master-key-check.js'
import { systemResolver } from '../webhooks/webhook-target.js'
import type { Catalogue } from './wire-catalogue.js'
import type { Identity } from './wire-identity.js'
import type { MfaWiring } from './wire-mfa.js'
import type { Wiring } from './wiring.js'

export interface LoginWiringDeps {
  catalogue: Catalogue
  identity: Identity
  authorize: AuthorizeService
  secondFactors: MfaWiring['secondFactors']
  accounts: Accounts
}

/**
 * The self-service flows behind the hosted pages and the /v1 sign-in API, and the upstream
 * identity providers (issue 15) a login flow may hand over to.
 */
export function wireLogin(wiring: Wiring, { catalogue, identity, authorize, secondFactors, accounts }: LoginWiringDeps) {
  const { config, clock, random, stores, transact, masterKey } = wiring
  const { applications, roles } = catalogue
  const flows = createFlowService({ store: stores.flows, transact, clock, random, csrfKey: subkey(masterKey, 'ui-csrf') })
  // Upstream identity providers (issue 15): client secrets sealed under their own subkey.
  const connections = createConnections({
    stores,
    transact,
    clock,
    random,
    secretKey: subkey(masterKey, 'connection-secret-encryption'),
    issuer: config.issuer,
    production: config.env === 'production',
    resolve: systemResolver,
    timeoutMs: config.connections.timeout * 1000,
    // A just-in-time account gets the default roles like any other new account (issue 16).
    onAccountCreated: (tx, user, actor) => roles.assignDefaultsIn(tx, user.id, actor),
  })
  const login = createLoginFlow({
    upstream: createUpstreamAccounts({
      connections: connections.service,
      federation: connections.federation,
      sessions: identity.sessions,
      requireVerifiedEmail: config.signUp.requireVerifiedEmail,
    }),
    flows,
    auth: identity.auth,
    authorize,
    findApplication: (clientId) => applications.find(clientId),
    transact,
    clock,
    secondFactors,
    ...(config.signUp.requireVerifiedEmail
      ? { verifiedEmail: flowEmailVerification(accounts) }
      : { optionalVerification: flowEmailVerification(accounts) }),
  })
  // Issue 12: a forgotten password as a flow, over the password-reset service.
  const recovery = createRecoveryFlow({ flows, transact, clock, recovery: flowRecovery(accounts) })
  return { flows, connections, login, recovery }
}
