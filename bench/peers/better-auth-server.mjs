// Peer: better-auth with email + password on its SQLite adapter (better-sqlite3@12, a temporary
// file), served through node:http. argv: { cookieCache }. Signs one user in and tells its parent
// { port, cookie }: the cookies a browser would send to get-session.
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { betterAuth } from 'better-auth'
import { getMigrations } from 'better-auth/db/migration'
import { toNodeHandler } from 'better-auth/node'
import Database from 'better-sqlite3'

const { cookieCache } = JSON.parse(process.argv[2])
const server = createServer()
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const baseURL = `http://127.0.0.1:${server.address().port}`
const db = new Database(join(mkdtempSync(join(tmpdir(), 'better-auth-')), 'auth.db'))
db.pragma('journal_mode = WAL')
const auth = betterAuth({
  baseURL,
  secret: 'a-bench-secret-that-is-long-enough-0123456789',
  database: db,
  emailAndPassword: { enabled: true },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  session: cookieCache ? { cookieCache: { enabled: true, maxAge: 300 } } : {},
})
await (await getMigrations(auth.options)).runMigrations()
server.on('request', toNodeHandler(auth))
const response = await fetch(`${baseURL}/api/auth/sign-up/email`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', origin: baseURL },
  body: JSON.stringify({ email: 'bench@example.com', password: 'correct horse battery staple', name: 'Bench' }),
})
if (response.status !== 200) throw new Error(`better-auth sign-up: ${response.status} ${await response.text()}`)
const cookie = response.headers
  .getSetCookie()
  .map((c) => c.split(';')[0])
  .join('; ')
process.send({ port: server.address().port, cookie })
process.on('disconnect', () => server.close(() => process.exit(0)))
