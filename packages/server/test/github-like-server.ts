import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface GitHubEmail {
  email: string
  primary: boolean
  verified: boolean
  visibility?: string | null
}

export interface GitHubLikeServer {
  base: string
  clientId: string
  clientSecret: string
  /** The user the next sign-in is for. */
  user: { id: number; login: string; name: string | null; email: string | null }
  emails: GitHubEmail[]
  /** Every token request's form, to check what Tessera sent. */
  tokenRequests: URLSearchParams[]
  close(): Promise<void>
}

/**
 * A small OAuth 2.0 server that behaves like GitHub for a sign-in: `/login/oauth/authorize` sends
 * the browser back with a code, `/login/oauth/access_token` redeems it (client secret and PKCE
 * checked), `/user` answers the profile (with a numeric `id` and a public `email` that proves
 * nothing), `/user/emails` lists the addresses with `primary` and `verified`.
 */
export async function startGitHubLikeServer(): Promise<GitHubLikeServer> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const codes = new Map<string, { challenge: string; redirectUri: string }>()
  const tokens = new Set<string>()
  const fake: GitHubLikeServer = {
    base,
    clientId: 'Iv1.tessera',
    clientSecret: 'github-like-client-secret',
    user: { id: 4242, login: 'octo', name: 'Octo Cat', email: 'public@example.com' },
    emails: [],
    tokenRequests: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
    response.end(JSON.stringify(body))
  }
  const readBody = (request: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = ''
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8')
      })
      request.on('end', () => resolve(body))
    })
  server.on('request', async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', base)
    if (url.pathname === '/login/oauth/authorize') {
      const code = randomBytes(16).toString('hex')
      codes.set(code, { challenge: url.searchParams.get('code_challenge') ?? '', redirectUri: url.searchParams.get('redirect_uri') ?? '' })
      const back = new URL(url.searchParams.get('redirect_uri') ?? '')
      back.searchParams.set('code', code)
      back.searchParams.set('state', url.searchParams.get('state') ?? '')
      response.writeHead(302, { location: back.href })
      return response.end()
    }
    if (url.pathname === '/login/oauth/access_token' && request.method === 'POST') {
      const form = new URLSearchParams(await readBody(request))
      fake.tokenRequests.push(form)
      const pending = codes.get(form.get('code') ?? '')
      codes.delete(form.get('code') ?? '')
      const verifier = form.get('code_verifier') ?? ''
      const ok =
        pending &&
        form.get('client_id') === fake.clientId &&
        form.get('client_secret') === fake.clientSecret &&
        form.get('redirect_uri') === pending.redirectUri &&
        createHash('sha256').update(verifier).digest('base64url') === pending.challenge
      // GitHub answers errors with 200 and an error field; a 400 is what a standard server sends.
      if (!ok) return json(response, 400, { error: 'bad_verification_code' })
      const token = `gho_${randomBytes(16).toString('hex')}`
      tokens.add(token)
      return json(response, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' })
    }
    const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1]
    if (!bearer || !tokens.has(bearer) || !request.headers['user-agent']) return json(response, 401, { message: 'Requires authentication' })
    if (url.pathname === '/user') return json(response, 200, fake.user)
    if (url.pathname === '/user/emails') return json(response, 200, fake.emails)
    return json(response, 404, { message: 'Not Found' })
  })
  return fake
}
