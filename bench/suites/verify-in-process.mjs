// §1 in process: raw node:crypto verification of the signature (the floor), jose's jwtVerify, and
// the SDK's verify with a cold cache (every token new) and a warm one, per algorithm; and a
// Tessera session lookup in process. Each row is a ratio to raw node:crypto of its algorithm.
import { constants, createPublicKey, verify as cryptoVerify } from 'node:crypto'
import { createVerifier } from '@tessera/sdk'
import { importJWK, jwtVerify } from 'jose'
import { CLI, grantReader, signUp, startTessera } from '../lib/harness.mjs'
import { percentile, row } from '../lib/stats.mjs'
import { ALGORITHMS } from './verify-http.mjs'

const AUDIENCE = 'https://api.example.com'
/** Tokens per turn when cases take turns over the same tokens: two batches of IN_FLIGHT. */
const IN_FLIGHT = 64
const SLICE = 2 * IN_FLIGHT
const RAW = {
  ES256: (key) => ({ algorithm: 'sha256', key: { key, dsaEncoding: 'ieee-p1363' } }),
  EdDSA: (key) => ({ algorithm: null, key }),
  RS256: (key) => ({ algorithm: 'sha256', key }),
  PS256: (key) => ({ algorithm: 'sha256', key: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } }),
}

/**
 * Times a case over items, in as many calls as needed (so that cases can take turns on slices of
 * the same tokens), and sums them: { rate, cpuRate, p50, p99 (µs) }, p50/p99 only one at a time.
 * `rate` is per second of wall-clock time; `cpuRate` per second of this process's CPU time (every
 * thread), which is what "per core" means on a machine shared with other work.
 */
function meter() {
  const latencies = []
  let count = 0
  let seconds = 0
  let cpuTotal = 0
  async function measure(items, body) {
    const cpu = process.cpuUsage()
    const started = performance.now()
    await body()
    seconds += (performance.now() - started) / 1000
    cpuTotal += cpuSeconds(cpu)
    count += items.length
  }
  return {
    oneAtATime: (items, op) =>
      measure(items, async () => {
        for (let i = 0; i < items.length; i++) {
          const t = performance.now()
          await op(items[i])
          latencies.push(performance.now() - t)
        }
      }),
    inFlight: (items, op, inFlight) =>
      measure(items, async () => {
        for (let i = 0; i < items.length; i += inFlight) await Promise.all(items.slice(i, i + inFlight).map(op))
      }),
    result() {
      const result = { rate: count / seconds, cpuRate: count / cpuTotal }
      if (latencies.length === 0) return result
      const sorted = Float64Array.from(latencies).sort()
      return { ...result, p50: percentile(sorted, 0.5) * 1000, p99: percentile(sorted, 0.99) * 1000 }
    },
  }
}

async function timed(items, op) {
  const m = meter()
  await m.oneAtATime(items, op)
  return m.result()
}

/**
 * Orders of n cases in which each case follows every other equally often (a Williams design: the
 * rows of a balanced Latin square, and their mirror images when n is odd). A mere rotation keeps
 * the cycle: the case after jose would always be the same one.
 */
function balancedOrders(n) {
  const first = []
  for (let low = 0, high = n - 1; first.length < n; ) {
    first.push(low++)
    if (first.length < n) first.push(high--)
  }
  const rows = Array.from({ length: n }, (_, k) => first.map((x) => (x + k) % n))
  return n % 2 === 0 ? rows : [...rows, ...rows.map((row) => [...row].reverse())]
}

/**
 * Runs each case (name → (meter, slice) => promise) over `items`, the cases taking turns slice by
 * slice, so that whatever else the machine does at that moment weighs on every case alike, in
 * orders where each case follows every other equally often (jose waits on the thread pool, and on
 * a busy machine the case after a wait may fare better). Returns name → result.
 */
