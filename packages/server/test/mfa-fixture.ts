import type { FastifyInstance } from 'fastify'
import { expect } from 'vitest'
import { totpCodeAt } from '../src/mfa/totp.js'
import type { Clock } from '../src/shared/clock.js'
import { signIn } from './test-server.js'

export interface AuthenticatorApp {
  /** The TOTP secret, to compute codes with `totpCodeAt`. */
  secret: string
  recoveryCodes: string[]
  /** The bearer header of the session that added it. */
  headers: { authorization: string }
}

/**
 * Gives an existing user (password `PASSWORD`) an authenticator app the way a user does over the
 * JSON API: a bearer sign-in, POST /v1/mfa/totp, then its confirmation with the current code.
 */
export async function addAuthenticatorApp(
  server: { app: FastifyInstance; clock: Clock },
  email = 'ann@example.com',
): Promise<AuthenticatorApp> {
  const { token } = await signIn(server.app, email, undefined, { transport: 'bearer' })
  const headers = { authorization: `Bearer ${token}` }
  const begun = (await server.app.inject({ method: 'POST', url: '/v1/mfa/totp', headers, payload: {} })).json()
  const confirmed = await server.app.inject({
    method: 'POST',
    url: '/v1/mfa/totp/confirm',
    headers,
    payload: { code: totpCodeAt(begun.secret, server.clock.now()) },
  })
  expect(confirmed.statusCode, confirmed.body).toBe(200)
  return { secret: begun.secret as string, recoveryCodes: confirmed.json().recoveryCodes as string[], headers }
}
