import type { Application } from '../applications/application.js'
import type { Clock } from '../shared/clock.js'
import { sha256 } from '../shared/digest.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { AuthorizationCodeStore } from '../tokens/authorization-code-store.js'
import type { AuthorizationParameters } from './authorization-request.js'
import { type AuthorizeStep, authorizationResponseUrl, nextStep } from './authorize-decision.js'
import type { ConsentStore } from './consent-store.js'

/** The stores the authorization endpoint reads, and writes inside its callers' transactions. */
export interface AuthorizeStores {
  consents: ConsentStore
  authorizationCodes: AuthorizationCodeStore
}

export interface AuthorizeServiceDeps {
  stores: Pick<AuthorizeStores, 'consents'>
  clock: Clock
  random: RandomSource
  issuer: string
}

/** OAuth 2.1 §4.1.2 and RFC 9700 §4.5: a code lives at most a minute. */
export const CODE_TTL_MS = 60_000

export type AuthorizeService = ReturnType<typeof createAuthorizeService>

/**
 * The authorization endpoint's decisions and its one write, the code. The browser-facing part
 * (the login flow it starts or resumes, the pages) lives in flows/.
 */
export function createAuthorizeService(deps: AuthorizeServiceDeps) {
  const { stores, clock, random } = deps

  return {
    /** The next step for a validated request, given the browser's session. */
    async decide(
      params: AuthorizationParameters,
      application: Application,
      session: { authTime: number; userId: string; amr: readonly string[] } | null,
      flowSince: number | null,
    ): Promise<AuthorizeStep> {
      const consented = session && !application.firstParty ? await stores.consents.find(session.userId, application.id) : null
      return nextStep({ params, firstParty: application.firstParty, session, consented, now: clock.now(), pendingSince: flowSince })
    },

    /**
     * Issues the code inside the caller's transaction (which also ends the flow that led here),
     * recording the consent the user just gave, if any. The code (256 bits) is returned once, in
     * the redirect URL; only its SHA-256 is stored.
     */
    async issueCodeIn(
      tx: AuthorizeStores,
      params: AuthorizationParameters,
      session: { id: string; userId: string; authTime: number; amr: readonly string[] },
      consented: boolean,
    ): Promise<string> {
      const code = randomToken(random, 32)
      const now = clock.now()
      if (consented) await tx.consents.grant(session.userId, params.clientId, params.scope, now)
      await tx.authorizationCodes.insert({
        id: randomToken(random, 16),
        codeHash: sha256(code),
        clientId: params.clientId,
        sessionId: session.id,
        userId: session.userId,
        redirectUri: params.redirectUri,
        codeChallenge: params.codeChallenge,
        nonce: params.nonce,
        scope: params.scope,
        resource: params.resource,
        authTime: session.authTime,
        amr: [...session.amr],
        createdAt: now,
        expiresAt: now + CODE_TTL_MS,
        usedAt: null,
        familyId: null,
        dpopJkt: params.dpopJkt ?? null,
      })
      return authorizationResponseUrl(params.redirectUri, { code, state: params.state, iss: deps.issuer })
    },

    /** An error sent back to the client (RFC 6749 §4.1.2.1, RFC 9207). */
    errorUrl(params: { redirectUri: string; state: string | null }, error: string, description?: string): string {
      return authorizationResponseUrl(params.redirectUri, {
        error,
        error_description: description,
        state: params.state,
        iss: deps.issuer,
      })
    },
  }
}