async function takingTurns(items, cases, slice) {
  const names = Object.keys(cases)
  const orders = balancedOrders(names.length)
  const meters = Object.fromEntries(names.map((name) => [name, meter()]))
  for (let i = 0, turn = 0; i < items.length; i += slice, turn++) {
    const part = items.slice(i, i + slice)
    for (const k of orders[turn % orders.length]) await cases[names[k]](meters[names[k]], part)
  }
  return Object.fromEntries(names.map((name) => [name, meters[name].result()]))
}

function cpuSeconds(since) {
  const { user, system } = process.cpuUsage(since)
  return (user + system) / 1e6
}

/** Throughput without per-operation timing (for operations that cost about as much as the timer). */
async function untimed(items, op) {
  const cpu = process.cpuUsage()
  const started = performance.now()
  for (let i = 0; i < items.length; i++) await op(items[i])
  return { rate: items.length / ((performance.now() - started) / 1000), cpuRate: items.length / cpuSeconds(cpu) }
}

export async function run({ settings, log }) {
  const rows = []
  // The first warm-up pass of the process: the SDK's JavaScript not optimised yet (ES256 only, the first algorithm).
  let firstUse = null
  for (const alg of ALGORITHMS) {
    log(`in-process verify ${alg}`)
    const server = await startTessera({ keys: { algorithm: alg } })
    const { tessera, issuer } = server
    await tessera.services.apis.create({ identifier: AUDIENCE, name: 'Orders', mode: 'jwt', scopes: ['orders:read'] }, CLI)
    const m2m = await tessera.services.applications.create({ name: 'job', type: 'm2m', apis: [AUDIENCE], scopes: ['orders:read'] }, CLI)
    await grantReader(tessera, [AUDIENCE], { applications: [m2m.application.id] })
    const tokens = []
    for (let i = 0; i < settings.tokens; i++) {
      tokens.push(
        (await tessera.services.tokens.clientCredentials(m2m.application, { resource: [AUDIENCE], scope: undefined })).access_token,
      )
    }
    const jwk = (await tessera.services.keys.jwks()).keys[0]
    const publicKey = createPublicKey({ key: jwk, format: 'jwk' })
    const joseKey = await importJWK(jwk, alg)
    const raw = RAW[alg](publicKey)
    const rawVerify = (token) => {
      const dot = token.lastIndexOf('.')
      if (!cryptoVerify(raw.algorithm, Buffer.from(token.slice(0, dot)), raw.key, Buffer.from(token.slice(dot + 1), 'base64url')))
        throw new Error('bad signature')
    }
    const joseVerify = (token) => jwtVerify(token, joseKey, { issuer, audience: AUDIENCE, algorithms: [alg] })
    // A fresh verifier: an empty verified-token cache (every token new to it), the keys fetched before timing.
    const freshVerifier = async () => {
      const verifier = createVerifier({ issuer, audience: AUDIENCE, mode: 'jwt', cacheSize: settings.tokens * 2 })
      await verifier.ready()
      return verifier
    }
    // Warm-up, untimed but for the first pass of the process: V8 optimises a function only once it
    // has run enough, and the SDK's cold path (its own JavaScript) was compiled by TurboFan only
    // after 1,000-3,000 verifications (node --trace-opt), inside the timed rounds; the raw check is
    // one call into OpenSSL and hardly needs it. Every case gets the same passes.
    const cases = async () => {
      const verifier = await freshVerifier()
      const overlapping = await freshVerifier()
      return {
        verifier,
        overlapping,
        turns: {
          raw: (m, part) => m.oneAtATime(part, rawVerify),
          jose: (m, part) => m.oneAtATime(part, joseVerify),
          cold: (m, part) => m.oneAtATime(part, (token) => verifier.verify(token)),
          parallel: (m, part) => m.inFlight(part, (token) => overlapping.verify(token), IN_FLIGHT),
        },
      }
    }
    for (let pass = 0; pass < settings.warmUpPasses; pass++) {
      const { verifier, overlapping, turns } = await cases()
      const passes = await takingTurns(tokens, turns, SLICE)
      firstUse ??= { alg, ...passes }
      await verifier.close()
      await overlapping.close()
    }
    const results = { raw: [], jose: [], cold: [], parallel: [], warm: [] }
    for (let round = 0; round < settings.rounds; round++) {
      const { verifier, overlapping, turns } = await cases()
      const measured = await takingTurns(tokens, turns, SLICE)
      for (const name of ['raw', 'jose', 'cold', 'parallel']) results[name].push(measured[name])
      await overlapping.close()
      const again = Array.from({ length: 50 }, () => tokens).flat()
      const latency = await timed(tokens, (token) => verifier.verify(token))
      results.warm.push({ ...(await untimed(again, (token) => verifier.verify(token))), p50: latency.p50, p99: latency.p99 })
      await verifier.close()
    }
    rows.push(
      row(`${alg}: raw node:crypto verify (signature only, baseline)`, results.raw, results.raw),
      row(`${alg}: jose jwtVerify (WebCrypto, claims)`, results.jose, results.raw),
      row(`${alg}: SDK verify, cold, one at a time`, results.cold, results.raw),
      row(`${alg}: SDK verify, cold, 64 in flight`, results.parallel, results.raw),
      row(`${alg}: SDK verify, warm cache`, results.warm, results.raw),
    )
    if (firstUse?.alg === alg) {
      rows.push(
        row(`${alg}, first pass of the process: raw node:crypto verify`, [firstUse.raw], [firstUse.raw]),
        row(`${alg}, first pass of the process: SDK verify, cold (V8 has not optimised it yet)`, [firstUse.cold], [firstUse.raw]),
      )
    }
    if (alg === 'ES256') {
      // The other side of the seed's claim: a session lookup in Tessera's own process, on SQLite.
      const sessionToken = await signUp(server.address)
      const sessions = Array.from({ length: settings.tokens }, () => sessionToken)
      const lookups = []
      for (let round = 0; round < settings.rounds; round++) {
        lookups.push(await timed(sessions, (token) => tessera.services.sessions.authenticate(token)))
      }
      rows.push(row('Tessera session lookup in process (SQLite: SHA-256 + read), ratio to ES256 raw', lookups, results.raw))
    }
    await server.close()
  }
  return [
    {
      id: 'verify-in-process',
      title: '1a. Verification cost in process (one core)',
      intro:
        'One thread, no HTTP. p50/p99 are per verification, in µs. "Raw node:crypto" checks the signature only (no claims): the floor. ' +
        '"jose jwtVerify" adds parsing, claims and WebCrypto. The SDK adds its strict checks around its node:crypto signature check (compact-form and size checks, ' +
        'claim types, RFC 9068 `typ`) and the cache. Cold: every token new to the cache (a fresh verifier per round). 64 in flight: overlapping verifications, as a server would. ' +
        'The warm rate comes from a loop without timers (50 passes over the tokens), its p50/p99 from one timed pass. Rates are per second of wall-clock time; the last column divides by the CPU time of this process instead (all threads): on a shared machine, that is the cost per core. ' +
        `Method (changed in December 2026, issue 17): before the rounds, every case makes ${settings.warmUpPasses} passes over the ${settings.tokens} tokens, untimed but for the first pass of the process, shown as its own ES256 rows. ` +
        "V8 optimises the SDK's JavaScript only once it has run enough: `node --trace-opt` showed TurboFan compiling its cold path (parseCompactJws, verifyLocally, checkClaims, remember) " +
        'after 1,000 to 3,000 verifications, inside the timed rounds, while the raw check is one call into OpenSSL. Rounds of 1,000 tokens then measured that warm-up more than the verification. ' +
        'In each round raw, jose, the SDK cold and 64 in flight (each SDK case with a fresh verifier) take turns over slices of 128 tokens, in orders where each case follows every other equally often: ' +
        'they ran one after the other for a fraction of a second each, so a burst of other work on the machine weighed on one case and not on its baseline. ' +
        'Cold and 64 in flight each cover all the tokens, as raw does (cold had the first half, 64 in flight the second half on the same verifier).',
      unit: 'ops/s',
      latencyUnit: 'µs',
      ratioLabel: 'ratio to raw node:crypto (same algorithm)',
      rows,
      chart: false,
    },
  ]
}
