import type { Application } from '../../applications/application.js'
import { TesseraError } from '../../shared/errors.js'

/**
 * RFC 9126 §5 and §6 (`require_pushed_authorization_requests`): a client registered to push its
 * authorization requests is refused any request that did not come through `/oauth/par`.
 */
export function checkPushedRequest(application: Application, pushed: boolean): void {
  if (application.requirePushedAuthorizationRequests === true && !pushed) {
    throw new TesseraError('invalid_request', { detail: 'this client must push its authorization requests first (RFC 9126)' })
  }
}
