import { basic, type Client } from '../oauth-fixture.js'

// The load-balancer test's HTTP client: requests through HAProxy, each answer recorded with the
// lane that sent it and when it was sent, so that a failure says whether it was in flight when an
// instance died or sent after.

export interface Answer {
  kind: 'sign_in' | 'session' | 'refresh' | 'revoke'
  /** Which lane of the load sent the request. */
  lane: string
  /** 0 when no HTTP answer came at all. */
  status: number
  /** When the request was sent and when its answer arrived (Date.now()). */
  sentAt: number
  at: number
  /** For status 0, what the client saw instead (undici's code and message). */
  error?: string
}

export interface Reply {
  status: number
  body: Record<string, unknown>
  error?: string
}

/**
 * A request through the balancer; status 0 when no HTTP answer came at all. No deadline of its own:
 * a client that gave up after 10 s counted a slow answer under heavy load as lost (a sign-up of the
 * set-up, status 0), and a refresh it gave up on still committed, so its retry could come past the
 * 5 s grace period and be taken for a reuse. HAProxy's `timeout server` (30 s) answers 504 for a
 * request that hangs.
 */
export async function call(url: string, init: RequestInit): Promise<Reply> {
  try {
    const response = await fetch(url, init)
    const text = await response.text()
    let body: Record<string, unknown> = {}
    try {
      body = JSON.parse(text) as Record<string, unknown>
    } catch {
      // HAProxy's own error pages are HTML
    }
    return { status: response.status, body }
  } catch (error) {
    // HAProxy closed the client's connection without an answer: what it does when a request on a
    // kept-alive connection fails and it may not send it again (haproxy.ts)
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    return { status: 0, body: {}, error: `${cause?.code ?? ''} ${cause?.message ?? String(error)}`.trim() }
  }
}

/** `call`, its answer appended to `answers`. */
export function recorder(answers: Answer[]) {
  return async (lane: string, kind: Answer['kind'], url: string, init: RequestInit): Promise<Reply> => {
    const sentAt = Date.now()
    const reply = await call(url, init)
    answers.push({ lane, kind, status: reply.status, sentAt, at: Date.now(), ...(reply.error ? { error: reply.error } : {}) })
    return reply
  }
}

export const jsonPost = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
})

export const form = (client: Client, params: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client) },
  body: new URLSearchParams(params).toString(),
})
