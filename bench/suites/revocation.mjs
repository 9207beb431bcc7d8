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
import { percentile, spread } from '../lib/stats.mjs'

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

/** `count` verifiers in child processes of at most `perProcess` each, as even as can be. */
function startSubscriberProcesses(config, count, perProcess) {
  const processes = Math.ceil(count / perProcess)
  return Array.from({ length: processes }, (_, i) =>
    startSubscribers({ ...config, count: Math.floor(count / processes) + (i < count % processes ? 1 : 0) }),
  )
}

/**
 * `revocations` sign-outs, each of a session whose access token `count` verifiers subscribed at
 * `issuer` hold; the sign-out goes to `signOutAt` (another instance, or the same). `hub` is the
 * revocation hub of the instance the verifiers subscribe to, in this process: two listeners of its
 * own around the streams' time the server's fan-out (the hub calls listeners in the order they
 * subscribed).
 */
export async function propagation({ issuer, signOutAt, deployment, count, revocations, perProcess, hub, onReady = () => {} }) {
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
  let fanOutStarted = 0
  let fanOutCpuStarted = process.cpuUsage()
  const fanOut = []
  const fanOutCpu = []
  const unsubscribeFirst = hub.subscribe(() => {
    fanOutStarted = performance.now()
    fanOutCpuStarted = process.cpuUsage()
  })
  let unsubscribeLast = () => {}
  const groups = startSubscriberProcesses({ issuer, audience: AUDIENCE, client: deployment.rsClient }, count, perProcess)
  try {
    return await measure(groups)
  } finally {
    unsubscribeFirst()
    unsubscribeLast()
    // A failed run leaves no verifier behind (they also exit when this process goes away).
    for (const group of groups) group.child.kill()
  }

  async function measure(groups) {
    await Promise.all(groups.map((group) => group.next('ready')))
    // Node sends each response's queued bytes to its socket on the next tick (it corks the socket for
    // the rest of the tick): a tick queued after all of them ends when the last socket write is made.
    unsubscribeLast = hub.subscribe(() =>
      process.nextTick(() => {
        fanOut.push(performance.now() - fanOutStarted)
        // The server process's CPU time over the same window (every thread; the others are idle then).
        const { user, system } = process.cpuUsage(fanOutCpuStarted)
        fanOutCpu.push((user + system) / 1000)
      }),
    )
    onReady()
    const rssOpen = rssMb()
    const samples = []
    const fromRequest = []
    const verifierCpu = []
    for (const { sessionToken, accessToken } of sessions) {
      for (const group of groups) group.child.send({ type: 'watch', token: accessToken })
      await Promise.all(groups.map((group) => group.next('watching')))
      const sent = now()
      const signOut = await fetch(`${signOutAt}/v1/sign-out`, { method: 'POST', headers: { authorization: `Bearer ${sessionToken}` } })
      const committed = now()
      if (signOut.status !== 204) throw new Error(`sign-out failed: ${signOut.status}`)
      const observed = await Promise.all(groups.map((group) => group.next('observed')))
      const times = observed.flatMap((message) => message.times)
      verifierCpu.push(observed.reduce((total, message) => total + message.cpuMs, 0))
      if (times.includes(null)) throw new Error(`${times.filter((t) => t === null).length} of ${count} verifiers never refused the token`)
      samples.push(...times.map((t) => t - committed))
      fromRequest.push(...times.map((t) => t - sent))
    }
    for (const group of groups) group.child.send({ type: 'close' })
    await Promise.all(groups.map((group) => group.next('never').catch(() => {})))
    samples.sort((a, b) => a - b)
    fromRequest.sort((a, b) => a - b)
    fanOut.sort((a, b) => a - b)
    return {
      count,
      processes: groups.length,
      samples: samples.length,
      p50: percentile(samples, 0.5),
      p99: percentile(samples, 0.99),
      max: samples.at(-1),
      requestP50: percentile(fromRequest, 0.5),
      requestP99: percentile(fromRequest, 0.99),
      requestMax: fromRequest.at(-1),
      fanOutP50: percentile(fanOut, 0.5),
      fanOutMax: fanOut.at(-1),
      // The server's CPU time in the fan-out, median: what the streams cost it, whoever else runs meanwhile.
      fanOutCpuMs: spread(fanOutCpu).median,
      // The verifier processes' CPU time per revocation (all of them, from the sign-out to their last refusal), median.
      verifierCpuMs: spread(verifierCpu).median,
      rssBefore,
      rssOpen,
    }
  }
}

