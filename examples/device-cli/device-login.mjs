/**
 * Signs a command-line tool in with Tessera through the OAuth 2.0 Device Authorization Grant
 * (RFC 8628), with nothing but Node's own fetch. docs/connect-an-app.md explains each step.
 *
 * `deviceLogin` does the protocol; `sleep`, `fetch` and `show` are parameters so that the test
 * packages/server/src/oauth/device-authorization-grant.test.ts runs this very file.
 */

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
const say = (line) => process.stdout.write(`${line}\n`)

/**
 * @param {{ issuer: string, clientId: string, scope?: string, resource?: string,
 *   fetch?: typeof fetch, sleep?: (seconds: number) => Promise<void>,
 *   show?: (prompt: { userCode: string, verificationUri: string, verificationUriComplete: string }) => void | Promise<void> }} options
 * @returns {Promise<{ access_token: string, refresh_token?: string, id_token?: string, scope: string, expires_in: number }>}
 */
export async function deviceLogin(options) {
  const http = options.fetch ?? fetch
  const sleep = options.sleep ?? ((seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)))
  const show =
    options.show ??
    ((prompt) => say(`Open ${prompt.verificationUri} and enter ${prompt.userCode}\n(or open ${prompt.verificationUriComplete})`))
  const form = (fields) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(Object.entries(fields).filter(([, value]) => value !== undefined)).toString(),
  })

  // 1. Where the endpoints are.
  const discovery = await (
    await http(`${options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { method: 'GET', headers: {} })
  ).json()

  // 2. Ask for a device code and a user code (a public client names itself with client_id).
  const started = await http(
    discovery.device_authorization_endpoint,
    form({ client_id: options.clientId, scope: options.scope, resource: options.resource }),
  )
  const authorization = await started.json()
  if (!started.ok) throw new Error(`device authorization refused: ${authorization.error}`)
  await show({
    userCode: authorization.user_code,
    verificationUri: authorization.verification_uri,
    verificationUriComplete: authorization.verification_uri_complete,
  })

  // 3. Poll the token endpoint, never faster than the interval (RFC 8628 §3.5).
  let interval = authorization.interval ?? 5
  for (;;) {
    await sleep(interval)
    const response = await http(
      discovery.token_endpoint,
      form({ grant_type: DEVICE_GRANT, device_code: authorization.device_code, client_id: options.clientId }),
    )
    const body = await response.json()
    if (response.ok) return body
    if (body.error === 'authorization_pending') continue
    if (body.error === 'slow_down') {
      interval += 5
      continue
    }
    // access_denied, expired_token, or anything else: stop and say why.
    throw new Error(`device sign-in failed: ${body.error}`)
  }
}

// Run as a program: node device-login.mjs (settings from the environment).
if (import.meta.url === `file://${process.argv[1]}`) {
  const tokens = await deviceLogin({
    issuer: process.env.TESSERA_ISSUER ?? 'http://localhost:4000',
    clientId: process.env.CLIENT_ID ?? '',
    scope: process.env.SCOPE ?? 'openid offline_access',
    resource: process.env.RESOURCE || undefined,
  })
  say(`Signed in. Access token for ${tokens.expires_in} s, scope "${tokens.scope}"${tokens.refresh_token ? ', with a refresh token' : ''}.`)
}
