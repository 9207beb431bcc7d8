import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair } from 'jose'
import Provider from 'oidc-provider'
import type { Connection } from '../src/connections/connection.js'
import type { TestServer } from './test-server.js'

/** An upstream user of the test provider: its claims, exactly as the provider will assert them. */
export interface UpstreamAccount {
  email?: string
  /** Given as is: `true`, `false`, or a wrong type (the string "true") to prove it is not trusted. */
  email_verified?: unknown
  name?: string
}

export interface UpstreamProvider {
  issuer: string
  clientId: string
  clientSecret: string
  accounts: Map<string, UpstreamAccount>
  /** Errors the provider met while serving (a test can assert there were none). */
  errors: unknown[]
  /** Registers the redirect URI of the Tessera connection (known once the connection exists). */
  allowRedirectUri(uri: string): Promise<void>
  /** From now on the client authenticates with private_key_jwt (RFC 7523) under these public keys, and has no secret. */
  usePrivateKeyJwt(jwks: { keys: object[] }): Promise<void>
  close(): Promise<void>
}

/**
 * Registers `upstream` with `server` as an OIDC connection named "Upstream" (on loopback, so with
 * allowInsecureDevelopment), and lets the provider redirect back to that connection's callback.
 */
export async function connectUpstream(
  server: TestServer,
  upstream: UpstreamProvider,
  options: { allowSignUp?: boolean } = {},
): Promise<Connection> {
  const { service } = server.tessera.connections
  const connection = await service.create(
    {
      type: 'oidc',
      name: 'Upstream',
      issuer: upstream.issuer,
      clientId: upstream.clientId,
      clientSecret: upstream.clientSecret,
      allowInsecureDevelopment: true,
      ...options,
    },
    { kind: 'cli' },
  )
  await upstream.allowRedirectUri(service.present(connection).redirectUri)
  return connection
}

/**
 * A real OpenID Provider, node-oidc-provider, on a loopback port: discovery, JWKS, authorization
 * code with PKCE, ID tokens signed ES256, userinfo, RFC 9207 `iss`. Its development login form
 * takes any account id (the test posts it); consent is granted by `loadExistingGrant`, as for a
 * first-party client, so one form post signs in.
 */
export async function startUpstreamProvider(options: { host?: string } = {}): Promise<UpstreamProvider> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  // Listens on loopback; `host` names it (`localhost` makes it another site than a Tessera on 127.0.0.1).
  const issuer = `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`
  const clientId = 'tessera-downstream'
  const clientSecret = 'a-long-enough-upstream-client-secret-0123456789'
  const accounts = new Map<string, UpstreamAccount>()
  const redirectUris: string[] = []
  let clientKeys: { keys: object[] } | null = null
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  let provider: Provider | null = null
  const errors: unknown[] = []

  const build = async () => {
    const built: Provider = new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          ...(clientKeys
            ? { jwks: clientKeys, token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256' }
            : { client_secret: clientSecret, token_endpoint_auth_method: 'client_secret_basic' }),
          redirect_uris: [...redirectUris],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          id_token_signed_response_alg: 'ES256',
        },
      ],
      jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'upstream', alg: 'ES256', use: 'sig' }] },
      cookies: { keys: ['upstream-test-cookie-key'] },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      // The claims go in the ID token as well as userinfo.
      conformIdTokenClaims: false,
      features: { devInteractions: { enabled: true } },
      async findAccount(_ctx: unknown, sub: string) {
        const account = accounts.get(sub)
        if (!account) return undefined
        return { accountId: sub, claims: async () => ({ sub, ...account }) }
      },
      async loadExistingGrant(ctx: { oidc: { client: { clientId: string }; session: { accountId: string } } }) {
        const grant = new built.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId })
        grant.addOIDCScope('openid email profile')
        await grant.save()
        return grant
      },
    })
    built.on('server_error', (_ctx, error) => errors.push(error))
    return built
  }

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (!provider) {
      response.statusCode = 503
      response.end()
      return
    }
    provider.callback()(request, response)
  })
  provider = await build()

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    errors,
    async allowRedirectUri(uri) {
      redirectUris.push(uri)
      // Clients are static in the provider's configuration: a new one is built with the new URI.
      provider = await build()
    },
    async usePrivateKeyJwt(jwks) {
      clientKeys = jwks
      provider = await build()
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A minimal cookie jar for driving the provider's pages over real HTTP. */
export class CookieJar {
  private readonly cookies = new Map<string, string>()

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';')
      const at = pair.indexOf('=')
      if (at > 0) this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim())
    }
  }
}

/**
 * Signs `accountId` in at the provider: follows the authorization URL, posts the login form, and
 * returns the redirect back to Tessera (the callback URL with `code`, `state` and `iss`).
 */
export async function signInUpstream(authorizationUrl: string, accountId: string): Promise<URL> {
  const jar = new CookieJar()
  let url = authorizationUrl
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } })
    jar.store(response)
    const location = response.headers.get('location')
    if (location) {
      const next = new URL(location, url)
      if (!next.href.startsWith(new URL(authorizationUrl).origin)) return next
      url = next.href
      continue
    }
    const html = await response.text()
    const form = /<form[^>]*action="([^"]+)"/.exec(html)
    if (!form) throw new Error(`the provider showed no form at ${url}: ${response.status} ${html.slice(0, 300)}`)
    const posted = await fetch(new URL(form[1] as string, url), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ prompt: 'login', login: accountId, password: 'any' }).toString(),
    })
    jar.store(posted)
    const after = posted.headers.get('location')
    if (!after) throw new Error(`the login form answered ${posted.status}: ${(await posted.text()).slice(0, 300)}`)
    url = new URL(after, url).href
  }
  throw new Error('too many redirects at the provider')
}

/** Where the page that ends an upstream sign-in sends the browser (its meta refresh; see ui/connection-pages.ts). */
export function continuedTo(response: { statusCode: number; body: string }): URL {
  if (response.statusCode !== 200) throw new Error(`expected the continue page, got ${response.statusCode}: ${response.body.slice(0, 300)}`)
  const match = /<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(response.body)
  if (!match) throw new Error('the page has no meta refresh')
  const decoded = (match[1] as string).replace(/&#(\d+);/g, (_all, code) => String.fromCharCode(Number(code))).replaceAll('&amp;', '&')
  return new URL(decoded)
}
