import { createHash, randomUUID } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { ADAPTERS } from '../../test/adapter-servers.js'
import { createFixture } from '../../test/verifier-fixture.js'
import type { RequireAuthOptions } from './require-auth-options.js'

const ORIGIN = 'https://api.example.test'

/** Issue 16 part 4: resource servers verify DPoP-bound tokens (RFC 9449 §7) in every adapter. */
for (const [name, serve] of Object.entries(ADAPTERS)) {
  describe(`DPoP-bound tokens with ${name}`, () => {
    async function setup(options: RequireAuthOptions = {}) {
      const fixture = await createFixture()
      const { publicKey, privateKey } = await generateKeyPair('ES256')
      const jwk = await exportJWK(publicKey)
      const jkt = await calculateJwkThumbprint(jwk, 'sha256')
      const send = await serve(fixture.verifier, { publicOrigin: ORIGIN, clock: fixture.clock, ...options })
      const proof = (token: string, claims: Record<string, unknown> = {}) =>
        new SignJWT({
          htm: 'GET',
          htu: `${ORIGIN}/orders`,
          jti: randomUUID(),
          iat: Math.floor(fixture.clock.now() / 1000),
          ath: createHash('sha256').update(token).digest('base64url'),
          ...claims,
        })
          .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
          .sign(privateKey)
      return { ...fixture, jkt, send, proof }
    }

    it('accepts a bound token with a proof of its key, once per proof', async () => {
      const { token, jkt, send, proof } = await setup()
      const bound = await token({ cnf: { jkt } })
      const good = await proof(bound)
      expect((await send({ authorization: `DPoP ${bound}`, dpop: good })).status).toBe(200)
      const replay = await send({ authorization: `DPoP ${bound}`, dpop: good })
      expect(replay.status).toBe(401)
      expect(replay.code).toBe('invalid_dpop_proof')
    })

    it('refuses a bound token sent as Bearer, without a proof, with another key, for another request or another token', async () => {
      const { token, jkt, send, proof, clock } = await setup()
      const bound = await token({ cnf: { jkt } })
      const other = await generateKeyPair('ES256')
      const otherJwk = await exportJWK(other.publicKey)
      const cases: [string, Record<string, string>][] = [
        ['as Bearer', { authorization: `Bearer ${bound}`, dpop: await proof(bound) }],
        ['no proof', { authorization: `DPoP ${bound}` }],
        ['wrong htm', { authorization: `DPoP ${bound}`, dpop: await proof(bound, { htm: 'POST' }) }],
        ['wrong htu', { authorization: `DPoP ${bound}`, dpop: await proof(bound, { htu: `${ORIGIN}/admin` }) }],
        ['stale', { authorization: `DPoP ${bound}`, dpop: await proof(bound, { iat: Math.floor(clock.now() / 1000) - 120 }) }],
        ['another token', { authorization: `DPoP ${bound}`, dpop: await proof(await token({ cnf: { jkt }, jti: 'other' })) }],
        [
          'another key',
          {
            authorization: `DPoP ${bound}`,
            dpop: await new SignJWT({
              htm: 'GET',
              htu: `${ORIGIN}/orders`,
              jti: randomUUID(),
              iat: Math.floor(clock.now() / 1000),
              ath: createHash('sha256').update(bound).digest('base64url'),
            })
              .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: otherJwk })
              .sign(other.privateKey),
          },
        ],
      ]
      for (const [label, headers] of cases) {
        const answer = await send(headers)
        expect(answer.status, label).toBe(401)
        expect(answer.code, label).toBe('invalid_dpop_proof')
        expect(answer.challenge, label).toMatch(/^DPoP algs="ES256 ES384 EdDSA RS256 PS256", realm="[^"]+", error="invalid_dpop_proof"$/)
      }
    })

    it('takes bearer tokens unless DPoP is required, and never an unbound token under the DPoP scheme', async () => {
      const { token, send, proof } = await setup()
      const plain = await token()
      expect((await send({ authorization: `Bearer ${plain}` })).status).toBe(200)
      expect((await send({ authorization: `DPoP ${plain}`, dpop: await proof(plain) })).code).toBe('invalid_dpop_proof')
      const strict = await setup({ dpop: 'required' })
      const answer = await strict.send({ authorization: `Bearer ${await strict.token()}` })
      expect(answer.status).toBe(401)
      expect(answer.code).toBe('dpop_required')
      const bound = await strict.token({ cnf: { jkt: strict.jkt } })
      expect((await strict.send({ authorization: `DPoP ${bound}`, dpop: await strict.proof(bound) })).status).toBe(200)
    })
  })
}
