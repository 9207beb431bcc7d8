import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { testTempDir } from '../test-database.js'
import { exitWithin, type RunningTessera, spawnTessera, startTessera, stopTessera, type TesseraProcess } from './tessera-process.js'

const EXIT_DEADLINE_MS = 10_000
const PASSWORD = 'correct horse battery staple'
const COOKIE = 'tessera_session'

/** One `Set-Cookie` header, split into its name, value and attributes (lower-cased names). */
function parseSetCookie(header: string) {
  const [pair = '', ...rest] = header.split(';').map((part) => part.trim())
  const eq = pair.indexOf('=')
  const attributes = new Map<string, string>()
  for (const part of rest) {
    const at = part.indexOf('=')
    attributes.set((at < 0 ? part : part.slice(0, at)).toLowerCase(), at < 0 ? '' : part.slice(at + 1))
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes }
}

function sessionCookies(response: Response) {
  return response.headers
    .getSetCookie()
    .map(parseSetCookie)
    .filter((cookie) => cookie.name.endsWith(COOKIE))
}

function expectDevelopmentCookie(response: Response): string {
  const cookies = sessionCookies(response)
  expect(cookies).toHaveLength(1)
  const cookie = cookies[0] as ReturnType<typeof parseSetCookie>
  // Plain-http localhost: no __Host- prefix and no Secure (docs/architecture.md §8).
  expect(cookie.name).toBe(COOKIE)
  expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/)
  expect(cookie.attributes.has('httponly')).toBe(true)
  expect(cookie.attributes.get('samesite')?.toLowerCase()).toBe('lax')
  expect(cookie.attributes.get('path')).toBe('/')
  expect(cookie.attributes.has('secure')).toBe(false)
  expect(cookie.attributes.has('domain')).toBe(false)
  return `${cookie.name}=${cookie.value}`
}

function json(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
}

async function problemCode(response: Response): Promise<string> {
  expect(response.headers.get('content-type')).toContain('application/problem+json')
  return ((await response.json()) as { code: string }).code
}

