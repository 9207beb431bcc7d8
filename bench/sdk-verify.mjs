// SDK verify throughput in process: a cold cache (every token new: full strict verification) and
// a warm cache (the same token again), next to raw node:crypto ES256 verification of the same
// tokens measured in the same run.
import { createPublicKey, verify as cryptoVerify } from 'node:crypto'
import { createVerifier } from '@tessera/sdk'
import { header, startTessera } from './lib/harness.mjs'

const N = Number(process.env.BENCH_TOKENS ?? 3000)
const server = await startTessera()
const { tessera, address, config } = server
const cli = { kind: 'cli' }
const audience = 'https://api.example.com'
await tessera.services.apis.create({ identifier: audience, name: 'Orders', mode: 'jwt', scopes: ['orders:read'] }, cli)
const m2m = await tessera.services.applications.create({ name: 'job', type: 'm2m', apis: [audience], scopes: ['orders:read'] }, cli)
const tokens = []
for (let i = 0; i < N; i++) {
  tokens.push((await tessera.services.tokens.clientCredentials(m2m.application, { resource: [audience], scope: undefined })).access_token)
}
const verifier = createVerifier({
  issuer: config.issuer,
  audience,
  mode: 'jwt',
  cacheSize: N * 2,
  fetch: (url, init) => fetch(String(url).replace(config.issuer, address), init),
})
await verifier.verify(tokens[0])

const rate = async (label, run) => {
  const started = performance.now()
  const count = await run()
  const seconds = (performance.now() - started) / 1000
  return [label, count / seconds]
}
const jwks = (await tessera.services.keys.jwks()).keys
const publicKey = createPublicKey({ key: jwks[0], format: 'jwk' })
const results = [
  await rate('raw node:crypto ES256 verify (signature only)', async () => {
    for (const token of tokens) {
      const [h, p, s] = token.split('.')
      if (!cryptoVerify('sha256', Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url')))
        throw new Error('bad')
    }
    return tokens.length
  }),
  await rate('SDK verify, cold cache, one at a time (strict checks + jose/WebCrypto)', async () => {
    for (const token of tokens.slice(1, N / 2)) await verifier.verify(token)
    return N / 2 - 1
  }),
  // A server verifies many requests at once; WebCrypto runs on the thread pool, so overlap them.
  await rate('SDK verify, cold cache, 64 in flight', async () => {
    const rest = tokens.slice(N / 2)
    for (let i = 0; i < rest.length; i += 64) await Promise.all(rest.slice(i, i + 64).map((token) => verifier.verify(token)))
    return rest.length
  }),
  await rate('SDK verify, warm cache (same tokens again)', async () => {
    for (let round = 0; round < 20; round++) for (const token of tokens) await verifier.verify(token)
    return tokens.length * 20
  }),
]
header('Tessera SDK verify benchmark (one core, in process)')
console.log('\n| Case | verifications/s | ratio to raw node:crypto |\n| --- | --- | --- |')
for (const [label, perSecond] of results) console.log(`| ${label} | ${Math.round(perSecond)} | ${(perSecond / results[0][1]).toFixed(2)} |`)
await verifier.close()
await server.close()
