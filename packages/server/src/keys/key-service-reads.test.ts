import { describe, expect, it } from 'vitest'
import { openMigratedTestDatabase } from '../../test/test-database.js'
import { createManualClock } from '../shared/clock.js'
import { createKeyService, type KeyServiceStores } from './key-service.js'
import { createSigningKeyStore, type SigningKeyStore } from './signing-key-store.js'

const HOUR = 3_600_000

/** The key service on a real SQLite key table, counting the reads of the whole key set. */
async function setUp() {
  const database = await openMigratedTestDatabase('sqlite')
  const table = createSigningKeyStore(database.db, 'sqlite')
  const counted = { reads: 0 }
  const keys: SigningKeyStore = {
    ...table,
    listCurrent: () => {
      counted.reads++
      return table.listCurrent()
    },
  }
  const clock = createManualClock()
  const stores = { keys, events: { append: async () => undefined }, revocations: {} } as unknown as KeyServiceStores
  const service = createKeyService({
    stores,
    // The schedule's writes need no transaction here: this test is about reads.
    transact: (work) => work(stores),
    clock,
    masterKey: Buffer.alloc(32, 7),
    algorithm: 'ES256',
    rsaModulusLength: 2048,
    policy: { rotationIntervalMs: 720 * HOUR, prePublishMs: 24 * HOUR, maxTokenLifetimeMs: HOUR },
    revocationRetentionMs: HOUR,
  })
  await service.maintain()
  return { service, clock, counted }
}

describe('key service reads', () => {
  it('reads the key set once for all the token requests in flight when its view expires', async () => {
    const { service, clock, counted } = await setUp()
    for (let expiry = 0; expiry < 3; expiry++) {
      clock.advance(1000)
      counted.reads = 0
      const signers = await Promise.all(Array.from({ length: 50 }, () => service.signer()))
      expect(new Set(signers.map((signer) => signer.kid)).size).toBe(1)
      expect(counted.reads).toBe(1)
    }
  })

  it('signs with the new key at once after an immediate rotation on this instance, though the view was fresh', async () => {
    const { service } = await setUp()
    const before = await service.signer()
    const rotated = await service.rotate({ immediate: true, actor: { kind: 'cli' } })
    const after = await Promise.all(Array.from({ length: 10 }, () => service.signer()))
    expect(rotated.kid).not.toBe(before.kid)
    expect(after.map((signer) => signer.kid)).toEqual(Array(10).fill(rotated.kid))
  })
})
