// §3: the time from a revocation's commit (the sign-out's response) to its refusal at each of N
// hybrid verifiers subscribed to the revocation feed: N = 1, 10, 100 and 1,000 on one SQLite
// instance, with the server's RSS while the streams are open; then three instances sharing one
// PostgreSQL database, the verifiers subscribed to one and the sign-out sent to another, so the
// revocation crosses instances through PostgreSQL's NOTIFY. The verifiers live in a child process
// (lib/revocation-subscribers.mjs), so they never share a server's event loop; both processes
// stamp times on the same wall clock (performance.timeOrigin + now()).
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { basic, CLI, dropSchema, exchange, grantReader, json, PASSWORD, signUpUser, startTessera } from '../lib/harness.mjs'
import { percentile } from '../lib/stats.mjs'

const AUDIENCE = 'https://orders.example.test'
const now = () => performance.timeOrigin + performance.now()
const rssMb = () => process.memoryUsage().rss / 1048576

export function startSubscribers(config) {
  const child = fork(new URL('../lib/revocation-subscribers.mjs', import.meta.url).pathname, [JSON.stringify(config)])
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

/** The API, the apps and the user of one deployment, created through its first instance. */
export async function deploy(server) {
  const { tessera, issuer } = server
  const api = await tessera.services.apis.create({ identifier: AUDIENCE, name: 'Orders', mode: 'hybrid', scopes: ['orders:read'] }, CLI)
  const apps = tessera.services.applications
  const web = await apps.create({ name: 'web', type: 'web', grants: ['token_exchange'], apis: [AUDIENCE], scopes: ['orders:read'] }, CLI)
  const rs = await apps.create({ name: 'orders', type: 'resource-server', apis: [AUDIENCE] }, CLI)
  const { userId } = await signUpUser(issuer)
  await grantReader(tessera, [AUDIENCE], { users: [userId] })
  return { api, webAuth: basic(web.application.id, web.clientSecret), rsClient: { id: rs.application.id, secret: rs.clientSecret } }
}

/**
 * `revocations` sign-outs, each of a session whose access token `count` verifiers subscribed at
 * `issuer` hold; the sign-out goes to `signOutAt` (another instance, or the same).
 */
export async function propagation({ issuer, signOutAt, deployment, count, revocations, onReady = () => {} }) {
  async function sessionWithToken() {
    const signIn = await fetch(`${signOutAt}/v1/sign-in`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'bench@example.com', password: PASSWORD, transport: 'bearer' }),
    })
    const { session } = await signIn.json()
    return { sessionToken: session.token, accessToken: (await exchange(issuer, deployment.webAuth, session.token, AUDIENCE)).access_token }
  }
  const sessions = []
  for (let i = 0; i < revocations; i++) sessions.push(await sessionWithToken())
  const rssBefore = rssMb()
  const subscribers = startSubscribers({ issuer, audience: AUDIENCE, client: deployment.rsClient, count })
  await subscribers.next('ready')
  onReady()
  const rssOpen = rssMb()
  const samples = []
  const fromRequest = []
  for (const { sessionToken, accessToken } of sessions) {
    subscribers.child.send({ type: 'watch', token: accessToken })
    await subscribers.next('watching')
    const sent = now()
    const signOut = await fetch(`${signOutAt}/v1/sign-out`, { method: 'POST', headers: { authorization: `Bearer ${sessionToken}` } })
    const committed = now()
    if (signOut.status !== 204) throw new Error(`sign-out failed: ${signOut.status}`)
    const { times } = await subscribers.next('observed')
    if (times.includes(null)) throw new Error(`${times.filter((t) => t === null).length} of ${count} verifiers never refused the token`)
    samples.push(...times.map((t) => t - committed))
    fromRequest.push(...times.map((t) => t - sent))
  }
  subscribers.child.send({ type: 'close' })
  await subscribers.next('never').catch(() => {})
  samples.sort((a, b) => a - b)
  fromRequest.sort((a, b) => a - b)
  return {
    count,
    samples: samples.length,
    p50: percentile(samples, 0.5),
    p99: percentile(samples, 0.99),
    max: samples.at(-1),
    requestP50: percentile(fromRequest, 0.5),
    requestP99: percentile(fromRequest, 0.99),
    requestMax: fromRequest.at(-1),
    rssBefore,
    rssOpen,
  }
}

export async function run({ settings, log }) {
  const server = await startTessera({ background: true })
  const deployment = await deploy(server)
  const data = []
  for (const count of settings.subscribers) {
    log(`revocation propagation to ${count} subscriber(s)`)
    data.push(await propagation({ issuer: server.issuer, signOutAt: server.address, deployment, count, revocations: settings.revocations }))
  }
  await server.close()

  // Three instances of one deployment on PostgreSQL: one issuer, three addresses.
  log(`revocation propagation across three instances (PostgreSQL), ${settings.crossInstanceSubscribers} subscribers`)
  const schema = `bench_three_${process.pid}`
  const masterKey = randomBytes(32).toString('base64url')
  const first = await startTessera({ database: 'postgres', background: true, schema, masterKey })
  const others = []
  for (let i = 0; i < 2; i++) {
    others.push(await startTessera({ database: 'postgres', background: true, schema, issuer: first.issuer, masterKey }))
  }
  let crossInstance
  try {
    const shared = await deploy(first)
    crossInstance = await propagation({
      issuer: first.issuer,
      signOutAt: others[0].address,
      deployment: shared,
      count: settings.crossInstanceSubscribers,
      revocations: settings.revocations,
    })
  } finally {
    for (const instance of [...others, first]) await instance.close()
    await dropSchema(schema)
  }

  const ms = (v) => v.toFixed(1)
  const mb = (v) => v.toFixed(0)
  const line = (label, r) =>
    `| ${label} | ${r.samples} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${ms(r.requestP50)} / ${ms(r.requestP99)} / ${ms(r.requestMax)} | ${mb(r.rssBefore)} → ${mb(r.rssOpen)} |`
  const table = [
    '| Subscribers | Samples | p50 ms | p99 ms | max ms | from the request sent: p50 / p99 / max ms | server process RSS, MB: before → streams open |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...data.map((r) => line(`${r.count}, one instance, SQLite`, r)),
    line(`${crossInstance.count}, three instances, PostgreSQL (subscribed to one, signed out at another)`, crossInstance),
    `| plain \`jwt\` mode, for comparison | – | up to the TTL | up to the TTL | ${deployment.api.accessTokenTtl * 1000} (this API's TTL, ${deployment.api.accessTokenTtl} s; a jwt API's default is 300 s) | – | – |`,
  ].join('\n')
  return [
    {
      id: 'revocation',
      title: '3. Revocation propagation (hybrid mode)',
      intro:
        `From the sign-out's response (the revocation is committed by then) to the first refusal (\`token_revoked\`) at each subscribed verifier; ` +
        `${settings.revocations} revocations per row, every verifier with its own feed connection, all in one child process. The server writes the ` +
        'feed events and the response from one event loop, so some refusals come before the response arrives (negative times); measured from the moment ' +
        'the request was sent instead, the figures are an upper bound. Every sample is one (revocation, subscriber) pair. The RSS is that of the bench ' +
        'process, which hosts the server, before the verifiers connect and once all are subscribed. Three instances: three servers in the bench process ' +
        'sharing one PostgreSQL schema, master key and issuer; the verifiers subscribe at the first, the sign-out goes to the second, and the revocation ' +
        'reaches the first through PostgreSQL NOTIFY (the three share one event loop here, which can only slow them).',
      markdown: table,
      data,
      crossInstance,
    },
  ]
}
