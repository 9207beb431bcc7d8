import type { FastifyRequest } from 'fastify'
import { accountHubRoutes } from '../accounts/account-hub-routes.js'
import { accountPageRoutes } from '../accounts/account-page-routes.js'
import { accountRoutes } from '../accounts/account-routes.js'
import { accountConnectionsRoutes } from '../flows/account-connections-routes.js'
import { browserSession } from '../flows/browser-binding.js'
import { flowApiRoutes } from '../flows/flow-api-routes.js'
import { recoveryRoutes } from '../flows/recovery-routes.js'
import { signInRoutes } from '../flows/sign-in-routes.js'
import { mfaRoutes } from '../mfa/mfa-routes.js'
import { securityPageRoutes } from '../mfa/security-page-routes.js'
import type { RequestAuth } from '../sessions/authenticate-request.js'
import { sessionRoutes } from '../sessions/session-routes.js'
import { TesseraError } from '../shared/errors.js'
import { loadScriptAssets } from '../ui/script-assets.js'
import { scriptRoutes } from '../ui/script-routes.js'
import type { TesseraFastify } from './fastify-instance.js'
import type { RouteContext } from './route-context.js'

/**
 * A user's own account: the sign-in flow API, sessions, email and password changes, recovery, second
 * factors and linked identities, over /v1 and on the hosted account pages.
 */
export async function registerAccountRoutes(app: TesseraFastify, context: RouteContext): Promise<void> {
  const { deps, translate, authenticate, perIp, accountSignIn } = context
  const { oidc } = deps
  await app.register(
    flowApiRoutes({
      upstream: context.upstreamApi,
      flows: oidc.flows,
      login: oidc.login,
      recovery: oidc.recovery,
      random: oidc.random,
      cookie: deps.cookie,
      policy: deps.policy,
      rateLimit: perIp('flow-api'),
      passkeyOptions: () => deps.mfa.webauthn.beginAuthentication({ userId: null }),
    }),
  )
  await app.register(
    signInRoutes({
      flows: oidc.flows,
      login: oidc.login,
      random: oidc.random,
      cookie: deps.cookie,
      policy: deps.policy,
      secondFactors: oidc.secondFactors,
      webauthnOptions: async (userId) => deps.mfa.webauthn.beginAuthentication({ userId }),
      enrolment: oidc.secondFactors.enrolment,
      clock: deps.clock,
      rateLimit: perIp('credentials'),
    }),
  )
  await app.register(accountRoutes({ accounts: deps.accounts, authenticate, rateLimit: perIp('account-requests') }))
  await app.register(accountPageRoutes({ accounts: deps.accounts, translate }))
  await app.register(
    recoveryRoutes({
      flows: oidc.flows,
      recovery: oidc.recovery,
      cookie: deps.cookie,
      random: oidc.random,
      rateLimit: perIp('hosted-pages'),
      translate,
      ...(deps.resetLinkMinutes !== undefined ? { resetLinkMinutes: deps.resetLinkMinutes } : {}),
    }),
  )
  await app.register(
    accountHubRoutes({
      accounts: deps.accounts,
      sessions: deps.sessions,
      cookie: deps.cookie,
      csrfKey: deps.accountCsrfKey,
      rateLimit: perIp('account-pages'),
      translate,
      signIn: accountSignIn,
    }),
  )
  await app.register(sessionRoutes({ sessions: deps.sessions, authenticate, cookie: deps.cookie, policy: deps.policy }))
  await app.register(mfaRoutes({ ...deps.mfa, authenticate, caller: (request) => signedIn(request) }))
  await app.register(scriptRoutes(loadScriptAssets()))
  await app.register(
    securityPageRoutes({
      mfa: deps.mfa.mfa,
      policy: deps.mfa.policy,
      clock: deps.clock,
      caller: (request) => browserSession(request, deps.cookie, deps.sessions),
      signIn: accountSignIn,
      rateLimit: perIp('hosted-pages'),
      translate,
    }),
  )
  await app.register(
    accountConnectionsRoutes({
      translate,
      flows: oidc.flows,
      connections: deps.connections.service,
      client: deps.connections.client,
      identities: {
        listForUser: deps.connections.federation.listForUser,
        unlink: deps.connections.federation.unlink,
        hasPassword: deps.connections.hasPassword,
      },
      recordFailure: deps.connections.recordFailure,
      sessions: deps.sessions,
      cookie: deps.cookie,
      random: oidc.random,
      clock: deps.clock,
      csrfKey: deps.connections.csrfKey,
      rateLimit: perIp('account-connections'),
    }),
  )
}

/** The caller that `authenticate` resolved; routes behind it always have one. */
function signedIn(request: FastifyRequest): RequestAuth {
  if (!request.auth) throw new TesseraError('unauthenticated')
  return request.auth
}
