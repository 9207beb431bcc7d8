// Peer: express 5 + express-session with a SQLite store (better-sqlite3-session-store on
// better-sqlite3@12) or a Redis store (connect-redis + redis). argv: { store }. Creates one
// session and tells its parent { port, cookie }; GET /check answers 200 for a live session.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import SqliteStoreFactory from 'better-sqlite3-session-store'
import { RedisStore } from 'connect-redis'
import express from 'express'
import session from 'express-session'
import { createClient } from 'redis'

const { store: kind, redisUrl } = JSON.parse(process.argv[2])
let store
let redis
if (kind === 'redis') {
  redis = createClient({ url: redisUrl })
  await redis.connect()
  store = new RedisStore({ client: redis, prefix: `tessera-bench:${process.pid}:` })
} else {
  const SqliteStore = SqliteStoreFactory(session)
  const db = new Database(join(mkdtempSync(join(tmpdir(), 'express-session-')), 'sessions.db'))
  db.pragma('journal_mode = WAL')
  store = new SqliteStore({ client: db, expired: { clear: true, intervalMs: 900_000 } })
}
const app = express()
app.use(session({ store, secret: 'a-bench-secret-that-is-long-enough', resave: false, saveUninitialized: false, name: 'sid' }))
app.post('/login', (req, res) => {
  req.session.userId = 'bench'
  res.json({ ok: true })
})
app.get('/check', (req, res) => {
  if (!req.session.userId) return res.status(401).json({ ok: false })
  res.json({ ok: true, user: req.session.userId })
})
const server = app.listen(0, '127.0.0.1')
await new Promise((resolve) => server.once('listening', resolve))
const address = `http://127.0.0.1:${server.address().port}`
const login = await fetch(`${address}/login`, { method: 'POST' })
const cookie = login.headers.getSetCookie()[0].split(';')[0]
process.send({ port: server.address().port, cookie })
process.on('disconnect', async () => {
  if (redis) {
    for await (const keys of redis.scanIterator({ MATCH: `tessera-bench:${process.pid}:*` })) if (keys.length) await redis.del(keys)
    await redis.quit()
  }
  server.close(() => process.exit(0))
})
