import { createHmac } from 'node:crypto'
import type { Stores, Transact } from '../app/stores.js'
import type { Application } from '../applications/application.js'
import type { Clock } from '../shared/clock.js'
import { digestsEqual, sha256 } from '../shared/digest.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { AuthorizationParameters } from './authorization-request.js'
import { type AuthorizeStep, authorizationResponseUrl, nextStep } from './authorize-decision.js'
import type { PendingRequest } from './pending-request-store.js'

export interface AuthorizeServiceDeps {
  stores: Pick<Stores, 'pendingRequests' | 'consents'>
  transact: Transact
  clock: Clock
  random: RandomSource
  issuer: string
  /** Derives per-request CSRF tokens (a subkey of the master key). */
  csrfKey: Buffer
}

/** OAuth 2.1 §4.1.2 and RFC 9700 §4.5: a code lives at most a minute. */
export const CODE_TTL_MS = 60_000
/** How long the user has to sign in or consent before the request must start again. */
export const PENDING_TTL_MS = 15 * 60_000

export type AuthorizeService = ReturnType<typeof createAuthorizeService>

export function createAuthorizeService(deps: AuthorizeServiceDeps) {
  const { stores, transact, clock, random } = deps

  return {
    /** The next step for a validated request, given the browser's session. */
    async decide(
      params: AuthorizationParameters,
      application: Application,
      session: { authTime: number; userId: string } | null,
      pendingSince: number | null,
    ): Promise<AuthorizeStep> {
      const consented = session && !application.firstParty ? await stores.consents.find(session.userId, application.id) : null
      return nextStep({ params, firstParty: application.firstParty, session, consented, now: clock.now(), pendingSince })
    },

    /** Keeps the request server-side, bound to the browser; its forms carry `csrf`. */
    async createPending(params: AuthorizationParameters, browserSecret: string): Promise<{ id: string; csrf: string }> {
      const now = clock.now()
      const id = randomToken(random, 16)
      const csrf = csrfToken(deps.csrfKey, id, browserSecret)
      await transact(async (tx) => {
        await tx.pendingRequests.prune(now)
        await tx.pendingRequests.insert({
          id,
          clientId: params.clientId,
          browserHash: sha256(browserSecret),
          csrfHash: sha256(csrf),
          params,
          createdAt: now,
          expiresAt: now + PENDING_TTL_MS,
        })
      })
      return { id, csrf }
    },

    /** The pending request, if it exists, is unexpired and belongs to this browser. */
    async findPending(id: string | undefined, browserSecret: string | undefined): Promise<PendingRequest | null> {
      if (id === undefined || browserSecret === undefined || !/^[A-Za-z0-9_-]{22}$/.test(id)) return null
      const pending = await stores.pendingRequests.findById(id)
      if (!pending || clock.now() >= pending.expiresAt || !digestsEqual(pending.browserHash, sha256(browserSecret))) return null
      return pending
    },

    /** OWASP CSRF Prevention Cheat Sheet (synchronizer token): the form's token, in constant time. */
    csrfMatches(pending: PendingRequest, csrf: string | undefined): boolean {
      return csrf !== undefined && csrf.length <= 64 && digestsEqual(pending.csrfHash, sha256(csrf))
    },

    /** The CSRF token of a pending request's forms, recomputed for each page it renders. */
    csrfFor(pendingId: string, browserSecret: string): string {
      return csrfToken(deps.csrfKey, pendingId, browserSecret)
    },

    async recordConsent(userId: string, clientId: string, scope: string[]): Promise<void> {
      await transact((tx) => tx.consents.grant(userId, clientId, scope, clock.now()))
    },

    /**
     * Issues the code and ends the pending request, in one transaction. The code (256 bits) is
     * returned once; only its SHA-256 is stored.
     */
    async issueCode(
      params: AuthorizationParameters,
      session: { id: string; userId: string; authTime: number },
      pendingId: string | null,
    ): Promise<string> {
      const code = randomToken(random, 32)
      const now = clock.now()
      await transact(async (tx) => {
        if (pendingId !== null) await tx.pendingRequests.delete(pendingId)
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
          createdAt: now,
          expiresAt: now + CODE_TTL_MS,
          usedAt: null,
          familyId: null,
        })
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

    async endPending(id: string): Promise<void> {
      await transact(async (tx) => {
        await tx.pendingRequests.delete(id)
      })
    },
  }
}

/**
 * A synchronizer token bound to the pending request and to the browser's HttpOnly binding
 * cookie, which a cross-site page can neither read nor guess (OWASP CSRF Prevention Cheat Sheet).
 */
export function csrfToken(key: Buffer, purpose: string, browserSecret: string): string {
  return createHmac('sha256', key).update(`${purpose}\u0000${browserSecret}`).digest('base64url')
}
