import { readJson } from './read-json.js'
import { type RequestDeps, request } from './request.js'

/** One request to the issuer: a form POST (introspection) or a GET with a bearer (the session check). */
export interface IssuerRequest {
  method: 'GET' | 'POST'
  url: string
  headers: Record<string, string>
  body?: string
  /** Names the request in errors (`verifier_unavailable`), never the token. */
  what: string
  /**
   * Non-2xx statuses whose body the caller needs (the session check's 401/403 problem `code`).
   * Read as JSON within the same limit; a body that cannot be read (too large, not JSON, cut,
   * late) is `null`, never an error: the status has answered already. Any other non-2xx body is
   * dropped unread.
   */
  readBodyOf?: readonly number[]
}

/**
 * The answer: the status, and for a 2xx the body parsed as JSON (at most `MAX_DOCUMENT_BYTES`);
 * for a non-2xx status in `readBodyOf`, its body or `null`; otherwise no body.
 */
export type IssuerAnswer = { ok: false; status: number; body?: unknown } | { ok: true; status: number; body: unknown }

/**
 * Send a request to the issuer, redirects refused, within the request timeout. A network failure,
 * a timeout, a 2xx body over the limit or a 2xx body that is not JSON throws `verifier_unavailable`
 * naming `what`. Two implementations: {@link fetchIssuerRequest} (an injected fetch) and
 * `createNodeIssuerRequest` (node:http with keep-alive agents, when no fetch is injected).
 */
export type SendIssuerRequest = (sent: IssuerRequest) => Promise<IssuerAnswer>

/** Requests through the fetch of `deps` (the global one, or the one the user injected). */
export function fetchIssuerRequest(deps: RequestDeps): SendIssuerRequest {
  return async ({ method, url, headers, body, what, readBodyOf }) => {
    const response = await request(deps, url, { method, headers, body }, what)
    if (!response.ok) {
      if (readBodyOf?.includes(response.status)) {
        return { ok: false, status: response.status, body: await readJson(response, what).catch(() => null) }
      }
      await response.body?.cancel().catch(() => {})
      return { ok: false, status: response.status }
    }
    return { ok: true, status: response.status, body: await readJson(response, what) }
  }
}
