import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { LookupFunction } from 'node:net'
import { performance } from 'node:perf_hooks'
import { TesseraError } from '../shared/errors.js'
import { checkWebhookTarget, type ResolvedAddress, type ResolveHost } from '../webhooks/webhook-target.js'

/** What a connection allows Tessera to reach on the upstream's side. */
export interface UpstreamPolicy {
  /** Hosts the upstream's endpoints may be on: the issuer's (or authorization endpoint's) and the operator's additions. */
  hosts: readonly string[]
  /** http and private addresses (development only; never in production). */
  allowInsecure: boolean
}

export interface UpstreamFetchDeps {
  resolve: ResolveHost
  /** Longest a whole request may take, from resolving the host to the last byte of the body. */
  timeoutMs: number
}

/** The largest upstream answer read (a discovery document, a JWKS, a token or user answer). */
export const MAX_UPSTREAM_BODY = 512 * 1024

/** The fetch openid-client uses (its `customFetch`): same shape, every rule below. */
export type UpstreamFetch = (
  url: string,
  options: { body?: unknown; headers?: Record<string, string>; method: string; signal?: AbortSignal },
) => Promise<Response>

/**
 * The only code that calls an upstream identity provider over the network. The SSRF rules are the
 * webhooks' (OWASP Server-Side Request Forgery Prevention Cheat Sheet): https only, a host the
 * connection allows, every address the host resolves to checked (no private, loopback or metadata
 * address outside development, and metadata never), the connection made to exactly the address
 * checked (no DNS rebinding), no redirect followed, a bounded answer and a bounded time. Any
 * failure is `upstream_unavailable`: the user sees a clear page, never a hang or a 500.
 */
export function createUpstreamFetch(deps: UpstreamFetchDeps, policy: UpstreamPolicy): UpstreamFetch {
  return async (raw, options) => {
    const url = checkUpstreamUrl(raw, policy)
    const started = performance.now()
    const check = await within(checkWebhookTarget(url, { resolve: deps.resolve, allowPrivate: policy.allowInsecure }), deps.timeoutMs)
    if (check === 'timeout') throw unavailable('the identity provider did not answer in time')
    if (!check.ok)
      throw unavailable(
        check.reason === 'dns_failed'
          ? 'the host of the identity provider does not resolve'
          : 'the identity provider is at an address Tessera does not call',
      )
    const remaining = Math.max(1, deps.timeoutMs - (performance.now() - started))
    return send(url, check.target, options, remaining)
  }
}

/** The URL, if Tessera may call it for this connection; otherwise `upstream_unavailable`. */
export function checkUpstreamUrl(raw: string, policy: UpstreamPolicy): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw unavailable('the identity provider named an endpoint that is not a URL')
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowInsecure))
    throw unavailable('the identity provider named an endpoint that is not https')
  if (url.username !== '' || url.password !== '') throw unavailable('the identity provider named an endpoint with credentials in it')
  if (!policy.hosts.includes(url.host.toLowerCase()))
    throw unavailable(`the identity provider named an endpoint on a host this connection does not allow (${url.host})`)
  return url
}

function unavailable(detail: string): TesseraError {
  return new TesseraError('upstream_unavailable', { detail })
}

function bodyOf(body: unknown): Buffer | undefined {
  if (body === undefined || body === null) return undefined
  if (typeof body === 'string') return Buffer.from(body, 'utf8')
  if (body instanceof URLSearchParams) return Buffer.from(body.toString(), 'utf8')
  if (body instanceof Uint8Array) return Buffer.from(body)
  if (body instanceof ArrayBuffer) return Buffer.from(new Uint8Array(body))
  throw unavailable('unsupported request body')
}

function send(
  url: URL,
  target: ResolvedAddress,
  options: { body?: unknown; headers?: Record<string, string>; method: string; signal?: AbortSignal },
  timeoutMs: number,
): Promise<Response> {
  const body = bodyOf(options.body)
  return new Promise<Response>((resolve, reject) => {
    let settled = false
    const finish = (outcome: Response | TesseraError) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', aborted)
      if (outcome instanceof TesseraError) {
        req.destroy()
        reject(outcome)
      } else resolve(outcome)
    }
    // The name stays in the URL, so TLS checks the certificate against it; the socket goes to the checked address.
    const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
      if (lookupOptions.all) callback(null, [{ address: target.address, family: target.family }])
      else callback(null, target.address, target.family)
    }
    const headers: Record<string, string> = { ...(options.headers ?? {}) }
    if (body) headers['content-length'] = String(body.length)
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: options.method,
      headers,
      lookup: pinned,
      agent: false,
    })
    const timer = setTimeout(() => finish(unavailable('the identity provider did not answer in time')), timeoutMs)
    const aborted = () => finish(unavailable('the identity provider did not answer in time'))
    options.signal?.addEventListener('abort', aborted)
    req.on('response', (response) => {
      const chunks: Buffer[] = []
      let size = 0
      response.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > MAX_UPSTREAM_BODY) finish(unavailable('the identity provider answered with too much data'))
        else chunks.push(chunk)
      })
      response.on('end', () => {
        const responseHeaders = new Headers()
        for (const [name, value] of Object.entries(response.headers)) {
          if (typeof value === 'string') responseHeaders.set(name, value)
          else if (Array.isArray(value)) for (const each of value) responseHeaders.append(name, each)
        }
        const status = response.statusCode ?? 502
        // Redirects are never followed (a 3xx could point anywhere, including inside our network); the client sees the 3xx.
        const payload = status === 204 || status === 304 ? null : Buffer.concat(chunks)
        finish(new Response(payload, { status, headers: responseHeaders }))
      })
      response.on('error', () => finish(unavailable('the identity provider closed the connection')))
    })
    req.on('error', () => finish(unavailable('the identity provider could not be reached')))
    req.end(body)
  })
}

async function within<T>(work: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}
