import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { LookupFunction } from 'node:net'
import { performance } from 'node:perf_hooks'
import type { DeliveryError } from './webhook-delivery.js'
import { checkWebhookTarget, type ResolvedAddress, type ResolveHost } from './webhook-target.js'
import { parseWebhookUrl } from './webhook-url.js'

export interface WebhookRequest {
  url: string
  allowInsecureDevelopment: boolean
  /** The Standard Webhooks headers and content type; content-length is added here. */
  headers: Record<string, string>
  body: string
}

export type AttemptOutcome = { ok: true; status: number } | { ok: false; status: number | null; error: DeliveryError }

/** Makes one delivery attempt. Never throws: every failure is an outcome. */
export type SendWebhook = (request: WebhookRequest) => Promise<AttemptOutcome>

export interface WebhookSenderDeps {
  resolve: ResolveHost
  /** In production the development allowance counts for nothing. */
  production: boolean
  /** Longest wait for TCP (and TLS) to connect. */
  connectTimeoutMs: number
  /** Longest wait for the whole attempt, from DNS to the response status. */
  timeoutMs: number
}

/**
 * The only code that sends webhooks over the network. Each attempt re-checks the URL and where
 * its host resolves now (DNS can change after registration), connects to exactly the address it
 * checked (no second lookup, so no DNS rebinding), never follows a redirect, and gives up at the
 * connect and total timeouts.
 */
export function createWebhookSender(deps: WebhookSenderDeps): SendWebhook {
  return async (request) => {
    const started = performance.now()
    let url: URL
    try {
      url = parseWebhookUrl(request.url, { allowInsecureDevelopment: request.allowInsecureDevelopment, production: deps.production })
    } catch {
      return { ok: false, status: null, error: 'url_refused' }
    }
    const allowPrivate = request.allowInsecureDevelopment && !deps.production
    const check = await within(checkWebhookTarget(url, { resolve: deps.resolve, allowPrivate }), deps.timeoutMs)
    if (check === 'timeout') return { ok: false, status: null, error: 'timeout' }
    if (!check.ok) return { ok: false, status: null, error: check.reason }
    const remaining = Math.max(1, deps.timeoutMs - (performance.now() - started))
    return post(url, check.target, request, { connectMs: Math.min(deps.connectTimeoutMs, remaining), totalMs: remaining })
  }
}

function post(url: URL, target: ResolvedAddress, request: WebhookRequest, timeouts: { connectMs: number; totalMs: number }) {
  return new Promise<AttemptOutcome>((resolve) => {
    let settled = false
    let connected = false
    const finish = (outcome: AttemptOutcome) => {
      if (settled) return
      settled = true
      clearTimeout(total)
      clearTimeout(connect)
      req.destroy()
      resolve(outcome)
    }
    // The host name stays in the URL, so TLS checks the certificate against it (and sends it as
    // SNI), while the connection goes to the address that passed the check.
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if (options.all) callback(null, [{ address: target.address, family: target.family }])
      else callback(null, target.address, target.family)
    }
    const secure = url.protocol === 'https:'
    const req = (secure ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body, 'utf8')) },
      lookup: pinned,
      agent: false,
    })
    const timedOut = () => finish({ ok: false, status: null, error: 'timeout' })
    const total = setTimeout(timedOut, timeouts.totalMs)
    const connect = setTimeout(timedOut, timeouts.connectMs)
    req.on('socket', (socket) => {
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        connected = true
        clearTimeout(connect)
      })
    })
    req.on('response', (response) => {
      const status = response.statusCode ?? 0
      // The body is of no interest; the status is the answer. Redirects are never followed:
      // a 3xx could point anywhere, including inside our network.
      if (status >= 200 && status < 300) finish({ ok: true, status })
      else finish({ ok: false, status, error: status >= 300 && status < 400 ? 'redirect_not_followed' : 'http_error' })
    })
    req.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, status: null, error: classify(error, connected) }))
    req.end(request.body)
  })
}

function classify(error: NodeJS.ErrnoException, connected: boolean): DeliveryError {
  const code = error.code ?? ''
  if (/^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|UNABLE_TO_|SELF_SIGNED|HOSTNAME_MISMATCH|ERR_OSSL)/.test(code)) return 'tls_failed'
  if (['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) return 'connect_failed'
  return connected ? 'connection_closed' : 'connect_failed'
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
