// What a refresh rotation's writes cost SQLite with random token ids against ids that sort by their
// issue time (packages/server/src/shared/ordered-id.ts), without the HTTP stack, the signature and the
// other work of a request, whose noise hides it on a shared machine (issue 17 target 4). On a copy
// each of one database (Tessera's schema, on tmpfs, with `fill` refresh tokens and access tokens
// under random ids, as an existing database has them), 20 chains rotate in turn, `group` rotations
// per transaction as a group commit makes them: the parent's redemption (UPDATE … RETURNING), the
// successor's row and the access token's row, with the columns the server writes, synchronous=NORMAL.
// The two copies take turns, round by round. Per rotation: the CPU time of this process, and per
// COMMIT: the WAL pages it appended (the wal-index header's mxFrame, as profile-refresh.mjs reads it)
// and its time. The ids are the only difference: 16 random bytes, or `orderedId` of the workspace's build.
// Usage: node bench/tools/ab-token-ids.mjs [rounds] [rotations per round] [fill] [group]
// AB_WITHOUT_ROWID=1, AB_PARTIAL_TOKEN_HASH=1, AB_DROP_INDEXES=a,b: ordered ids against ordered ids and a
// schema change (below).
import { randomBytes } from 'node:crypto'
import { copyFileSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { refreshFixture, startTessera } from '../lib/harness.mjs'
import { spread } from '../lib/stats.mjs'
import { fillTokenTables } from '../lib/token-fill.mjs'

const [rounds = '6', perRound = '2000', fill = '30000', group = '5'] = process.argv.slice(2).map(Number)
const CHAINS = 20
const RESOURCE = 'https://api.example.com'
const require = createRequire(new URL('../../packages/server/package.json', import.meta.url))
const Database = require('better-sqlite3')
const { orderedId } = await import(new URL('../../packages/server/dist/shared/ordered-id.js', import.meta.url).href)

// One database with Tessera's schema and rows, on tmpfs.
process.env.TMPDIR = '/dev/shm'
const server = await startTessera({})
const { authorization, sessionToken } = await refreshFixture(server.tessera, server.address, RESOURCE)
await fillTokenTables(server.tessera, { address: server.address, authorization, sessionToken, resource: RESOURCE }, fill)
const file = server.config.databaseUrl.replace(/^sqlite:/, '')
await server.tessera.close()
// Everything in the main file before it is copied.
const closing = new Database(file)
closing.pragma('wal_checkpoint(TRUNCATE)')
closing.close()
const dir = mkdtempSync('/dev/shm/token-ids-')
// AB_WITHOUT_ROWID=1: both copies take ordered ids, and the second has its two token tables
// rebuilt WITHOUT ROWID (keyed by their id): "random" below is then the ordered ids in rowid tables.
const withoutRowid = process.env.AB_WITHOUT_ROWID === '1'
// AB_PARTIAL_TOKEN_HASH=1: both with ordered ids, and the second's unique index of access_tokens.token_hash
// made partial (where token_hash is not null: only encrypted tokens have one).
const partialTokenHash = process.env.AB_PARTIAL_TOKEN_HASH === '1'
// AB_DROP_INDEXES=refresh_tokens_family_id,access_tokens_family_id: both with ordered ids, and the second
// without those indexes: what the most any other shape of them could save the rotation's writes.
const dropIndexes = (process.env.AB_DROP_INDEXES ?? '').split(',').filter(Boolean)
const ordered = () => orderedId(Date.now(), randomBytes(11))
const variants = {
  random: { id: withoutRowid || partialTokenHash || dropIndexes.length > 0 ? ordered : () => randomBytes(16).toString('base64url') },
  ordered: { id: ordered },
}
for (const [name, variant] of Object.entries(variants)) {
  copyFileSync(file, join(dir, `${name}.db`))
  variant.db = new Database(join(dir, `${name}.db`))
  variant.db.pragma('journal_mode = WAL')
  variant.db.pragma('synchronous = NORMAL')
  variant.db.pragma('foreign_keys = ON')
}
rmSync(dirname(file), { recursive: true, force: true })
if (partialTokenHash) {
  const { db } = variants.ordered
  db.exec('drop index access_tokens_token_hash')
  db.exec('create unique index access_tokens_token_hash on access_tokens (token_hash) where token_hash is not null')
}
for (const index of dropIndexes) variants.ordered.db.exec(`drop index ${index}`)
if (withoutRowid) {
  const { db } = variants.ordered
  for (const table of ['refresh_tokens', 'access_tokens']) {
    const ddl = db.prepare("select sql from sqlite_master where type = 'table' and name = ?").pluck().get(table)
    const indexes = db.prepare("select sql from sqlite_master where type = 'index' and tbl_name = ? and sql is not null").pluck().all(table)
    db.exec(`${ddl.replace(`"${table}"`, `"${table}_rebuilt"`)} without rowid`)
    db.exec(`insert into "${table}_rebuilt" select * from "${table}"`)
    db.exec(`drop table "${table}"`)
    db.exec(`alter table "${table}_rebuilt" rename to "${table}"`)
    for (const index of indexes) db.exec(index)
  }
}

for (const variant of Object.values(variants)) {
  const { db } = variant
  const refreshRow = db.prepare('select * from refresh_tokens order by created_at desc limit 1').get()
  const accessRow = db.prepare('select * from access_tokens order by created_at desc limit 1').get()
  const insert = (table, row) => {
    const columns = Object.keys(row)
    const statement = db.prepare(`insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`)
    return (values) => statement.run(columns.map((column) => values[column]))
  }
  const insertRefresh = insert('refresh_tokens', refreshRow)
  const insertAccess = insert('access_tokens', accessRow)
  const redeem = db.prepare(
    'update refresh_tokens set used_at = ? where id = ? and used_at is null and revoked_at is null and expires_at > ? returning *',
  )
  const shm = openSync(`${db.name}-shm`, 'r')
  const header = Buffer.alloc(4)
  variant.mxFrame = () => {
    readSync(shm, header, 0, 4, 16)
    return header.readUInt32LE(0)
  }
  const rotate = (chain) => {
    const now = Date.now()
    const parent = redeem.get(now, chain.id, now)
    const id = variant.id()
    insertRefresh({ ...parent, id, parent_id: parent.id, created_at: now, used_at: null })
    insertAccess({ ...accessRow, jti: variant.id(), family_id: parent.family_id, created_at: now })
    chain.id = id
  }
  variant.chains = Array.from({ length: CHAINS }, () => {
    const id = variant.id()
    insertRefresh({ ...refreshRow, id, family_id: id, parent_id: null, used_at: null, revoked_at: null })
    return { id }
  })
  const begin = db.prepare('begin')
  const commit = db.prepare('commit')
  let next = 0
  variant.round = () => {
    let frames = 0
    let commitMs = 0
    let commits = 0
    const started = process.cpuUsage()
    for (let done = 0; done < perRound; done += group) {
      begin.run()
      for (let i = 0; i < group; i++) rotate(variant.chains[next++ % CHAINS])
      const before = variant.mxFrame()
      const at = performance.now()
      commit.run()
      commitMs += performance.now() - at
      const after = variant.mxFrame()
      frames += after >= before ? after - before : after
      commits++
    }
    const cpu = process.cpuUsage(started)
    return { cpu: (cpu.user + cpu.system) / perRound, pages: frames / commits, commitMs: commitMs / commits }
  }
}

// A round of each first, untimed: the JIT, and SQLite's page cache.
for (const variant of Object.values(variants)) variant.round()
const results = { random: [], ordered: [] }
const loads = []
for (let round = 0; round < rounds; round++) {
  loads.push(loadavg()[0])
  for (const name of round % 2 ? ['ordered', 'random'] : ['random', 'ordered']) {
    const result = variants[name].round()
    results[name].push(result)
    console.log(
      `round ${round + 1} ${name}: ${result.cpu.toFixed(1)} µs CPU per rotation, ${result.pages.toFixed(1)} WAL pages and ` +
        `${result.commitMs.toFixed(3)} ms per COMMIT`,
    )
  }
}
const range = (values, digits) => {
  const s = spread(values)
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`
}
console.log(
  `${rounds} rounds of ${perRound} rotations, ${group} per COMMIT, ${fill} rows in each token table first, on tmpfs, ` +
    (withoutRowid ? 'both with ordered ids, "ordered" WITHOUT ROWID and "random" rowid tables, ' : '') +
    (partialTokenHash ? 'both with ordered ids, "ordered" with a partial token_hash index, ' : '') +
    (dropIndexes.length > 0 ? `both with ordered ids, "ordered" without ${dropIndexes.join(' and ')}, ` : '') +
    `load average ${range(loads, 1)}`,
)
for (const [key, label, digits] of [
  ['cpu', 'CPU per rotation (µs)', 1],
  ['pages', 'WAL pages per COMMIT', 1],
  ['commitMs', 'COMMIT (ms)', 3],
]) {
  const [r, o] = [results.random.map((each) => each[key]), results.ordered.map((each) => each[key])]
  console.log(
    `${label}: random ${range(r, digits)}, ordered ${range(o, digits)}, ordered / random ${range(
      o.map((value, i) => value / r[i]),
      2,
    )}`,
  )
}
for (const variant of Object.values(variants)) variant.db.close()
rmSync(dir, { recursive: true, force: true })
process.exit(0)
