import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import type { FetchLike } from './fetch-like.js'

/** What every outgoing request needs: the fetch to use and how long to wait for an answer. */
export interface RequestDeps {
  fetch: FetchLike
  /** Milliseconds before a request that has not answered is abandoned. */
  requestTimeout: number
}

/**
 * One request to the issuer, with a timeout. A network failure or a timeout becomes
 * `verifier_unavailable` naming `what`; the caller judges the status.
 */
export async function request(deps: RequestDeps, url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await deps.fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(deps.requestTimeout) })
  } catch (error) {
    throw new TesseraAuthError('verifier_unavailable', { detail: `${what}: request failed`, cause: error })
  }
}
