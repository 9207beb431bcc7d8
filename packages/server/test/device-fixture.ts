import type { LightMyRequestResponse } from 'fastify'
import { expect } from 'vitest'
import { API, type Client, createClient, createUser, post, type User } from './oauth-fixture.js'
import { Browser, hiddenFields, location, signInThroughPage } from './oidc-fixture.js'
import type { TestServer } from './test-server.js'

/** The device authorization grant's test set-up (RFC 8628): clients, requests, polls and the verification page. */

export const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code'
export const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/

export interface Authorization {
  device_code: string
  user_code: string
  verification_uri: string
  verification_uri_complete: string
  expires_in: number
  interval: number
}

let emails = 0
export const nextEmail = () => `device-${++emails}@example.com`

export async function deviceClient(server: TestServer, input: { type?: 'native' | 'web'; grants?: string[] } = {}): Promise<Client> {
  return createClient(server, { type: input.type ?? 'native', grants: input.grants ?? ['device_code', 'refresh_token'], apis: [API] })
}

export async function authorize(server: TestServer, client: Client, params: Record<string, string> = {}): Promise<Authorization> {
  const response = await post(
    server,
    '/oauth/device_authorization',
    { scope: 'openid offline_access read', resource: API, ...params },
    client,
  )
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as Authorization
}

export function poll(server: TestServer, client: Client, deviceCode: string) {
  return post(server, '/oauth/token', { grant_type: DEVICE_CODE, device_code: deviceCode }, client)
}

export async function rows(server: TestServer) {
  return server.tessera.database.db.selectFrom('device_authorizations').selectAll().execute()
}

/**
 * A device code its user approved on the verification page, the polling interval waited: the
 * client's next poll redeems it. Asks for `openid offline_access` and no resource unless `params`
 * says otherwise (the tokens then carry an ID token and a refresh token).
 */
export async function deviceApproved(
  server: TestServer,
  params: Record<string, string> = { scope: 'openid offline_access', resource: '' },
): Promise<{ client: Client; user: User; started: Authorization }> {
  const client = await deviceClient(server)
  const email = nextEmail()
  const user = await createUser(server, email)
  const started = await authorize(server, client, params)
  await decideThroughPage(new Browser(server.app), email, started.user_code)
  server.clock.advance(5_000)
  return { client, user, started }
}

/**
 * A person on another device: opens the verification page (signing in through the hosted sign-in
 * when the browser has no session), confirms the code, then allows or denies.
 */
export async function decideThroughPage(
  browser: Browser,
  email: string,
  userCode: string,
  decision: 'allow' | 'deny' = 'allow',
): Promise<{ confirm: LightMyRequestResponse; done: LightMyRequestResponse }> {
  let page = await browser.get(`/ui/device?user_code=${userCode}`)
  if (page.statusCode === 303) {
    const signIn = location(page)
    expect(signIn.pathname).toBe('/ui/sign-in')
    const back = location(await signInThroughPage(browser, signIn, email))
    expect(back.pathname + back.search).toBe(`/ui/device?user_code=${userCode}`)
    page = await browser.get(back.pathname + back.search)
  }
  expect(page.statusCode).toBe(200)
  // RFC 8628 §5.4: the complete URI only fills the form in.
  expect(page.body).toContain(`value="${userCode}"`)
  expect(page.body).not.toContain('/ui/device/decision')
  const confirm = await browser.post('/ui/device', { ...hiddenFields(page.body), user_code: userCode.toLowerCase().replace('-', ' ') })
  expect(confirm.statusCode, confirm.body).toBe(200)
  const done = await browser.post('/ui/device/decision', { ...hiddenFields(confirm.body), decision })
  return { confirm, done }
}

/** A browser signed in on the verification page; returns it with the page's entry form. */
export async function signedInOnDevicePage(server: TestServer, email: string): Promise<{ browser: Browser; page: LightMyRequestResponse }> {
  const browser = new Browser(server.app)
  const signIn = location(await browser.get('/ui/device'))
  expect(signIn.pathname).toBe('/ui/sign-in')
  const back = location(await signInThroughPage(browser, signIn, email))
  expect(back.pathname).toBe('/ui/device')
  const page = await browser.get(back.pathname)
  expect(page.statusCode).toBe(200)
  return { browser, page }
}
