import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { urlToHttpOptions } from 'node:url'
import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import type { IssuerAnswer, SendIssuerRequest } from './issuer-request.js'
import { checkDeclaredLength, MAX_DOCUMENT_BYTES, parseJson, tooLarge } from './read-json.js'

/** Ms after which an idle pooled connection is closed. */
const IDLE_SOCKET_TIMEOUT = 4000

/** Requests over node:http / node:https with keep-alive agents it owns; `close` ends their sockets. */
export interface NodeIssuerRequest {
  send: SendIssuerRequest
  /** Destroy every socket of the agents, idle or in use. */
  close(): void
}

/** URLs parsed and kept; they come from the issuer option and discovery, so a handful at most. */
const MAX_TARGETS = 8

/**
 * The transport of introspection and of the session check when no `fetch` is injected, one per
 * verifier (both share its agents). Node 20's fetch (undici, with `AbortSignal.timeout` and a
 * web-streams reader) costs several times the CPU of node:http per request (docs/architecture.md
 * §9, §12); a resource server in session mode, or one that checks Tessera sessions, sends one per request.
 *
 * Same contract as {@link fetchIssuerRequest}: a redirect is not followed (node:http never follows one:
 * a 3xx is a non-2xx status), the whole request is bounded by `requestTimeout` (the socket is
 * destroyed when it passes), the body is refused over `MAX_DOCUMENT_BYTES` declared or streamed
 * without buffering the rest. TLS certificates are verified (the https agent's defaults; no option
 * here turns that off). A body of a non-2xx status in `readBodyOf` is read with the same limit,
 * and whatever prevents reading it (too large, not JSON, cut, the timeout) makes it `null`.
 */
export function createNodeIssuerRequest(deps: { requestTimeout: number }): NodeIssuerRequest {
  // Keep-alive: sequential requests reuse one connection. An idle pooled socket does not keep
  // the process alive: Agent#keepSocketAlive unrefs it, and Agent#reuseSocket refs it again. An idle
  // socket is closed after IDLE_SOCKET_TIMEOUT (undici's default keep-alive timeout), or 1 s before
  // the server's `Keep-Alive: timeout=` hint if that comes first (Node's Agent), so that a request
  // seldom meets a connection the server is closing; the retry below covers the rest.
  const agentOptions = { keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT }
  const httpAgent = new HttpAgent(agentOptions)
  const httpsAgent = new HttpsAgent(agentOptions)
  // The endpoints (introspection, the session check) are URLs from discovery and the issuer
  // option: each is parsed once, not per request.
  const targets = new Map<string, { options: RequestOptions; secure: boolean }>()

  function targetOf(href: string) {
    const known = targets.get(href)
    if (known) return known
    const url = new URL(href)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported protocol ${url.protocol}`)
    if (targets.size >= MAX_TARGETS) targets.clear()
    const target = { options: urlToHttpOptions(url), secure: url.protocol === 'https:' }
    targets.set(href, target)
    return target
  }

  const send: SendIssuerRequest = ({ method, url: href, headers, body, what, readBodyOf }) =>
    new Promise<IssuerAnswer>((resolve, reject) => {
      let settled = false
      let outgoing: ReturnType<typeof httpRequest> | undefined
      // Set while the body of a non-2xx status in readBodyOf is read: any failure answers this instead.
      let unreadable: IssuerAnswer | null = null
      const failed = (cause: unknown) => new TesseraAuthError('verifier_unavailable', { detail: `${what}: request failed`, cause })
      const finish = (error: unknown, answer?: IssuerAnswer) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (error) {
          // Whatever is left of the exchange (a slow or huge body, a silent server) goes with the socket.
          outgoing?.destroy()
          if (unreadable) resolve(unreadable)
          else reject(error)
        } else resolve(answer as IssuerAnswer)
      }
      const timer = setTimeout(() => finish(failed(new Error(`no answer within ${deps.requestTimeout} ms`))), deps.requestTimeout)
      /** One try on a pooled connection, or (`mayRetry` false) the retry on a connection of its own. */
      const attempt = (mayRetry: boolean) => {
        const { options, secure } = targetOf(href)
        const request = (secure ? httpsRequest : httpRequest)({
          ...options,
          method,
          // The retry takes a connection of its own (a one-off agent with Node's defaults, TLS
          // verification included), not another pooled one that may be as dead.
          agent: mayRetry ? (secure ? httpsAgent : httpAgent) : false,
          // end(body) with nothing written before sets Content-Length from the body (no chunking).
          headers,
        })
        outgoing = request
        let answered = false
        request.on('error', (error: NodeJS.ErrnoException) => {
          // A pooled connection that the server closed just as it was reused (Node's http docs,
          // `request.reusedSocket`): both requests are reads (introspection, RFC 7662 §2.1; the
          // session check is a GET, safe, RFC 9110 §9.2.1), so it is sent once more, on a new
          // connection, within the same timeout. Never after an answer began, never twice.
          if (mayRetry && !answered && !settled && request.reusedSocket && error.code === 'ECONNRESET') {
            try {
              attempt(false)
            } catch (again) {
              finish(failed(again))
            }
            return
          }
          finish(failed(error))
        })
        request.on('response', (response: IncomingMessage) => {
          answered = true
          const status = response.statusCode ?? 0
          const ok = status >= 200 && status <= 299
          if (!ok && readBodyOf?.includes(status)) unreadable = { ok: false, status, body: null }
          else if (!ok) {
            // Dropped unread, like fetch's body.cancel(): the connection is not reused.
            response.destroy()
            finish(null, { ok: false, status })
            return
          }
          try {
            checkDeclaredLength(response.headers['content-length'], what)
          } catch (error) {
            finish(error)
            return
          }
          const chunks: Buffer[] = []
          let size = 0
          response.on('data', (chunk: Buffer) => {
            size += chunk.byteLength
            if (size > MAX_DOCUMENT_BYTES) finish(tooLarge(what))
            else chunks.push(chunk)
          })
          response.on('end', () => {
            if (settled) return
            try {
              const parsed = parseJson(Buffer.concat(chunks, size), what)
              finish(null, ok ? { ok: true, status, body: parsed } : { ok: false, status, body: parsed })
            } catch (error) {
              finish(error)
            }
          })
          response.on('error', (error) => finish(failed(error)))
          response.on('close', () => finish(failed(new Error('the connection closed before the body ended'))))
        })
        request.end(body)
      }
      try {
        attempt(true)
      } catch (error) {
        finish(failed(error))
      }
    })

  return {
    send,
    close() {
      httpAgent.destroy()
      httpsAgent.destroy()
    },
  }
}
