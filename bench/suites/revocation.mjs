// §3: the time from a revocation's commit (the sign-out's response) to its refusal at each of N
// hybrid verifiers subscribed to the revocation feed, N = 1, 10, 100, on SQLite. The verifiers
// live in a child process (lib/revocation-subscribers.mjs), so they never share the server's
// event loop; both processes stamp times on the same wall clock (performance.timeOrigin + now()).
import { fork } from 'node:child_process'
import { basic, CLI, exchange, grantReader, json, PASSWORD, signUpUser, startTessera } from '../lib/harness.mjs'
import { percentile } from '../lib/stats.mjs'

const AUDIENCE = 'https://orders.example.test'
const now = () => performance.timeOrigin + performance.now()

function startSubscribers(config) {
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

export async function run({ settings, log }) {
  const server = await startTessera({ background: true })
  const { tessera, issuer } = server
  const api = await tessera.services.apis.create({ identifier: AUDIENCE, name: 'Orders', mode: 'hybrid', scopes: ['orders:read'] }, CLI)
  const apps = tessera.services.applications
  const web = await apps.create({ name: 'web', type: 'web', grants: ['token_exchange'], apis: [AUDIENCE], scopes: ['orders:read'] }, CLI)
  const rs = await apps.create({ name: 'orders', type: 'resource-server', apis: [AUDIENCE] }, CLI)
  const webAuth = basic(web.application.id, web.clientSecret)
  const { userId } = await signUpUser(issuer)
  await grantReader(tessera, [AUDIENCE], { users: [userId] })

  async function sessionWithToken() {
    const signIn = await fetch(`${issuer}/v1/sign-in`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'bench@example.com', password: PASSWORD, transport: 'bearer' }),
    })
    const { session } = await signIn.json()
    return { sessionToken: session.token, accessToken: (await exchange(issuer, webAuth, session.token, AUDIENCE)).access_token }
  }

  const data = []
  for (const count of settings.subscribers) {
    log(`revocation propagation to ${count} subscriber(s)`)
    const sessions = []
    for (let i = 0; i < settings.revocations; i++) sessions.push(await sessionWithToken())
    const subscribers = startSubscribers({ issuer, audience: AUDIENCE, client: { id: rs.application.id, secret: rs.clientSecret }, count })
    await subscribers.next('ready')
    const samples = []
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
      samples.push(...times.map((t) => t - committed))
      fromRequest.push(...times.map((t) => t - sent))
    }
    subscribers.child.send({ type: 'close' })
    await subscribers.next('never').catch(() => {})
    samples.sort((a, b) => a - b)
    fromRequest.sort((a, b) => a - b)
    data.push({
      count,
      samples: samples.length,
      p50: percentile(samples, 0.5),
      p99: percentile(samples, 0.99),
      max: samples.at(-1),
      requestP50: percentile(fromRequest, 0.5),
      requestP99: percentile(fromRequest, 0.99),
      requestMax: fromRequest.at(-1),
    })
  }
  await server.close()
  const ms = (v) => v.toFixed(1)
  const table = [
    '| Subscribers | Samples | p50 ms | p99 ms | max ms | from the request sent: p50 / p99 / max ms |',
    '| --- | --- | --- | --- | --- | --- |',
    ...data.map(
      (r) =>
        `| ${r.count} | ${r.samples} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${ms(r.requestP50)} / ${ms(r.requestP99)} / ${ms(r.requestMax)} |`,
    ),
    `| plain \`jwt\` mode, for comparison | – | up to the TTL | up to the TTL | ${api.accessTokenTtl * 1000} (this API's TTL, ${api.accessTokenTtl} s; a jwt API's default is 300 s) | – |`,
  ].join('\n')
  return [
    {
      id: 'revocation',
      title: '3. Revocation propagation (hybrid mode, SQLite)',
      intro:
        `From the sign-out's response (the revocation is committed by then) to the first refusal (\`token_revoked\`) at each subscribed verifier; ` +
        `${settings.revocations} revocations per row, every verifier with its own feed connection, all in one child process. The server writes the ` +
        'feed events and the response from one event loop, so some refusals come before the response arrives (negative times); measured from the moment ' +
        'the request was sent instead (last column), the figures are an upper bound. Every sample is one (revocation, subscriber) pair.',
      markdown: table,
      data,
    },
  ]
}
