import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { describe, expect, inject, it, onTestFinished } from 'vitest'
import { createMigratedTestDatabase, createTestDatabase } from './test-database.js'
import { adminQuery, TEST_POSTGRES_URL } from './test-places.js'
import { isAlive, removeLeftovers, removeRun, runOf, testRun } from './test-run.js'

/** The pid of a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''])
  expect(isAlive(child.pid as number)).toBe(false)
  return child.pid as number
}

const hex = () => randomBytes(8).toString('hex')

async function existing(): Promise<{ databases: string[]; schemas: string[] }> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL })
  await client.connect()
  try {
    const databases = (await client.query<{ name: string }>('select datname as name from pg_database')).rows.map((row) => row.name)
    const schemas = (await client.query<{ name: string }>('select nspname as name from pg_namespace')).rows.map((row) => row.name)
    return { databases, schemas }
  } finally {
    await client.end()
  }
}

/** Objects named as a run leaves them (a database only where `database` is given), removed after the test whatever happens. */
async function leave(root: string, names: { database?: string; schema: string; dir: string }) {
  onTestFinished(() =>
    adminQuery(
      TEST_POSTGRES_URL,
      ...(names.database ? [`drop database if exists ${names.database} with (force)`] : []),
      `drop schema if exists ${names.schema} cascade`,
    ),
  )
  await adminQuery(TEST_POSTGRES_URL, ...(names.database ? [`create database ${names.database}`] : []), `create schema ${names.schema}`)
  mkdirSync(join(root, names.dir, 'tessera-test-x'), { recursive: true })
}

describe('test-run leftovers (test/test-run.ts)', () => {
  it('knows a run of this machine by the tag in a name, and nothing else: another machine, another kind, names from before the tags', () => {
    const { tag } = testRun(4242)
    const machine = tag.split('_')[0]
    const elsewhere = `${machine === '00000000' ? '11111111' : '00000000'}_4242`
    const cases: [Parameters<typeof runOf>[0], string, number | null][] = [
      ['directory', `tessera-run-${tag}`, 4242],
      ['database', `tessera_template_${tag}_${hex()}`, 4242],
      ['database', `tessera_t_${tag}_${hex()}`, 4242],
      ['schema', `t_${tag}_${hex()}`, 4242],
      ['directory', `tessera-run-${elsewhere}`, null],
      ['database', `tessera_t_${elsewhere}_${hex()}`, null],
      ['schema', `t_${elsewhere}_${hex()}`, null],
      ['schema', `tessera_t_${tag}_${hex()}`, null],
      ['database', `t_${tag}_${hex()}`, null],
      ['directory', `tessera-run-${tag}-x`, null],
      ['database', `tessera_t_${hex()}`, null],
      ['database', `tessera_template_${hex()}`, null],
      ['schema', `t_${hex()}`, null],
      ['directory', 'tessera-test-q30erb', null],
    ]
    for (const [kind, name, pid] of cases) expect(runOf(kind, name), `${kind} ${name}`).toBe(pid)
  })

  it('removes what a killed run of this machine left, and nothing of a run still going', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tessera-leftovers-'))
    onTestFinished(() => rmSync(root, { recursive: true, force: true }))
    const gone = testRun(deadPid()).tag
    const going = testRun(process.pid).tag
    const left = { database: `tessera_t_${gone}_${hex()}`, schema: `t_${gone}_${hex()}`, dir: `tessera-run-${gone}` }
    const running = { schema: `t_${going}_${hex()}`, dir: `tessera-run-${going}` }
    await leave(root, left)
    await leave(root, running)

    const removed = await removeLeftovers(undefined, { tmpdir: root })

    expect(removed).toEqual(expect.arrayContaining([left.database, left.schema, left.dir]))
    expect(removed).not.toContain(running.schema)
    expect(removed).not.toContain(running.dir)
    const now = await existing()
    expect(now.databases).not.toContain(left.database)
    expect(now.schemas).not.toContain(left.schema)
    expect(now.schemas).toContain(running.schema)
    expect(existsSync(join(root, left.dir))).toBe(false)
    expect(existsSync(join(root, running.dir, 'tessera-test-x'))).toBe(true)
  })

  it('removes all of a run at its end, while its process still runs', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tessera-leftovers-'))
    onTestFinished(() => rmSync(root, { recursive: true, force: true }))
    const { tag } = testRun(process.pid)
    const names = { schema: `t_${tag}_${hex()}`, dir: `tessera-run-${tag}` }
    await leave(root, names)
    expect((await removeRun(process.pid, { tmpdir: root })).sort()).toEqual([names.dir, names.schema].sort())
    expect(existsSync(join(root, names.dir))).toBe(false)
    expect((await existing()).schemas).not.toContain(names.schema)
  })

  it('tags what a test creates with this run, which is running: a sweep keeps it', async () => {
    const run = inject('tesseraRun')
    expect(isAlive(Number(run.tag.split('_')[1]))).toBe(true)
    const copy = await createMigratedTestDatabase('postgres')
    onTestFinished(() => copy.drop())
    const schema = createTestDatabase('postgres')
    const file = createTestDatabase('sqlite')
    onTestFinished(() => file.drop())
    const database = new URL(copy.url).pathname.slice(1)
    expect(database.startsWith(`tessera_t_${run.tag}_`)).toBe(true)
    expect(new URL(schema.url).searchParams.get('schema')?.startsWith(`t_${run.tag}_`)).toBe(true)
    expect(file.url.startsWith(`sqlite:${run.dir}/`)).toBe(true)

    await removeLeftovers()
    expect((await existing()).databases).toContain(database)
    expect(existsSync(file.url.slice('sqlite:'.length).replace(/\/tessera\.db$/, ''))).toBe(true)
  })
})
