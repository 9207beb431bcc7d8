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
const RAW = {
  ES256: (key) => ({ algorithm: 'sha256', key: { key, dsaEncoding: 'ieee-p1363' } }),
  EdDSA: (key) => ({ algorithm: null, key }),
  RS256: (key) => ({ algorithm: 'sha256', key }),
  PS256: (key) => ({ algorithm: 'sha256', key: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } }),
}

/**
 * Runs `op` over `items` one at a time, timing each: { rate, cpuRate, p50, p99 (µs) }. `rate` is
 * per second of wall-clock time; `cpuRate` per second of this process's CPU time (every thread),
 * which is what "per core" means on a machine shared with other work.
 */
async function timed(items, op) {
  const latencies = new Float64Array(items.length)
  const cpu = process.cpuUsage()
  const started = performance.now()
  for (let i = 0; i < items.length; i++) {
    const t = performance.now()
    await op(items[i])
    latencies[i] = performance.now() - t
  }
  const seconds = (performance.now() - started) / 1000
  latencies.sort()
  return {
    rate: items.length / seconds,
    cpuRate: items.length / cpuSeconds(cpu),
    p50: percentile(latencies, 0.5) * 1000,
    p99: percentile(latencies, 0.99) * 1000,
  }
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

async function batched(items, op, inFlight) {
  const cpu = process.cpuUsage()
  const started = performance.now()
  for (let i = 0; i < items.length; i += inFlight) await Promise.all(items.slice(i, i + inFlight).map(op))
  return { rate: items.length / ((performance.now() - started) / 1000), cpuRate: items.length / cpuSeconds(cpu) }
}

export async function run({ settings, log }) {
  const rows = []
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
    const results = { raw: [], jose: [], cold: [], parallel: [], warm: [] }
    for (let round = 0; round < settings.rounds; round++) {
      results.raw.push(
        await timed(tokens, (token) => {
          const dot = token.lastIndexOf('.')
          if (!cryptoVerify(raw.algorithm, Buffer.from(token.slice(0, dot)), raw.key, Buffer.from(token.slice(dot + 1), 'base64url')))
            throw new Error('bad signature')
        }),
      )
      results.jose.push(await timed(tokens, (token) => jwtVerify(token, joseKey, { issuer, audience: AUDIENCE, algorithms: [alg] })))
      // A fresh verifier per round: an empty verified-token cache, the keys fetched before timing.
      const verifier = createVerifier({ issuer, audience: AUDIENCE, mode: 'jwt', cacheSize: settings.tokens * 2 })
      await verifier.ready()
      const half = Math.floor(tokens.length / 2)
      results.cold.push(await timed(tokens.slice(0, half), (token) => verifier.verify(token)))
      results.parallel.push(await batched(tokens.slice(half), (token) => verifier.verify(token), 64))
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
        'claim types, RFC 9068 `typ`) and the cache. Cold: every token new to the cache. 64 in flight: overlapping verifications, as a server would. ' +
        'The warm rate comes from a loop without timers (50 passes over the tokens), its p50/p99 from one timed pass. Rates are per second of wall-clock time; the last column divides by the CPU time of this process instead (all threads): on a shared machine, that is the cost per core.',
      unit: 'ops/s',
      latencyUnit: 'µs',
      ratioLabel: 'ratio to raw node:crypto (same algorithm)',
      rows,
      chart: false,
    },
  ]
}