describe('the tessera process', () => {
  let dataDir: string
  let server: RunningTessera

  beforeEach(async () => {
    dataDir = testTempDir('tessera-e2e-')
    server = await startTessera({ TESSERA_DATA_DIR: dataDir, TESSERA_LOG_LEVEL: 'info' })
  })

  afterEach(async () => {
    if (server) await stopTessera(server)
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('starts on an empty data dir, creates its SQLite file there, and warns that the cookie is sent without Secure', async () => {
    expect(existsSync(join(dataDir, 'tessera.db'))).toBe(true)
    const health = await fetch(`${server.base}/healthz`)
    expect(health.status).toBe(200)

    // The warning is logged after the server listens: wait for it rather than read the output at once.
    const lines = (await server.outputContaining('without Secure'))
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg?: string })
    expect(lines.some((line) => line.msg === 'Tessera is listening')).toBe(true)
    // pino level 40 is warn.
    const warning = lines.find((line) => line.level === 40 && /without Secure/.test(line.msg ?? ''))
    expect(warning, server.output()).toBeDefined()
  })

  it('sets a session cookie that is HttpOnly, SameSite=Lax, Path=/ and not Secure on http://localhost', async () => {
    const signUp = await fetch(`${server.base}/v1/sign-up`, json({ email: 'ann@example.com', password: PASSWORD }))
    expect(signUp.status).toBe(201)
    const cookie = expectDevelopmentCookie(signUp)
    const body = (await signUp.json()) as { session: Record<string, unknown> }
    // The token travels in the cookie only.
    expect(body.session.token).toBeUndefined()

    const signIn = await fetch(`${server.base}/v1/sign-in`, json({ email: 'ann@example.com', password: PASSWORD }))
    expect(signIn.status).toBe(200)
    expect(expectDevelopmentCookie(signIn)).not.toBe(cookie)
  })

  it('runs the whole session lifecycle over real HTTP: sign up, sign in twice, list, revoke, sign out', async () => {
    const { base } = server
    const signUp = await fetch(`${base}/v1/sign-up`, json({ email: 'ann@example.com', password: PASSWORD }))
    expect(signUp.status).toBe(201)
    const signUpCookie = expectDevelopmentCookie(signUp)
    const signUpSession = ((await signUp.json()) as { session: { id: string } }).session.id

    const me = await fetch(`${base}/v1/session`, { headers: { cookie: signUpCookie } })
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({ user: { email: 'ann@example.com' }, session: { id: signUpSession } })

    const cookieSignIn = await fetch(`${base}/v1/sign-in`, json({ email: 'ann@example.com', password: PASSWORD }))
    expect(cookieSignIn.status).toBe(200)
    const cookie = expectDevelopmentCookie(cookieSignIn)
    const cookieSession = ((await cookieSignIn.json()) as { session: { id: string } }).session.id

    const bearerSignIn = await fetch(`${base}/v1/sign-in`, json({ email: 'ann@example.com', password: PASSWORD, transport: 'bearer' }))
    expect(bearerSignIn.status).toBe(200)
    expect(sessionCookies(bearerSignIn)).toEqual([])
    const bearer = ((await bearerSignIn.json()) as { session: { id: string; token: string } }).session
    const authorization = `Bearer ${bearer.token}`

    const listSessions = async (headers: Record<string, string>) => {
      const response = await fetch(`${base}/v1/sessions`, { headers })
      expect(response.status).toBe(200)
      return ((await response.json()) as { sessions: { id: string; current: boolean }[] }).sessions
    }
    const currentOf = (sessions: { id: string; current: boolean }[]) => sessions.filter((s) => s.current).map((s) => s.id)

    const all = await listSessions({ authorization })
    expect(all.map((s) => s.id).sort()).toEqual([signUpSession, cookieSession, bearer.id].sort())
    expect(currentOf(all)).toEqual([bearer.id])
    expect(currentOf(await listSessions({ cookie }))).toEqual([cookieSession])

    const removed = await fetch(`${base}/v1/sessions/${signUpSession}`, { method: 'DELETE', headers: { cookie } })
    expect(removed.status).toBe(204)
    const two = await listSessions({ cookie })
    expect(two.map((s) => s.id).sort()).toEqual([cookieSession, bearer.id].sort())
    expect(currentOf(two)).toEqual([cookieSession])
    expect(await problemCode(await fetch(`${base}/v1/session`, { headers: { cookie: signUpCookie } }))).toBe('session_revoked')

    const others = await fetch(`${base}/v1/sessions/revoke`, {
      ...json({ scope: 'others' }),
      headers: { 'content-type': 'application/json', cookie },
    })
    expect(others.status).toBe(204)
    const bearerAfter = await fetch(`${base}/v1/session`, { headers: { authorization } })
    expect(bearerAfter.status).toBe(401)
    expect(await problemCode(bearerAfter)).toBe('session_revoked')
    expect((await listSessions({ cookie })).map((s) => s.id)).toEqual([cookieSession])

    const signOut = await fetch(`${base}/v1/sign-out`, { method: 'POST', headers: { cookie } })
    expect(signOut.status).toBe(204)
    const cleared = sessionCookies(signOut)
    expect(cleared).toHaveLength(1)
    const clearing = cleared[0] as ReturnType<typeof parseSetCookie>
    expect(clearing.value).toBe('')
    const maxAge = clearing.attributes.get('max-age')
    const expires = clearing.attributes.get('expires')
    expect(maxAge === '0' || (expires !== undefined && Date.parse(expires) < Date.now())).toBe(true)
    expect(clearing.attributes.get('path')).toBe('/')

    const afterSignOut = await fetch(`${base}/v1/session`, { headers: { cookie } })
    expect(afterSignOut.status).toBe(401)
    expect(await problemCode(afterSignOut)).toBe('session_revoked')
  })

  it('stops cleanly with exit code 0 on SIGTERM', async () => {
    server.child.kill('SIGTERM')
    const exit = await exitWithin(server.exited, EXIT_DEADLINE_MS)
    expect(exit).toEqual({ code: 0, signal: null })
  })
})

describe('tessera start with a bad configuration', () => {
  let dataDir: string
  let running: TesseraProcess | undefined

  beforeEach(() => {
    dataDir = testTempDir('tessera-e2e-')
  })

  afterEach(async () => {
    if (running) await stopTessera(running)
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('exits non-zero without listening, naming the key and its variable, when TESSERA_PORT is not a number', async () => {
    running = spawnTessera(['start'], { TESSERA_DATA_DIR: dataDir, TESSERA_PORT: 'abc' })
    const exit = await exitWithin(running.exited, EXIT_DEADLINE_MS)
    expect(exit).not.toBe('timeout')
    // EX_CONFIG
    expect(exit).toEqual({ code: 78, signal: null })
    expect(running.output()).toContain('port')
    expect(running.output()).toContain('TESSERA_PORT')
    expect(existsSync(join(dataDir, 'tessera.db'))).toBe(false)
  })
})
