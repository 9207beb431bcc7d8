import { describe, expect, it } from 'vitest'
import type { Api } from '../apis/api.js'
import type { JwtType, Signer } from '../keys/jwt-signer.js'
import type { KeyService } from '../keys/key-service.js'
import { createManualClock } from '../shared/clock.js'
import { cryptoRandom } from '../shared/random.js'
import type { AccessTokenGrant } from './access-token.js'
import { createAccessTokenIssuer } from './access-token-issuer.js'

const API: Api = {
  id: 'api_1',
  identifier: 'https://api.example.test',
  name: 'Orders',
  mode: 'jwt',
  accessTokenTtl: 300,
  scopes: ['orders:read'],
  rolesClaim: false,
  createdAt: 0,
  updatedAt: 0,
}

const MACHINE: AccessTokenGrant = {
  subject: 'client_1',
  userId: null,
  sessionId: null,
  clientId: 'client_1',
  api: API,
  scope: ['orders:read'],
  authTime: null,
  tokenVersion: null,
  familyId: null,
}

/** A signer that records how it was asked to sign. */
function recordingSigner() {
  const calls: { typ: JwtType; offLoop: boolean | undefined }[] = []
  const signer: Signer = {
    kid: 'k1',
    alg: 'ES256',
    async sign(typ, _claims, options) {
      calls.push({ typ, offLoop: options?.offLoop })
      return 'header.payload.signature'
    },
  }
  const keys = { signer: async () => signer } as unknown as KeyService
  return { calls, keys }
}

describe('access-token issuer', () => {
  // Issue 17: outside a transaction the event loop bounds the token endpoint's rate, so the
  // signature runs beside it on libuv's thread pool; inside one it stays on the loop (§12).
  it('signs a JWT access token issued outside a transaction on the thread pool, inside one on the event loop', async () => {
    const { calls, keys } = recordingSigner()
    const issuer = createAccessTokenIssuer({ issuer: 'https://id.example.test', keys, clock: createManualClock(), random: cryptoRandom })

    const issued = await issuer.issue(null, MACHINE, 300)
    expect(issued.token).toBe('header.payload.signature')
    // A signed-only JWT without a refresh family writes nothing, so the stores are never called.
    const tx = {} as Parameters<typeof issuer.issue>[0]
    await issuer.issue(tx, MACHINE, 300)
    expect(calls).toEqual([
      { typ: 'at+jwt', offLoop: true },
      { typ: 'at+jwt', offLoop: false },
    ])
  })

  // Issue 17: on PostgreSQL a transaction holds one pooled connection, not the store's only one, so
  // the loop serves other requests while the pool signs (bench/tools/ab-refresh.mjs, §12).
  it('signs on the thread pool inside a transaction too when asked to (PostgreSQL)', async () => {
    const { calls, keys } = recordingSigner()
    const issuer = createAccessTokenIssuer({
      issuer: 'https://id.example.test',
      keys,
      clock: createManualClock(),
      random: cryptoRandom,
      offLoopInTransaction: true,
    })
    await issuer.issue(null, MACHINE, 300)
    await issuer.issue({} as Parameters<typeof issuer.issue>[0], MACHINE, 300)
    expect(calls).toEqual([
      { typ: 'at+jwt', offLoop: true },
      { typ: 'at+jwt', offLoop: true },
    ])
  })
})