export async function run({ settings, log }) {
  const server = await startTessera({ background: true })
  const deployment = await deploy(server)
  const data = []
  for (const count of settings.subscribers) {
    log(`revocation propagation to ${count} subscriber(s)`)
    data.push(
      await propagation({
        issuer: server.issuer,
        signOutAt: server.address,
        deployment,
        count,
        revocations: settings.revocations,
        perProcess: settings.subscribersPerProcess,
        hub: server.tessera.services.revocationHub,
      }),
    )
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
      perProcess: settings.subscribersPerProcess,
      hub: first.tessera.services.revocationHub,
    })
  } finally {
    for (const instance of [...others, first]) await instance.close()
    await dropSchema(schema)
  }

  const ms = (v) => v.toFixed(1)
  const mb = (v) => v.toFixed(0)
  const line = (label, r) =>
    `| ${label} | ${r.processes} | ${r.samples} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${ms(r.requestP50)} / ${ms(r.requestP99)} / ${ms(r.requestMax)} | ${ms(r.fanOutP50)} / ${ms(r.fanOutMax)} / ${ms(r.fanOutCpuMs)} | ${mb(r.rssBefore)} → ${mb(r.rssOpen)} |`
  const table = [
    '| Subscribers | Verifier processes | Samples | p50 ms | p99 ms | max ms | from the request sent: p50 / p99 / max ms | server fan-out: p50 / max ms / CPU ms (median) | server process RSS, MB: before → streams open |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...data.map((r) => line(`${r.count}, one instance, SQLite`, r)),
    line(`${crossInstance.count}, three instances, PostgreSQL (subscribed to one, signed out at another)`, crossInstance),
    `| plain \`jwt\` mode, for comparison | – | – | up to the TTL | up to the TTL | ${deployment.api.accessTokenTtl * 1000} (this API's TTL, ${deployment.api.accessTokenTtl} s; a jwt API's default is 300 s) | – | – | – |`,
  ].join('\n')
  return [
    {
      id: 'revocation',
      title: '3. Revocation propagation (hybrid mode)',
      intro:
        `From the sign-out's response (the revocation is committed by then) to the first refusal (\`token_revoked\`) at each subscribed verifier; ` +
        `${settings.revocations} revocations per row, every verifier with its own feed connection, in child processes of at most ` +
        `${settings.subscribersPerProcess} verifiers (1,000 subscribers: four processes of 250; earlier runs put all of them in one process). ` +
        'A deployment runs one verifier, so one feed connection, per resource-server process; 1,000 verifiers in one Node process handle each event ' +
        "one after another on one event loop, so the last refusal waited for the 999 other verifiers' work, a queue no deployment has. The processes " +
        "still share this machine's cores with the server; every process stamps times on the same machine's wall clock " +
        '(performance.timeOrigin + now()), as before. Server fan-out: on the instance the verifiers subscribe to, from the first stream being handed ' +
        'an entry to its last socket write (encoding, queueing, and the writes Node makes at the end of that tick); its CPU is the server ' +
        "process's CPU time over that window, what the streams cost it however much else runs (the wall time stretches when the verifiers' " +
        "processes, woken by the first writes, take the cores). Each verifier's check runs when " +
        "bytes with a revocation event reach the SDK's reader of its feed, then on each turn of its event loop until it refuses (the bytes are " +
        'found by wrapping that reader; earlier runs piped every feed through an extra TransformStream, which cost each verifier as much again as ' +
        'its own read of the stream, and until Dec 7 the wrapper copied and concatenated bytes at every chunk to see a marker split between two; ' +
        'it now keeps the last 16 bytes in a fixed array: the same marker, the same check, the same first refusal stamped). The server writes the ' +
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
