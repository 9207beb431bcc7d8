// The transaction machinery alone, before/after (issue 17 target 4): two builds of the server (two
// dist folders), each in a process of its own on its own SQLite database on tmpfs, run the
// statements of a refresh rotation through the composition root's transaction runner
// (app/stores.ts createTransact): redeem the parent, read the session with its user, insert the
// successor and the access token, 20 chains at once so that transactions queue and share COMMITs
// (store/sqlite-group-commit.ts), with no HTTP, signing or grant logic around them. Prints the CPU
// of each build's process (every thread) per transaction, and COMMITs per transaction; rounds
// alternate which build runs first, and the processes are started again in the other order for the
// second half of the rounds (each half's ratios printed).
// Usage: node bench/tools/ab-transaction.mjs <dist-before> <dist-after> [rounds] [transactions]
//   AB_SYNC_MS=3: each WAL sync the real (tmpfs) one plus a fixed 3 ms, as ab-refresh.mjs.
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { forkChild, startInOrder } from '../lib/ab-child.mjs'
import { runChains } from '../lib/run-chains.mjs'
import { slowWalSyncs } from '../lib/slow-wal-sync.mjs'
import { spread } from '../lib/stats.mjs'

const [mode, ...rest] = process.argv.slice(2)
const CHAINS = 20

if (mode === '--child') await child(JSON.parse(rest[0]))
else await parent(mode, ...rest)

