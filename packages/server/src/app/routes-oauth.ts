import { authorizeRoutes } from '../flows/authorize-routes.js'
import { connectionJwksRoutes } from '../flows/connection-jwks-routes.js'
import { deviceRoutes } from '../flows/device-routes.js'
import { loginRoutes } from '../flows/login-routes.js'
import { logoutRoutes } from '../flows/logout-routes.js'
import { upstreamRoutes } from '../flows/upstream-routes.js'
import { deviceAuthorizationRoutes } from '../oauth/device-authorization-routes.js'
import { discoveryRoutes } from '../oauth/discovery-routes.js'
import { parRoutes } from '../oauth/par-routes.js'
import { tokenRoutes } from '../oauth/token-routes.js'
import { userinfoRoutes } from '../oauth/userinfo-routes.js'
import type { TesseraFastify } from './fastify-instance.js'
import type { RouteContext } from './route-context.js'

/**
 * OAuth 2.0 and OpenID Connect: discovery, the token endpoint (grants, introspection, revocation),
 * authorization with its hosted login, consent and device pages, upstream sign-in, userinfo, logout.
 */
export async function registerOAuthRoutes(app: TesseraFastify, context: RouteContext): Promise<void> {
  const { deps, translate, perIp } = context
  const { oidc } = deps
  await app.register(discoveryRoutes(deps.issuer))
  await app.register(
    tokenRoutes({
      grants: deps.tokens,
      introspection: deps.introspection,
      revocation: deps.tokenRevocation,
      authenticateClient: deps.authenticateClient,
      metrics: deps.metrics.recorder,
      dpop: deps.dpop,
    }),
  )
  await app.register(
    authorizeRoutes({
      flows: oidc.flows,
      login: oidc.login,
      applications: oidc.applications,
      apis: oidc.apis,
      sessions: deps.sessions,
      cookie: deps.cookie,
      random: oidc.random,
      rateLimit: perIp('authorize'),
      errorUrl: oidc.authorize.errorUrl,
      pushedRequests: oidc.pushedRequests,
      translate,
    }),
  )
  await app.register(
    parRoutes({
      pushedRequests: oidc.pushedRequests,
      authenticateClient: deps.authenticateClient,
      rateLimit: perIp('par'),
      dpop: { ...deps.dpop, parEndpoint: `${deps.issuer.replace(/\/$/, '')}/oauth/par` },
    }),
  )
  await app.register(
    deviceAuthorizationRoutes({
      deviceAuthorizations: deps.device.service,
      authenticateClient: deps.authenticateClient,
      rateLimit: perIp('device-authorization'),
    }),
  )
  await app.register(
    deviceRoutes({
      devices: deps.device.service,
      sessions: deps.sessions,
      cookie: deps.cookie,
      csrfKey: deps.device.csrfKey,
      clock: deps.clock,
      translate,
      signIn: context.accountSignIn,
      secondFactorRequired: deps.device.secondFactorRequired,
      verifiedEmailRequired: deps.device.verifiedEmailRequired,
      rateLimit: perIp('hosted-pages'),
      // Counted where every instance counts, like the per-IP limits.
      attempts: { ...deps.device.attempts, count: (key, windowMs, now) => deps.rateLimitCounter.hit(key, windowMs, now) },
      onEntry: (outcome) => deps.metrics.deviceCodeEntry(outcome),
    }),
  )
  await app.register(
    loginRoutes({
      flows: oidc.flows,
      login: oidc.login,
      applications: oidc.applications,
      sessions: deps.sessions,
      cookie: deps.cookie,
      rateLimit: perIp('hosted-pages'),
      secondFactors: oidc.secondFactors,
      translate,
      enrolment: oidc.secondFactors.enrolment,
      clock: deps.clock,
      passkeyOptions: (userId) => deps.mfa.webauthn.beginAuthentication({ userId }),
      offerVerification: deps.offerEmailVerification === true,
      connectionsFor: deps.connections.offeredTo,
    }),
  )
  await app.register(
    upstreamRoutes({
      api: context.upstreamApi,
      translate,
      flows: oidc.flows,
      login: oidc.login,
      connections: deps.connections.service,
      client: deps.connections.client,
      recordFailure: deps.connections.recordFailure,
      linkFromAccount: deps.connections.linkFromAccount,
      sessions: deps.sessions,
      cookie: deps.cookie,
      random: oidc.random,
      clock: deps.clock,
      rateLimit: perIp('upstream'),
    }),
  )
  await app.register(connectionJwksRoutes({ connections: deps.connections.service }))
  await app.register(
    userinfoRoutes({
      verifyAccessToken: oidc.verifyAccessToken,
      introspection: deps.introspection,
      applications: oidc.applications,
      stores: oidc.stores,
      audience: oidc.userinfoAudience,
      dpop: deps.dpop,
    }),
  )
  await app.register(
    logoutRoutes({
      logout: oidc.logout,
      flows: oidc.flows,
      auth: deps.auth,
      sessions: deps.sessions,
      cookie: deps.cookie,
      random: oidc.random,
      clock: deps.clock,
      transact: oidc.transact,
      rateLimit: perIp('logout'),
      translate,
    }),
  )
}
