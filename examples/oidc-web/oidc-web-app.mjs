// A server-side web app (a confidential OAuth client) that signs its users in with Tessera through
// openid-client: authorization code + PKCE, the ID token checked by the library, the email read
// from userinfo, and RP-initiated logout that ends the Tessera session too. Tokens never reach the
// browser: it holds only this app's own session cookie (the backend-for-frontend pattern).
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import * as client from 'openid-client'
import { errorPage, homePage, signedInPage, signedOutPage } from './pages.mjs'

const COOKIE = 'example_session'
const MAX_BODY = 4 * 1024

/**
 * @param {{ issuer: string, clientId: string, clientSecret: string, appUrl: string }} options
 *   `appUrl` is where the browser reaches this app; `${appUrl}/callback` and `${appUrl}/signed-out`
 *   must be registered with Tessera as the redirect URI and the post-logout redirect URI.
 * @returns {Promise<import('node:http').Server>} the server, not yet listening
 */
export async function createOidcWebApp({ issuer, clientId, clientSecret, appUrl }) {
  const issuerUrl = new URL(issuer)
  // openid-client refuses plain http. Allow it only for a loopback issuer (local development).
  const loopback = issuerUrl.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(issuerUrl.hostname)
  const config = await client.discovery(issuerUrl, clientId, undefined, client.ClientSecretBasic(clientSecret), {
    execute: loopback ? [client.allowInsecureRequests] : [],
  })
  const redirectUri = `${appUrl}/callback`
  const secureCookie = new URL(appUrl).protocol === 'https:'
  /** Session id -> { csrf, pending?: { verifier, state, nonce }, user?: { email, sub }, idToken? } */
  const sessions = new Map()

  const newSession = (res, data) => {
    const id = randomBytes(32).toString('base64url')
    sessions.set(id, { csrf: randomBytes(32).toString('base64url'), ...data })
    const attributes = `HttpOnly; SameSite=Lax; Path=/${secureCookie ? '; Secure' : ''}`
    res.setHeader('set-cookie', `${COOKIE}=${id}; ${attributes}`)
    return id
  }
  const sessionOf = (req) => {
    const pair = (req.headers.cookie ?? '').split(/;\s*/).find((part) => part.startsWith(`${COOKIE}=`))
    const id = pair?.slice(COOKIE.length + 1)
    return id && sessions.has(id) ? { id, data: sessions.get(id) } : null
  }
  const send = (res, status, html) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
    res.end(html)
  }
  const redirect = (res, location) => {
    res.writeHead(303, { location, 'cache-control': 'no-store' })
    res.end()
  }

  const routes = {
    'GET /': (req, res) => {
      const session = sessionOf(req)
      const user = session?.data.user
      send(res, 200, user ? signedInPage({ email: user.email, csrf: session.data.csrf }) : homePage())
    },

    // Start the code flow: PKCE (S256), state and nonce, kept in a fresh session of this app.
    'GET /login': async (_req, res) => {
      const pending = { verifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce() }
      newSession(res, { pending })
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
      })
      redirect(res, url.href)
    },

    // openid-client checks state, iss (RFC 9207), the code exchange, and the ID token (signature,
    // iss, aud, exp, nonce, at_hash) before we trust anything.
    'GET /callback': async (req, res) => {
      const session = sessionOf(req)
      if (!session?.data.pending) return send(res, 400, errorPage('No sign-in is in progress. Start again.'))
      const { verifier, state, nonce } = session.data.pending
      sessions.delete(session.id)
      try {
        const tokens = await client.authorizationCodeGrant(config, new URL(req.url, appUrl), {
          pkceCodeVerifier: verifier,
          expectedState: state,
          expectedNonce: nonce,
          idTokenExpected: true,
        })
        const { sub } = tokens.claims()
        const userinfo = await client.fetchUserInfo(config, tokens.access_token, sub)
        // A new session id after sign-in: no session fixation.
        newSession(res, { user: { sub, email: userinfo.email }, idToken: tokens.id_token })
        redirect(res, '/')
      } catch (error) {
        send(res, 400, errorPage(`Sign-in failed: ${error instanceof Error ? error.message : 'unknown error'}`))
      }
    },

    // Sign out here, then at Tessera (RP-initiated logout), which revokes the Tessera session and
    // every token bound to it, and sends the browser back to /signed-out.
    'POST /logout': async (req, res) => {
      const session = sessionOf(req)
      const form = new URLSearchParams(await readBody(req))
      const csrf = Buffer.from(form.get('csrf') ?? '')
      if (!session || csrf.length !== Buffer.byteLength(session.data.csrf) || !timingSafeEqual(csrf, Buffer.from(session.data.csrf)))
        return send(res, 403, errorPage('This sign-out request did not come from this app.'))
      sessions.delete(session.id)
      res.setHeader('set-cookie', `${COOKIE}=; Max-Age=0; HttpOnly; SameSite=Lax; Path=/${secureCookie ? '; Secure' : ''}`)
      const url = client.buildEndSessionUrl(config, {
        ...(session.data.idToken ? { id_token_hint: session.data.idToken } : {}),
        post_logout_redirect_uri: `${appUrl}/signed-out`,
      })
      redirect(res, url.href)
    },

    'GET /signed-out': (_req, res) => send(res, 200, signedOutPage()),
  }

  return createServer((req, res) => {
    const route = routes[`${req.method} ${new URL(req.url ?? '/', appUrl).pathname}`]
    if (!route) return send(res, 404, errorPage('Not found.'))
    Promise.resolve(route(req, res)).catch(() => {
      if (!res.headersSent) send(res, 500, errorPage('Something went wrong.'))
      else res.end()
    })
  })
}

async function readBody(req) {
  let body = ''
  for await (const chunk of req) {
    body += chunk
    if (body.length > MAX_BODY) throw new Error('body too large')
  }
  return body
}
