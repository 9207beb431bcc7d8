// Revocation propagation benchmark: the time from a revocation's commit (the sign-out's response)
// to its refusal at each of N hybrid verifiers subscribed to the revocation feed, for N = 1, 10
// and 100, on SQLite. The verifiers live in a child process, so they never share the server's
// event loop; both processes stamp times on the same wall clock (performance.timeOrigin + now()).
import { fork } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTessera, loadConfig } from 'tessera'
import { basic, form, header, json } from './lib/harness.mjs'

const SUBSCRIBERS = (process.env.BENCH_SUBSCRIBERS ?? '1,10,100').split(',').map(Number)
const REVOCATIONS = Number(process.env.BENCH_REVOCATIONS ?? 20)
const AUDIENCE = 'https://orders.example.test'
const PASSWORD = 'correct horse battery staple'
const now = () => performance.timeOrigin + performance.now()

async function freePort() {
  const probe = createServer()
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address()
  await new Promise((resolve) => probe.close(resolve))
  return port
}

// The SDK reads the discovery document at the issuer, so Tessera listens where its issuer says.
const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'))
const port = await freePort()
const issuer = `http://127.0.0.1:${port}`
const tessera = await createTessera(
  loadConfig({
    env: {},
    overrides: {
      databaseUrl: `sqlite:${join(dir, 'tessera.db')}`,
      dataDir: dir,
      logLevel: 'silent',
      issuer,
      rateLimit: { credentialRequestsPerIp: 1_000_000 },
    },
  }),
)
const app = await tessera.app()
await tessera.startBackgroundTasks()
await app.listen({ port, host: '127.0.0.1' })

const cli = { kind: 'cli' }
const api = await tessera.services.apis.create({ identifier: AUDIENCE, name: 'Orders', mode: 'hybrid', scopes: ['orders:read'] }, cli)
const web = await tessera.services.applications.create(
  { name: 'web', type: 'web', grants: ['token_exchange'], apis: [AUDIENCE], scopes: ['orders:read'] },
  cli,
)
const rs = await tessera.services.applications.create({ name: 'orders', type: 'resource-server', apis: [AUDIENCE] }, cli)
const webAuth = basic(web.application.id, web.clientSecret)
const user = { email: 'bench@example.com', password: PASSWORD }
const signedUp = await (await fetch(`${issuer}/v1/sign-up`, { method: 'POST', headers: json, body: JSON.stringify(user) })).json()
// RBAC: the user's token carries orders:read only through a role.
await tessera.services.roles.create({ name: 'reader' }, cli)
await tessera.services.roles.addPermissions('reader', AUDIENCE, ['orders:read'], cli)
await tessera.services.roles.assignToUser('reader', signedUp.user.id, cli)

/** A fresh session and an access token bound to it. */
async function sessionWithToken() {
  const signIn = await fetch(`${issuer}/v1/sign-in`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ ...user, transport: 'bearer' }),
  })
  const { session } = await signIn.json()
  const exchange = await fetch(`${issuer}/oauth/token`, {
    method: 'POST',
    headers: { ...form, authorization: webAuth },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: session.token,
      subject_token_type: 'urn:tessera:token-type:session',
      resource: AUDIENCE,
    }).toString(),
  })
  if (exchange.status !== 200) throw new Error(`token exchange failed: ${exchange.status}`)
  return { sessionToken: session.token, accessToken: (await exchange.json()).access_token }
}

function startSubscribers(count) {
  const child = fork(new URL('./lib/revocation-subscribers.mjs', import.meta.url).pathname, [
    JSON.stringify({ issuer, audience: AUDIENCE, client: { id: rs.application.id, secret: rs.clientSecret }, count }),
  ])
  const exited = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`subscribers exited (${code})`))))
  exited.catch(() => {})
  const next = (type) =>
    Promise.race([
      exited,
      new Promise((resolve, reject) => {
        const on = (message) => {
          if (message.type !== type && message.type !== 'failed') return
          child.off('message', on)
          if (message.type === 'failed') reject(new Error(message.message))
          else resolve(message)
        }
        child.on('message', on)
      }),
    ])
  return { child, next }
}

const nearestRank = (sorted, p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]
const rows = []
for (const count of SUBSCRIBERS) {
  const sessions = []
  for (let i = 0; i < REVOCATIONS; i++) sessions.push(await sessionWithToken())
  const subscribers = startSubscribers(count)
  await subscribers.next('ready')
  const samples = []
  const slowest = []
  const fromRequest = []
  for (const { sessionToken, accessToken } of sessions) {
    subscribers.child.send({ type: 'watch', token: accessToken })
    await subscribers.next('watching')
    const sent = now()
    const signOut = await fetch(`${issuer}/v1/sign-out`, { method: 'POST', headers: { authorization: `Bearer ${sessionToken}` } })
    const committed = now()
    if (signOut.status !== 204) throw new Error(`sign-out failed: ${signOut.status}`)
    const { times } = await subscribers.next('observed')
    if (times.includes(null)) throw new Error(`${times.filter((t) => t === null).length} of ${count} verifiers never refused the token`)
    const latencies = times.map((t) => t - committed)
    samples.push(...latencies)
    slowest.push(Math.max(...latencies))
    fromRequest.push(...times.map((t) => t - sent))
  }
  subscribers.child.send({ type: 'close' })
  await subscribers.next('never').catch(() => {})
  for (const list of [samples, slowest, fromRequest]) list.sort((a, b) => a - b)
  rows.push({ count, samples, slowest, fromRequest })
}

header('Tessera revocation propagation benchmark (hybrid mode, SQLite)')
console.log(
  `\nFrom the sign-out's response (the revocation is committed by then) to the first refusal (token_revoked) at` +
    `\neach subscribed verifier; ${REVOCATIONS} revocations per row, the verifiers in a child process. The server` +
    `\nwrites the feed events and the response from one event loop, so some refusals come before the response` +
    `\n(negative times); measured from the moment the request was sent instead, the figures are an upper bound.`,
)
const ms = (value) => value.toFixed(1)
const at = (sorted, p) => ms(nearestRank(sorted, p))
console.log('\n| Subscribers | Samples | p50 ms | p99 ms | max ms | slowest of N: p50 / p99 ms | from the request: p50 / p99 ms |')
console.log('| --- | --- | --- | --- | --- | --- | --- |')
for (const { count, samples, slowest, fromRequest } of rows) {
  console.log(
    `| ${count} | ${samples.length} | ${at(samples, 0.5)} | ${at(samples, 0.99)} | ${ms(samples.at(-1))} | ${at(slowest, 0.5)} / ${at(slowest, 0.99)} | ${at(fromRequest, 0.5)} / ${at(fromRequest, 0.99)} |`,
  )
}
console.log(
  `\nPlain jwt mode, for comparison: a revoked token is accepted until it expires, up to the API's access-token` +
    `\nTTL: ${api.accessTokenTtl} s (${api.accessTokenTtl * 1000} ms) for this API; a jwt-mode API's default TTL is 300 s.`,
)

await tessera.close()
rmSync(dir, { recursive: true, force: true })
