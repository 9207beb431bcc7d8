import type { Transact } from '../../store/transaction.js'
import { type AuthorizationCodeStores, createAuthorizationCodeGrant } from './authorization-code-grant.js'
import { createClientCredentialsGrant } from './client-credentials-grant.js'
import { createDeviceCodeGrant, type DeviceCodeStores } from './device-code-grant.js'
import type { GrantServices } from './grant-deps.js'
import { createRefreshTokenGrant, type RefreshGrantStores } from './refresh-token-grant.js'
import { createTokenExchangeGrant, type TokenExchangeStores } from './token-exchange-grant.js'
import { createTokenIssuance, type IssuanceDeps } from './token-issuance.js'

/** Every store a grant writes in its transaction. */
export type TokenGrantStores = TokenExchangeStores & RefreshGrantStores & AuthorizationCodeStores & DeviceCodeStores

/** What the composition root hands the grants: their services, the issuance settings, one transaction runner. */
export type TokenGrantsDeps = Omit<GrantServices, 'issue'> & IssuanceDeps & { transact: Transact<TokenGrantStores> }

export type TokenGrants = ReturnType<typeof createTokenGrants>

/**
 * The grants of `POST /oauth/token`, one file each, sharing one issuance step: the authorization
 * code (RFC 6749 §4.1.3, RFC 7636), refresh with rotation (RFC 6749 §6, RFC 9700 §4.14.2), client
 * credentials (RFC 6749 §4.4), token exchange (RFC 8693) and the device grant (RFC 8628 §3.4).
 */
export function createTokenGrants(deps: TokenGrantsDeps) {
  const issue = createTokenIssuance(deps)
  return {
    authorizationCode: createAuthorizationCodeGrant({ ...deps, issue }),
    refresh: createRefreshTokenGrant({ ...deps, issue }),
    clientCredentials: createClientCredentialsGrant({ ...deps, issue }),
    exchange: createTokenExchangeGrant({ ...deps, issue }),
    deviceCode: createDeviceCodeGrant({ ...deps, issue }),
  }
}
