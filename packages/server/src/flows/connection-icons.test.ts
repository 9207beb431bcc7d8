import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { authorizeUrl, Browser, codeRequest, createClient, location, pkce } from '../../test/oidc-fixture.js'
import { createTestServer, type TestServer } from '../../test/test-server.js'

const CLI = { kind: 'cli' } as const

let server: TestServer

beforeAll(async () => {
  server = await createTestServer()
})
afterAll(async () => {
  await server?.close()
})

/** The hosted sign-in page for a new authorization request of `client`. */
async function signInPage(client: { id: string; secret: string | null }) {
  const browser = new Browser(server.app)
  const at = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge))))
  const page = await browser.get(at.pathname + at.search)
  expect(page.statusCode).toBe(200)
  return page
}

/** The sources of one CSP directive. */
function directive(csp: string, name: string): string[] {
  const found = csp
    .split(';')
    .map((part) => part.trim().split(/\s+/))
    .find(([first]) => first === name)
  return found ? found.slice(1) : []
}

/** Whether `img-src` lets the page load `src` (a path on our origin, or an allowed origin). */
function allowedImage(sources: string[], src: string): boolean {
  if (src.startsWith('/')) return sources.includes("'self'")
  return sources.includes(new URL(src).origin)
}

const imagesOf = (body: string) =>
  [...body.matchAll(/<img [^>]*src="([^"]+)"/g)].map((match) => (match[1] as string).replaceAll('&#61;', '='))

describe('connection icons on the hosted sign-in page, under its CSP (issue 15)', () => {
  it("shows our mark for a preset and an operator's https icon, and the CSP allows exactly their origins for images, nothing more", async () => {
    const client = await createClient(server, { firstParty: true })
    const other = await createClient(server, { firstParty: true })
    const { connections } = server.tessera
    await connections.service.create({ preset: 'github', clientId: 'gh', clientSecret: 's', applications: [client.id] }, CLI)
    await connections.service.create(
      { preset: 'google', clientId: 'g', clientSecret: 's', iconUrl: 'https://icons.example.com/google.png', applications: [client.id] },
      CLI,
    )
    // Plain http (allowed for development only) is never shown: the preset's mark stands in.
    await connections.service.create(
      {
        preset: 'gitlab',
        clientId: 'gl',
        clientSecret: 's',
        iconUrl: 'http://127.0.0.1:9/gitlab.png',
        allowInsecureDevelopment: true,
        applications: [client.id],
      },
      CLI,
    )
    // Shown to another application only: neither its button nor its icon's origin appears.
    await connections.service.create(
      {
        preset: 'microsoft',
        tenant: 'contoso.example',
        clientId: 'm',
        clientSecret: 's',
        iconUrl: 'https://cdn.other.example/m.png',
        applications: [other.id],
      },
      CLI,
    )

    const page = await signInPage(client)
    const csp = page.headers['content-security-policy'] as string
    const images = imagesOf(page.body)
    expect(images.sort()).toEqual([
      '/ui/assets/connections/github.svg',
      '/ui/assets/connections/gitlab.svg',
      'https://icons.example.com/google.png',
    ])
    expect(directive(csp, 'img-src')).toEqual(["'self'", 'https://icons.example.com'])
    for (const src of images) expect(allowedImage(directive(csp, 'img-src'), src), src).toBe(true)
    // The icons widen nothing else: no script, no connection, no form target, no http image.
    expect(directive(csp, 'default-src')).toEqual(["'none'"])
    expect(csp).not.toContain('cdn.other.example')
    expect(csp).not.toContain('http://127.0.0.1:9')
    expect(directive(csp, 'script-src')).not.toContain('https://icons.example.com')
    expect(directive(csp, 'connect-src')).not.toContain('https://icons.example.com')
    expect(page.body).toMatch(
      /<img class="connection-icon" src="https:\/\/icons\.example\.com\/google\.png" alt="" width="20" height="20" referrerpolicy="no-referrer">/,
    )

    // The other application's page shows the Microsoft icon, and allows its origin only.
    const otherPage = await signInPage(other)
    expect(imagesOf(otherPage.body)).toEqual(['https://cdn.other.example/m.png'])
    expect(directive(otherPage.headers['content-security-policy'] as string, 'img-src')).toEqual(["'self'", 'https://cdn.other.example'])

    // An application shown no connection keeps img-src 'self' alone.
    const app = await createClient(server, { firstParty: true })
    expect(directive((await signInPage(app)).headers['content-security-policy'] as string, 'img-src')).toEqual(["'self'"])
  })

  it('serves the preset marks from our origin as inert SVG images', async () => {
    for (const preset of ['google', 'microsoft', 'github', 'gitlab']) {
      const svg = await server.app.inject({ method: 'GET', url: `/ui/assets/connections/${preset}.svg` })
      expect(svg.statusCode, preset).toBe(200)
      expect(svg.headers['content-type']).toBe('image/svg+xml')
      expect(svg.headers['content-security-policy']).toBe("default-src 'none'")
      expect(svg.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/)
      expect(svg.body).not.toMatch(/<script|on[a-z]+=|href=/i)
    }
    expect((await server.app.inject({ method: 'GET', url: '/ui/assets/connections/evil.svg' })).statusCode).toBe(404)
  })
})
