import type { TestContext } from 'vitest'
import { describe, expect, it } from 'vitest'
import { startGitHubLikeServer } from '../../test/github-like-server.js'
import { authorizeUrl, Browser, codeRequest, createClient, location, pkce, REDIRECT, serve } from '../../test/oidc-fixture.js'
import { continuedTo } from '../../test/upstream-provider.js'

const CLI = { kind: 'cli' } as const

/** Tessera with the GitHub preset pointed at a local stand-in for GitHub. */
async function setUp(onTestFinished: TestContext['onTestFinished']) {
  const github = await startGitHubLikeServer()
  onTestFinished(() => github.close())
  const server = await serve(onTestFinished)
  const connection = await server.tessera.connections.service.create(
    {
      preset: 'github',
      authorizationEndpoint: `${github.base}/login/oauth/authorize`,
      tokenEndpoint: `${github.base}/login/oauth/access_token`,
      userinfoEndpoint: `${github.base}/user`,
      emailsEndpoint: `${github.base}/user/emails`,
      clientId: github.clientId,
      clientSecret: github.clientSecret,
      allowInsecureDevelopment: true,
    },
    CLI,
  )
  const client = await createClient(server, { firstParty: true })
  /** Continue with GitHub → the stand-in's authorize endpoint → back to Tessera's callback. */
  const signIn = async () => {
    const browser = new Browser(server.app)
    const signInPage = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge))))
    const page = await browser.get(signInPage.pathname + signInPage.search)
    expect(page.body).toContain('Continue with GitHub')
    const start = await browser.get(`/ui/connections/${connection.id}/start?request=${signInPage.searchParams.get('request')}`)
    expect(start.statusCode, start.body).toBe(303)
    const back = await fetch(start.headers.location as string, { redirect: 'manual' })
    const callback = new URL(back.headers.get('location') as string)
    return browser.get(callback.pathname + callback.search)
  }
  return { github, server, connection, signIn }
}

describe('signing in through a GitHub-like OAuth 2.0 provider (issue 15)', () => {
  it('uses the numeric id as the subject and only the verified primary address from the emails endpoint', async ({ onTestFinished }) => {
    const { github, server, connection, signIn } = await setUp(onTestFinished)
    github.emails = [
      { email: 'secondary@example.com', primary: false, verified: true },
      { email: 'Octo@Example.com', primary: true, verified: true },
    ]
    const answer = await signIn()
    expect(`${continuedTo(answer).origin}${continuedTo(answer).pathname}`).toBe(REDIRECT)
    const user = await server.tessera.stores.users.findByEmail('octo@example.com')
    expect(user).toMatchObject({ emailVerified: true })
    expect(await server.tessera.stores.identities.findBySubject(connection.id, '4242')).toMatchObject({ userId: user?.id })
    // The public /user address proves nothing and made no account.
    expect(await server.tessera.stores.users.findByEmail('public@example.com')).toBeNull()
    // The code was redeemed with the client secret in the body and the PKCE verifier.
    expect(github.tokenRequests[0]?.get('client_secret')).toBe(github.clientSecret)
    expect(github.tokenRequests[0]?.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/)
  })

  it('refuses when the primary address is not verified, even with a verified secondary one, and creates nothing', async ({
    onTestFinished,
  }) => {
    const { github, server, signIn } = await setUp(onTestFinished)
    github.emails = [
      { email: 'octo@example.com', primary: true, verified: false },
      { email: 'secondary@example.com', primary: false, verified: true },
    ]
    const answer = await signIn()
    expect(answer.statusCode).toBe(400)
    expect(answer.body).toContain('did not share an email address')
    expect(await server.tessera.database.db.selectFrom('users').select('id').execute()).toEqual([])
  })
})
