import { randomBytes } from 'node:crypto'
import { copyFileSync, existsSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { cli, oneJsonObject } from '../cli-harness.js'
import { testTempDir } from '../test-database.js'
import { type RunningTessera, startTessera, stopTessera } from './tessera-process.js'

const PASSWORD = 'correct horse battery staple'
/** Sign-ups kept in flight while the backup runs. */
const LANES = 6
/** The backup starts once this many sign-ups of the load have been acknowledged. */
const BACKUP_AFTER = 10

async function signUp(base: string, email: string): Promise<number> {
  const response = await fetch(`${base}/v1/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  })
  await response.arrayBuffer()
  return response.status
}

async function signIn(base: string, email: string): Promise<number> {
  const response = await fetch(`${base}/v1/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  })
  await response.arrayBuffer()
  return response.status
}

describe('tessera backup and restore (SQLite)', () => {
  const cleanups: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  it('backs a live database up under write load, refuses to restore under a running server, and restores into a fresh data dir that signs in', async () => {
    const root = testTempDir('tessera-backup-')
    cleanups.push(() => rmSync(root, { recursive: true, force: true }))
    const masterKey = randomBytes(32).toString('base64url')
    const envOf = (dataDir: string) => ({
      TESSERA_DATA_DIR: dataDir,
      TESSERA_MASTER_KEY: masterKey,
      TESSERA_LOG_LEVEL: 'warn',
      TESSERA_RATE_LIMIT_CREDENTIALS_PER_IP: '100000',
    })
    const live = join(root, 'live')
    const server: RunningTessera = await startTessera(envOf(live))
    cleanups.push(async () => void (await stopTessera(server)))
    expect(await signUp(server.base, 'first@example.com')).toBe(201)

    // A write load that runs until told to stop; every acknowledged email is recorded.
    const acknowledged: string[] = []
    let stop = false
    const lanes = Array.from({ length: LANES }, async (_, lane) => {
      for (let n = 0; !stop; n += 1) {
        const email = `load-${lane}-${n}@example.com`
        if ((await signUp(server.base, email)) === 201) acknowledged.push(email)
      }
    })
    while (acknowledged.length < BACKUP_AFTER) await new Promise((resolve) => setImmediate(resolve))

    const file = join(root, 'tessera-backup.db')
    const before = [...acknowledged]
    const backup = await cli(envOf(live), ['backup', '--out', file, '--json'])
    const during = acknowledged.length
    // Writes go on after the copy, so the copy is of a database that kept changing.
    while (acknowledged.length < during + BACKUP_AFTER) await new Promise((resolve) => setImmediate(resolve))
    expect(backup.code, backup.stderr).toBe(0)
    const report = oneJsonObject(backup.stdout) as { file: string; bytes: number; migrations: string[] }
    expect(report.file).toBe(file)
    expect(report.migrations).toContain('0001-foundation')
    expect(statSync(file).mode & 0o777).toBe(0o600)

    // Not over an existing file without --force, and not into a database a running server holds.
    const again = await cli(envOf(live), ['backup', '--out', file, '--json'])
    expect(again.code).toBe(1)
    expect(JSON.parse(again.stderr).error.code).toBe('backup_exists')
    const underServer = await cli(envOf(live), ['restore', '--from', file, '--json'])
    expect(underServer.code).toBe(1)
    expect(JSON.parse(underServer.stderr).error.code).toBe('database_in_use')

    stop = true
    await Promise.all(lanes)
    // The server was not disturbed by either.
    expect(await signIn(server.base, acknowledged.at(-1) as string)).toBe(200)
    await stopTessera(server)

    // The copy is consistent and holds every sign-up acknowledged before the backup began.
    const copy = new SQLite(file, { readonly: true })
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok')
    const emails = new Set((copy.prepare('select email from users').all() as { email: string }[]).map((row) => row.email))
    copy.close()
    for (const email of ['first@example.com', ...before]) expect(emails.has(email), email).toBe(true)

    const garbage = join(root, 'not-a-backup.db')
    writeFileSync(garbage, 'hello')
    const fresh = join(root, 'fresh')
    const refused = await cli(envOf(fresh), ['restore', '--from', garbage, '--json'])
    expect(JSON.parse(refused.stderr).error.code).toBe('not_a_backup')

    // Under another master key the backup's sealed data would not open: refused, nothing written.
    const otherKey = { ...envOf(fresh), TESSERA_MASTER_KEY: randomBytes(32).toString('base64url') }
    const wrongKey = await cli(otherKey, ['restore', '--from', file, '--json'])
    expect(wrongKey.code).toBe(1)
    expect(JSON.parse(wrongKey.stderr).error.code).toBe('master_key_mismatch')
    expect(existsSync(join(fresh, 'tessera.db'))).toBe(false)
    // A backup made before the check value existed is judged by opening its signing key.
    const older = join(root, 'older-backup.db')
    copyFileSync(file, older)
    const edit = new SQLite(older)
    edit.prepare('delete from master_key_check').run()
    edit.close()
    expect(JSON.parse((await cli(otherKey, ['restore', '--from', older, '--json'])).stderr).error.code).toBe('master_key_mismatch')
    expect(existsSync(join(fresh, 'tessera.db'))).toBe(false)

    const restored = await cli(envOf(fresh), ['restore', '--from', file, '--json'])
    expect(restored.code, restored.stderr).toBe(0)
    expect(oneJsonObject(restored.stdout)).toMatchObject({ restored: file, previous: null })

    const revived = await startTessera(envOf(fresh))
    cleanups.push(async () => void (await stopTessera(revived)))
    expect(await signIn(revived.base, 'first@example.com')).toBe(200)
    expect(await signIn(revived.base, before.at(-1) as string)).toBe(200)
    // Its signing keys came back with it: the same key ids are published.
    const jwks = (await (await fetch(`${revived.base}/.well-known/jwks.json`)).json()) as { keys: unknown[] }
    expect(jwks.keys.length).toBeGreaterThan(0)
  })

  it('points PostgreSQL users to pg_dump and pg_restore', async () => {
    const env = { TESSERA_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' }
    const result = await cli(env, ['backup', '--out', join(tmpdir(), 'never-written.db'), '--json'])
    expect(result.code).toBe(1)
    const error = JSON.parse(result.stderr).error as { code: string; message: string }
    expect(error.code).toBe('not_sqlite')
    expect(error.message).toContain('pg_dump')
  })
})
