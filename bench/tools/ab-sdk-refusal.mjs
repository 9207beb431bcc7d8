// Before/after in the same run for what a refused `verifier.verify(token)` costs the SDK, as the
// revocation suite's check meets it (lib/revocation-subscribers.mjs: verify(token).then(ok, refused)
// on a token revoked by the feed): two builds of @tessera/sdk (two dist folders, under the checkout
// so that their dependencies resolve, e.g. .ab/sdk/before), each with a hybrid verifier subscribed to
// one Tessera whose session behind the token was signed out, 100,000 refusals per case and round in
// batches of 250 per event-loop turn, interleaved (the order alternates); refusals per CPU-second.
// Usage: node bench/tools/ab-sdk-refusal.mjs <sdk-dist-before> <sdk-dist-after> [rounds]
import { fork } from 'node:child_process'
import { loadavg } from 'node:os'
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { basic, CLI, exchange, grantReader, signUpUser, startTessera } from '../lib/harness.mjs'
import { spread } from '../lib/stats.mjs'

const audience = 'https://hybrid.example.test'

// Tessera runs in a child process: its AsyncLocalStorage would otherwise put promise hooks on
// every await of the measured code, which a resource server does not have.
if (process.argv[2] === '--tessera') {
  const server = await startTessera({ background: true })
  const { tessera, issuer, address } = server
  const apps = tessera.services.applications
  await tessera.services.apis.create({ identifier: audience, name: 'hybrid', mode: 'hybrid', scopes: ['orders:read'] }, CLI)
  const web = await apps.create({ name: 'web', type: 'web', grants: ['token_exchange'], apis: [audience], scopes: ['orders:read'] }, CLI)
  const rs = await apps.create({ name: 'rs', type: 'resource-server', apis: [audience] }, CLI)
  const { token: sessionToken, userId } = await signUpUser(address)
  await grantReader(tessera, [audience], { users: [userId] })
  const token = (await exchange(address, basic(web.application.id, web.clientSecret), sessionToken, audience)).access_token
  const out = await fetch(`${address}/v1/sign-out`, { method: 'POST', headers: { authorization: `Bearer ${sessionToken}` } })
  if (out.status !== 204) throw new Error(`sign-out ${out.status}`)
  process.send({ issuer, client: { id: rs.application.id, secret: rs.clientSecret }, token })
  process.on('disconnect', async () => {
    await server.close()
    process.exit(0)
  })
} else {
  await measure(...process.argv.slice(2))
}

async function measure(before, after, rounds = '7') {
  const child = fork(fileURLToPath(import.meta.url), ['--tessera'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const { issuer, client, token } = await new Promise((done) => child.once('message', done))
  const verifiers = {}
  const isErr = {}
  for (const [name, dist] of Object.entries({ before, after })) {
    const sdk = await import(pathToFileURL(resolve(dist, 'index.js')).href)
    const verifier = sdk.createVerifier({ issuer, audience, mode: 'hybrid', client })
    await verifier.ready()
    verifiers[name] = verifier
    isErr[name] = sdk.isTesseraAuthError
    await new Promise((r) => setTimeout(r, 300))
    const e = await verifier.verify(token).then(
      () => null,
      (error) => error,
    )
    if (!sdk.isTesseraAuthError(e, 'token_revoked')) throw new Error(`${name}: not refused: ${e}`)
  }
  const calls = 100_000
  const rates = { before: [], after: [] }
  for (let round = 0; round < Number(rounds); round++) {
    for (const name of round % 2 ? ['after', 'before'] : ['before', 'after']) {
      const verifier = verifiers[name]
      const is = isErr[name]
      const cpu = process.cpuUsage()
      // As lib/revocation-subscribers.mjs checks: verify(token).then(ok, refused), a batch per turn.
      let left = calls
      await new Promise((done) => {
        const refused = (error) => {
          if (!is(error, 'token_revoked')) throw error
          left -= 1
          if (left === 0) done()
          else if (left % 250 === 0) setImmediate(batch)
        }
        const batch = () => {
          for (let i = 0; i < 250; i++)
            verifier.verify(token).then(() => {
              throw new Error('accepted')
            }, refused)
        }
        batch()
      })
      const { user, system } = process.cpuUsage(cpu)
      rates[name].push(calls / ((user + system) / 1e6))
    }
  }
  const ratio = spread(rates.after.map((rate, i) => rate / rates.before[i]))
  console.log(
    `refusals per CPU-second: before ${Math.round(spread(rates.before).median)}, after ${Math.round(spread(rates.after).median)}; µs each ${(1e6 / spread(rates.before).median).toFixed(2)} -> ${(1e6 / spread(rates.after).median).toFixed(2)}`,
  )
  console.log(
    `after / before: median ${ratio.median.toFixed(2)} (min ${ratio.min.toFixed(2)}, max ${ratio.max.toFixed(2)}) over ${rounds} rounds; load ${loadavg()[0].toFixed(1)}`,
  )
  for (const verifier of Object.values(verifiers)) await verifier.close()
  child.disconnect()
}
