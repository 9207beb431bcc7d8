import type { FastifyReply } from 'fastify'
import { TesseraError } from '../shared/errors.js'
import type { Flow } from './flow.js'
import type { LoginOutcome } from './login-flow.js'

/** The hosted page that drives what a login flow waits for. */
export function pageOf(flow: Flow): string {
  const page = flow.next.includes('consent')
    ? '/ui/consent'
    : flow.next.includes('verify_email')
      ? '/ui/verify-email/code'
      : flow.next.includes('second_factor')
        ? '/ui/second-factor'
        : flow.next.includes('second_factor_enrolment')
          ? '/ui/second-factor/enrol'
          : flow.next.includes('recovery_codes')
            ? '/ui/recovery-codes'
            : '/ui/sign-in'
  return `${page}?request=${flow.id}`
}

/** Every answer of the browser flow after a request or a form is a 303 (RFC 9110 §15.4.4). */
export function redirectTo(reply: FastifyReply, outcome: LoginOutcome): FastifyReply {
  if (outcome.kind === 'redirect') return reply.redirect(outcome.url, 303)
  // A sign-in for Tessera's own account pages goes back there; other browser flows end with a redirect.
  if (outcome.kind === 'done') {
    const back = outcome.flow.context.returnTo
    if (back !== undefined && isReturnPath(back)) return reply.redirect(back, 303)
    throw new TesseraError('flow_expired')
  }
  return reply.redirect(pageOf(outcome.flow), 303)
}

/** Where an account sign-in may return: a path of the account pages, never another origin. */
export function isAccountPath(path: string): boolean {
  return /^\/ui\/account(?:\/[a-z0-9-]+)*$/.test(path)
}

/** The device verification page, with the code from `verification_uri_complete` (RFC 8628 §3.3.1) if any. */
const DEVICE_PATH = /^\/ui\/device(?:\?user_code=[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4})?$/

/** Where a sign-in for one of Tessera's own pages may return: an account page or the device page, never another origin. */
export function isReturnPath(path: string): boolean {
  return isAccountPath(path) || DEVICE_PATH.test(path)
}
