// Shared bench plumbing: an in-process Tessera on a temporary SQLite file (or a fresh PostgreSQL
// schema), and its setup helpers.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import pg from 'pg'
import { createTessera, loadConfig } from 'tessera'
import { freePort } from './tessera-env.mjs'

export { freePort }

export const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
export const PASSWORD = 'correct horse battery staple'
export const CLI = { kind: 'cli' }

/** Drops a schema that several instances shared (see `schema` in startTessera). */
export async function dropSchema(schema) {
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  await client.query(`drop schema if exists ${schema} cascade`)
  await client.end()
}

/**
 * Tessera in this process, listening on 127.0.0.1 where its issuer says (the SDK reads discovery
 * at the issuer). `database`: 'sqlite' (a temporary file) or 'postgres' (a schema of its own, also
 * its connections' application_name, to find its backends in pg_stat_activity). `dist`: another
 * build of the server (a dist folder, for the A/B tools); the workspace's `tessera` by default.
 */
export async function startTessera({ database = 'sqlite', background = false, schema: shared, dist, ...overrides } = {}) {
  const build = dist ? await import(pathToFileURL(resolve(dist, 'index.js')).href) : { createTessera, loadConfig }
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'))
  const port = await freePort()
  const issuer = `http://127.0.0.1:${port}`
  // `schema`: instances of one deployment share a PostgreSQL schema; the caller drops it.
  const schema = shared ?? `bench_${process.pid}_${port}`
  const databaseUrl =
    database === 'postgres' ? `${POSTGRES_URL}?schema=${schema}&application_name=${schema}` : `sqlite:${join(dir, 'tessera.db')}`
  const config = build.loadConfig({
    env: {},
    overrides: {
      databaseUrl,
      dataDir: dir,
      logLevel: 'silent',
      issuer,
      rateLimit: { credentialRequestsPerIp: 1_000_000 },
      ...overrides,
    },
  })
  const tessera = await build.createTessera(config)
  const app = await tessera.app()
  if (background) await tessera.startBackgroundTasks()
  await app.listen({ port, host: '127.0.0.1' })
  return {
    tessera,
    config,
    // Instances of one deployment share the issuer (overrides.issuer); each has its own address.
    issuer: config.issuer,
    address: issuer,
    schema: database === 'postgres' ? schema : undefined,
    async close() {
      await tessera.close()
      rmSync(dir, { recursive: true, force: true })
      if (database === 'postgres' && !shared) await dropSchema(schema)
    },
  }
}

/** A user, signed up over HTTP: { token (the bearer session token), userId }. */
export async function signUpUser(address, email = 'bench@example.com') {
  // The password estimate's thread answers 503 with Retry-After while it loads past 10 s (a loaded
  // machine, or callgrind: docs/architecture.md §9, "The password estimate"); a client retries.
  for (const giveUp = Date.now() + 120_000; ; ) {
    const response = await fetch(`${address}/v1/sign-up`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email, password: PASSWORD, transport: 'bearer' }),
    })
    const body = await response.json()
    if (response.status === 201) return { token: body.session.token, userId: body.user.id }
    const retryAfter = Number(response.headers.get('retry-after'))
    if (response.status !== 503 || !retryAfter || Date.now() > giveUp) throw new Error(`sign-up failed: ${response.status}`)
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000))
  }
}

/** A user, signed up over HTTP; returns the bearer session token. */
export async function signUp(address, email) {
  return (await signUpUser(address, email)).token
}

/**
 * RBAC: tokens carry a scope only through a role. Gives `orders:read` on each API to the users and
 * applications named, through one role, as a deployment would (a store read per token issued).
 */
export async function grantReader(tessera, apis, { users = [], applications = [], name = 'reader' } = {}) {
  const roles = tessera.services.roles
  if (!roles) return // a build without RBAC
  await roles.create({ name }, CLI)
  for (const api of apis) await roles.addPermissions(name, api, ['orders:read'], CLI)
  for (const id of users) await roles.assignToUser(name, id, CLI)
  for (const id of applications) await roles.assignToApplication(name, id, CLI)
}

/**
 * The refresh tools' fixture (bench/tools/*-refresh*.mjs): a jwt API `resource`, a web client allowed
 * token exchange and refresh tokens, and a signed-up user holding `orders:read` through a role.
 */
export async function refreshFixture(tessera, address, resource) {
  await tessera.services.apis.create({ identifier: resource, name: 'Orders', mode: 'jwt', scopes: ['orders:read'] }, CLI)
  const web = await tessera.services.applications.create(
    { name: 'web', type: 'web', grants: ['token_exchange', 'refresh_token'], apis: [resource], scopes: ['orders:read'] },
    CLI,
  )
  const { token: sessionToken, userId } = await signUpUser(address)
  await grantReader(tessera, [resource], { users: [userId] })
  return { authorization: basic(web.application.id, web.clientSecret), sessionToken, userId }
}

/** Trades a session token for an access token (and refresh token) of `resource`. */
export async function exchange(address, authorization, sessionToken, resource) {
  const response = await fetch(`${address}/oauth/token`, {
    method: 'POST',
    headers: { ...form, authorization },
    body: exchangeBody(sessionToken, resource),
  })
  if (response.status !== 200) throw new Error(`token exchange failed: ${response.status} ${await response.text()}`)
  return response.json()
}

export function exchangeBody(sessionToken, resource) {
  return new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: sessionToken,
    subject_token_type: 'urn:tessera:token-type:session',
    resource,
  }).toString()
}

export const json = { 'content-type': 'application/json' }
export const form = { 'content-type': 'application/x-www-form-urlencoded' }

export function basic(id, secret) {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`
}
