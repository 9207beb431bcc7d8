import { readJson } from './read-json.js'
import { type RequestDeps, request } from './request.js'

/**
 * The answer to a form POST: the status, and for a 2xx the body parsed as JSON (at most
 * `MAX_DOCUMENT_BYTES`). A non-2xx body is dropped unread; the caller judges the status.
 */
export type FormPostAnswer = { ok: false; status: number } | { ok: true; status: number; body: unknown }

/**
 * POST a form body to `url`, redirects refused, within the request timeout. A network failure, a
 * timeout, a body over the limit or a body that is not JSON throws `verifier_unavailable` naming
 * `what`. Two implementations: {@link fetchFormPost} (an injected fetch) and `createNodeFormPost`
 * (node:http with a keep-alive agent, when no fetch is injected).
 */
export type PostForm = (url: string, headers: Record<string, string>, body: string, what: string) => Promise<FormPostAnswer>

/** A form POST through the fetch of `deps` (the global one, or the one the user injected). */
export function fetchFormPost(deps: RequestDeps): PostForm {
  return async (url, headers, body, what) => {
    const response = await request(deps, url, { method: 'POST', headers, body }, what)
    if (!response.ok) {
      await response.body?.cancel().catch(() => {})
      return { ok: false, status: response.status }
    }
    return { ok: true, status: response.status, body: await readJson(response, what) }
  }
}