async function parent(before, after, rounds = '10', transactions = '20000') {
  const syncMs = process.env.AB_SYNC_MS === undefined ? undefined : Number(process.env.AB_SYNC_MS)
  const dists = { before, after }
  const start = (name) => forkChild(new URL(import.meta.url).pathname, { dist: dists[name], syncMs })
  const startBoth = (order) => startInOrder(order, start)
  const half = Math.ceil(Number(rounds) / 2)
  const cpu = { before: [], after: [] }
  const commits = { before: [], after: [] }
  const halves = [[], []]
  const loads = []
  let builds = await startBoth(['before', 'after'])
  for (let round = 0; round < Number(rounds); round++) {
    if (round === half) {
      for (const build of Object.values(builds)) await build.close()
      builds = await startBoth(['after', 'before'])
    }
    loads.push(loadavg()[0])
    const per = {}
    for (const name of round % 2 ? ['after', 'before'] : ['before', 'after']) {
      const result = await builds[name].run(Number(transactions))
      per[name] = result.micros / Number(transactions)
      cpu[name].push(per[name])
      commits[name].push(result.commits / Number(transactions))
    }
    halves[round < half ? 0 : 1].push(per.after / per.before)
    console.log(`round ${round + 1}: before ${per.before.toFixed(2)} µs, after ${per.after.toFixed(2)} µs CPU per transaction`)
  }
  for (const build of Object.values(builds)) await build.close()
  const range = (s, digits = 1) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`
  console.log(
    `${rounds} rounds of ${transactions} transactions, ${CHAINS} at once, load average ${range(spread(loads))}` +
      (syncMs === undefined ? '' : `, each WAL sync a fixed ${syncMs} ms more`),
  )
  console.log(`CPU per transaction: before ${range(spread(cpu.before), 2)} µs, after ${range(spread(cpu.after), 2)} µs`)
  console.log(`COMMITs per transaction: before ${range(spread(commits.before), 3)}, after ${range(spread(commits.after), 3)}`)
  console.log(`after / before: ${range(spread([...halves[0], ...halves[1]]), 3)}`)
  console.log(`  before started first: ${range(spread(halves[0]), 3)}; after started first: ${range(spread(halves[1]), 3)}`)
  process.exit(0)
}

async function child({ dist, syncMs }) {
  if (syncMs !== undefined) await slowWalSyncs(syncMs)
  const load = (path) => import(pathToFileURL(resolve(dist, path)).href)
  const { openDatabase } = await load('store/open-database.js')
  const { migrateToLatest } = await load('store/migrate.js')
  const { createStores, createTransact } = await load('app/stores.js')
  const dir = mkdtempSync(join('/dev/shm', 'tessera-ab-transaction-'))
  const database = openDatabase(`sqlite:${join(dir, 'tessera.db')}`)
  await migrateToLatest(database)
  const stores = createStores(database.db, 'sqlite')
  const transact = createTransact(database.db, 'sqlite')
  const now = Date.now()
  // Ordered by time as the server's token ids are (shared/ordered-id.ts): inserts land on the right.
  const id = () => Date.now().toString(36).padStart(9, '0') + randomBytes(10).toString('base64url').slice(0, 13)
  await stores.users.insert({ id: 'usr_ab', email: 'ab@example.com', status: 'active', tokenVersion: 1, createdAt: now, updatedAt: now })
  const session = {
    id: 'sess_ab',
    userId: 'usr_ab',
    secretHash: 'hash',
    createdAt: now,
    lastActiveAt: now,
    absoluteExpiresAt: now + 86_400_000,
    authTime: now,
    amr: ['pwd'],
    userAgent: null,
    ip: null,
    revokedAt: null,
    revokedReason: null,
  }
  await stores.sessions.insert(session)
  await database.db
    .insertInto('applications')
    .values({
      id: 'app_ab',
      name: 'ab',
      type: 'web',
      secret_hash: null,
      grants: '[]',
      redirect_uris: '[]',
      apis: '[]',
      scopes: '[]',
      access_token_ttl: null,
      refresh_token_ttl: null,
      first_party: 1,
      post_logout_redirect_uris: '[]',
      web_origins: null,
      backchannel_logout_uri: null,
      backchannel_logout_session_required: 0,
      created_at: now,
      updated_at: now,
    })
    .execute()
  const token = (parent) => ({
    id: id(),
    familyId: parent?.familyId ?? 'family',
    parentId: parent?.id ?? null,
    sessionId: 'sess_ab',
    userId: 'usr_ab',
    clientId: 'app_ab',
    api: 'https://api.example.com',
    scope: ['orders:read'],
    secretHash: 'secret-hash',
    authTime: now,
    createdAt: Date.now(),
    expiresAt: now + 86_400_000,
    familyExpiresAt: now + 86_400_000,
    usedAt: null,
    revokedAt: null,
    idTokenScope: null,
    amr: ['pwd'],
  })
  const chains = []
  for (let i = 0; i < CHAINS; i++) {
    const first = token(null)
    await stores.refreshTokens.insert(first)
    chains.push(first.id)
  }
  const rotate = (chain) =>
    transact(async (tx) => {
      const at = Date.now()
      const parent = await tx.refreshTokens.redeem(chains[chain], at)
      if (!parent) throw new Error('not redeemed')
      const found = await tx.sessions.findWithUser(parent.sessionId)
      if (!found) throw new Error('no session')
      const successor = token(parent)
      await tx.refreshTokens.insert(successor)
      await tx.accessTokens.insert({
        jti: id(),
        format: 'jwt',
        secretHash: null,
        familyId: parent.familyId,
        sessionId: parent.sessionId,
        userId: parent.userId,
        clientId: parent.clientId,
        api: parent.api,
        scope: parent.scope,
        tokenVersion: 1,
        authTime: parent.authTime,
        createdAt: at,
        expiresAt: at + 3_600_000,
        revokedAt: null,
        amr: ['pwd'],
      })
      chains[chain] = successor.id
    })
  const run = (total) => runChains(chains.length, total, rotate)
  await run(20_000)
  process.on('message', async ({ count }) => {
    const commitsBefore = database.groupCommit().commits
    const started = process.cpuUsage()
    await run(count)
    const used = process.cpuUsage(started)
    process.send({ micros: used.user + used.system, commits: database.groupCommit().commits - commitsBefore })
  })
  process.on('disconnect', async () => {
    await database.db.destroy()
    rmSync(dir, { recursive: true, force: true })
    process.exit(0)
  })
  process.send({ ready: true })
}
