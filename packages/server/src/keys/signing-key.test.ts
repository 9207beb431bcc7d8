import { describe, expect, it } from 'vitest'
import { planRotation, type RotationPolicy, type SigningKey } from './signing-key.js'

const DAY = 86_400_000
const policy: RotationPolicy = { rotationIntervalMs: 30 * DAY, prePublishMs: DAY, maxTokenLifetimeMs: 3_600_000 }

function key(kid: string, state: SigningKey['state'], fields: Partial<SigningKey> = {}): SigningKey {
  return {
    kid,
    alg: 'ES256',
    state,
    publicJwk: {},
    encryptedPrivateKey: '',
    createdAt: 0,
    activatesAt: null,
    retiredAt: null,
    removeAfter: null,
    revokedAt: null,
    ...fields,
  }
}

describe('planRotation', () => {
  it('creates an active key when there is none', () => {
    expect(planRotation([], policy, 0)).toEqual([{ kind: 'create_active' }])
  })

  it('does nothing while the active key is young', () => {
    expect(planRotation([key('a', 'active', { activatesAt: 0 })], policy, 28 * DAY)).toEqual([])
  })

  it('publishes the next key one pre-publication window before it must sign', () => {
    expect(planRotation([key('a', 'active', { activatesAt: 0 })], policy, 29 * DAY)).toEqual([
      { kind: 'create_next', activatesAt: 30 * DAY },
    ])
  })

  it('never schedules a next key to sign sooner than the pre-publication window, even when late', () => {
    expect(planRotation([key('a', 'active', { activatesAt: 0 })], policy, 40 * DAY)).toEqual([
      { kind: 'create_next', activatesAt: 41 * DAY },
    ])
  })

  it('promotes the next key when due and retires the active one', () => {
    const keys = [key('a', 'active', { activatesAt: 0 }), key('b', 'next', { activatesAt: 30 * DAY })]
    expect(planRotation(keys, policy, 30 * DAY - 1)).toEqual([])
    expect(planRotation(keys, policy, 30 * DAY)).toEqual([{ kind: 'promote', next: 'b', retire: 'a' }])
  })

  it('removes a retired key once every token it signed has expired', () => {
    const keys = [key('a', 'retired', { removeAfter: 100 }), key('b', 'active', { activatesAt: 0 })]
    expect(planRotation(keys, policy, 99)).toEqual([])
    expect(planRotation(keys, policy, 100)).toEqual([{ kind: 'remove', kid: 'a' }])
  })

  it('promotes a published next key at once when the active key is gone (revoked)', () => {
    const keys = [key('a', 'revoked'), key('b', 'next', { activatesAt: 10 * DAY })]
    expect(planRotation(keys, policy, 0)).toEqual([{ kind: 'promote', next: 'b', retire: null }])
  })
})
