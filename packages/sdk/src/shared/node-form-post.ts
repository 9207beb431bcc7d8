import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { urlToHttpOptions } from 'node:url'
import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import type { FormPostAnswer, PostForm } from './form-post.js'
import { checkDeclaredLength, MAX_DOCUMENT_BYTES, parseJson, tooLarge } from './read-json.js'

/** Ms after which an idle pooled connection is closed. */
const IDLE_SOCKET_TIMEOUT = 4000

/** A form POST over node:http / node:https with keep-alive agents it owns; `close` ends their sockets. */
export interface NodeFormPost {
  post: PostForm
  /** Destroy every socket of the agents, idle or in use. */
  close(): void
}

/**
 * The introspection transport when no `fetch` is injected. Node 20's fetch (undici, with
 * `AbortSignal.timeout` and a web-streams reader) costs several times the CPU of node:http per
 * request (docs/architecture.md §9, §12); a resource server in session mode sends one per request.
 *
 * Same contract as {@link fetchFormPost}: a redirect is not followed (node:http never follows one:
 * a 3xx is a non-2xx status), the whole request is bounded by `requestTimeout` (the socket is
 * destroyed when it passes), the body is refused over `MAX_DOCUMENT_BYTES` declared or streamed
 * without buffering the rest. TLS certificates are verified (the https agent's defaults; no option
 * here turns that off).
 */
export function createNodeFormPost(deps: { requestTimeout: number }): NodeFormPost {
  // Keep-alive: sequential introspections reuse one connection. An idle pooled socket does not keep
  // the process alive: Agent#keepSocketAlive unrefs it, and Agent#reuseSocket refs it again. An idle
  // socket is closed after IDLE_SOCKET_TIMEOUT (undici's default keep-alive timeout), or 1 s before
  // the server's `Keep-Alive: timeout=` hint if that comes first (Node's Agent), so that a request
  // seldom meets a connection the server is closing; the retry below covers the rest.
  const agentOptions = { keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT }
  const httpAgent = new HttpAgent(agentOptions)
  const httpsAgent = new HttpsAgent(agentOptions)
  // The endpoint is one URL from discovery: parse it once, not per request.
  let target: { href: string; options: RequestOptions; secure: boolean } | null = null

  function targetOf(href: string) {
    if (target?.href === href) return target
    const url = new URL(href)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported protocol ${url.protocol}`)
    target = { href, options: urlToHttpOptions(url), secure: url.protocol === 'https:' }
    return target
  }

  const post: PostForm = (href, headers, body, what) =>
    new Promise<FormPostAnswer>((resolve, reject) => {
      let settled = false
      let outgoing: ReturnType<typeof httpRequest> | undefined
      const failed = (cause: unknown) => new TesseraAuthError('verifier_unavailable', { detail: `${what}: request failed`, cause })
      const finish = (error: unknown, answer?: FormPostAnswer) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (error) {
          // Whatever is left of the exchange (a slow or huge body, a silent server) goes with the socket.
          outgoing?.destroy()
          reject(error)
        } else resolve(answer as FormPostAnswer)
      }
      const timer = setTimeout(() => finish(failed(new Error(`no answer within ${deps.requestTimeout} ms`))), deps.requestTimeout)
      const send = (mayRetry: boolean) => {
        const { options, secure } = targetOf(href)
        const request = (secure ? httpsRequest : httpRequest)({
          ...options,
          method: 'POST',
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
          // `request.reusedSocket`): introspection is a read (RFC 7662 §2.1), so it is sent once
          // more, on a new connection, within the same timeout. Never after an answer began, never twice.
          if (mayRetry && !answered && !settled && request.reusedSocket && error.code === 'ECONNRESET') {
            try {
              send(false)
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
          if (status < 200 || status > 299) {
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
              finish(null, { ok: true, status, body: parseJson(Buffer.concat(chunks, size), what) })
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
        send(true)
      } catch (error) {
        finish(failed(error))
      }
    })

  return {
    post,
    close() {
      httpAgent.destroy()
      httpsAgent.destroy()
    },
  }
}
