import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose'

/** How the rogue provider's token endpoint answers the next request. */
export type TokenBehaviour =
  | { kind: 'id_token'; claims?: Record<string, unknown>; signWith?: 'published' | 'unpublished' }
  | { kind: 'hang' }
  | { kind: 'garbage' }
  | { kind: 'error'; error: string }

export interface RogueProvider {
  issuer: string
  clientId: string
  token: TokenBehaviour
  /** Overrides of the discovery document (endpoints on another host, …). */
  discovery: Record<string, unknown>
  /** The nonce of the last authorization request Tessera sent here. */
  lastNonce: string | null
  /** Requests that are still waiting (hang), released at close. */
  close(): Promise<void>
}

/**
 * A deliberately wrong OpenID Provider for the abuse tests: it answers discovery and JWKS
 * properly, then signs whatever ID token the test asks for (wrong nonce, audience, issuer, key),
 * hangs, or answers garbage. A correct provider (test/upstream-provider.ts) cannot be made to do
 * these things; an attacker's or a broken one can.
 */
export async function startRogueProvider(): Promise<RogueProvider> {
  const published = await generateKeyPair('ES256')
  const unpublished = await generateKeyPair('ES256')
  const jwk = { ...(await exportJWK(published.publicKey)), kid: 'rogue', alg: 'ES256', use: 'sig' }
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const rogue: RogueProvider = {
    issuer,
    clientId: 'tessera-at-rogue',
    token: { kind: 'id_token' },
    discovery: {},
    lastNonce: null,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' })
    response.end(JSON.stringify(body))
  }
  server.on('request', async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', issuer)
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(response, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
        ...rogue.discovery,
      })
    }
    if (url.pathname === '/jwks') return json(response, 200, { keys: [jwk] })
    if (url.pathname === '/token') {
      request.resume()
      const behaviour = rogue.token
      if (behaviour.kind === 'hang') return // never answers; the client must give up on its own
      if (behaviour.kind === 'garbage') {
        response.writeHead(200, { 'content-type': 'application/json' })
        return response.end('{"access_token": "abc", "token_type": ')
      }
      if (behaviour.kind === 'error') return json(response, 400, { error: behaviour.error })
      const now = Math.floor(Date.now() / 1000)
      const claims: JWTPayload = {
        iss: issuer,
        aud: rogue.clientId,
        sub: 'rogue-user',
        iat: now,
        exp: now + 300,
        nonce: rogue.lastNonce ?? undefined,
        email: 'victim@example.com',
        email_verified: true,
        ...behaviour.claims,
      }
      const key = behaviour.signWith === 'unpublished' ? unpublished.privateKey : published.privateKey
      const idToken = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'rogue' }).sign(key)
      return json(response, 200, { access_token: 'rogue-access-token', token_type: 'Bearer', expires_in: 300, id_token: idToken })
    }
    response.writeHead(404)
    response.end()
  })
  return rogue
}
