import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, type TestContext } from 'vitest'
import { testTempDir } from '../../test/test-database.js'
import { createTestServer } from '../../test/test-server.js'

const INDEX = '<!doctype html><script type="module" src="/console/assets/index-abc.js"></script>'

/** A built console of the test's own: an index and one hashed asset. */
function builtConsole(onTestFinished: TestContext['onTestFinished']): string {
  const dir = testTempDir('tessera-console-')
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'assets'))
  writeFileSync(join(dir, 'index.html'), INDEX)
  writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)')
  return dir
}

async function serve(onTestFinished: TestContext['onTestFinished'], consoleDir: string, issuer?: string) {
  const server = await createTestServer({ consoleDir, ...(issuer ? { config: { issuer } } : {}) })
  onTestFinished(() => server.close())
  return server
}

describe('the admin console at /console', () => {
  it('serves the page under a strict CSP: scripts and fetches from our origin only, no inline script, no eval, no framing', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished, builtConsole(onTestFinished))
    const page = await server.app.inject({ method: 'GET', url: '/console/' })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.body).toBe(INDEX)
    const csp = page.headers['content-security-policy'] as string
    const directives = new Map(csp.split('; ').map((directive) => [directive.split(' ')[0], directive]))
    expect(directives.get('default-src')).toBe("default-src 'none'")
    expect(directives.get('script-src')).toBe("script-src 'self'")
    expect(directives.get('connect-src')).toBe("connect-src 'self'")
    expect(directives.get('frame-ancestors')).toBe("frame-ancestors 'none'")
    expect(directives.get('base-uri')).toBe("base-uri 'none'")
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|data:|\*/)
    expect(page.headers['x-frame-options']).toBe('DENY')
    expect(page.headers['cache-control']).toBe('no-store')
  })

  it('serves the single page for every console path, and hashed assets cacheable for good', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, builtConsole(onTestFinished))
    for (const url of ['/console/users', '/console/users/usr_1', '/console/callback?code=x&state=y']) {
      const page = await server.app.inject({ method: 'GET', url })
      expect(page.statusCode, url).toBe(200)
      expect(page.body).toBe(INDEX)
    }
    const asset = await server.app.inject({ method: 'GET', url: '/console/assets/index-abc.js' })
    expect(asset.statusCode).toBe(200)
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(asset.headers['content-security-policy']).toContain("script-src 'self'")
    const bare = await server.app.inject({ method: 'GET', url: '/console' })
    expect(bare.statusCode).toBe(308)
    expect(bare.headers.location).toBe('/console/')
  })

  it('answers 404 for a missing asset or file, and never reads outside the built folder', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, builtConsole(onTestFinished))
    for (const url of [
      '/console/assets/gone.js',
      '/console/favicon.ico',
      '/console/../package.json',
      '/console/%2e%2e/%2e%2e/package.json',
    ]) {
      const response = await server.app.inject({ method: 'GET', url })
      expect(response.body, url).not.toContain('"name"')
      if (response.statusCode === 200) expect(response.body, url).toBe(INDEX)
      else expect(response.statusCode, url).toBe(404)
    }
    expect((await server.app.inject({ method: 'GET', url: '/console/assets/gone.js' })).statusCode).toBe(404)
  })

  it('says the console is not built when it is not, with a problem document', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, join(tmpdir(), 'tessera-console-missing-dir'))
    const response = await server.app.inject({ method: 'GET', url: '/console/' })
    expect(response.statusCode).toBe(404)
    expect(response.json().code).toBe('not_found')
    expect(response.json().detail).toMatch(/not built/)
  })

  it('rewrites asset URLs under an issuer with a path', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, builtConsole(onTestFinished), 'https://id.example.test/auth')
    const page = await server.app.inject({ method: 'GET', url: '/console/' })
    expect(page.body).toContain('src="/auth/console/assets/index-abc.js"')
  })
})
