import { describe, expect, it, onTestFinished } from 'vitest'
import { createTestDatabase, DIALECTS } from '../../test/test-database.js'
import { createTransact } from '../app/stores.js'
import type { AuthorizationParameters } from '../authorize/authorization-request.js'
import { migrateToLatest } from '../store/migrate.js'
import { type DialectName, openDatabase } from '../store/open-database.js'
import type { Flow } from './flow.js'
import { createFlowStore, type FlowStore } from './flow-store.js'

// Well past 2^32, so a time that came back as a string or was truncated to 32 bits shows.
const T0 = Date.parse('2026-01-01T00:00:00Z')

async function open(dialect: DialectName): Promise<{ store: FlowStore; transact: ReturnType<typeof createTransact> }> {
  const test = createTestDatabase(dialect)
  const database = openDatabase(test.url)
  onTestFinished(async () => {
    await database.db.destroy()
    await test.drop()
  })
  await migrateToLatest(database)
  return { store: createFlowStore(database.db), transact: createTransact(database.db, database.dialect) }
}

const authorization: AuthorizationParameters = {
  clientId: 'client_1',
  redirectUri: 'https://app.example.test/cb',
  state: 's',
  nonce: null,
  scope: ['openid', 'email'],
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  resource: null,
  prompt: ['login'],
  maxAge: 60,
  loginHint: null,
}

function aFlow(overrides: Partial<Flow> = {}): Flow {
  return {
    id: 'flow_000000000000000001',
    type: 'login',
    bindingHash: 'b'.repeat(64),
    csrfHash: 'c'.repeat(64),
    next: ['password', 'registration'],
    done: [],
    userId: null,
    sessionId: null,
    clientId: null,
    context: { authorization },
    version: 1,
    createdAt: T0,
    updatedAt: T0,
    expiresAt: T0 + 900_000,
    ...overrides,
  }
}

for (const dialect of DIALECTS) {
  describe(`flow store on ${dialect}`, () => {
    it('stores a flow whole and finds it by id', async () => {
      const { store } = await open(dialect)
      await store.insert(aFlow())
      expect(await store.findById('flow_000000000000000001')).toEqual(aFlow())
      expect(await store.findById('flow_000000000000000002')).toBeNull()
    })

    it('updates only from the version it was read at (a second writer loses, and changes nothing)', async () => {
      const { store } = await open(dialect)
      await store.insert(aFlow())
      const moved = aFlow({
        version: 2,
        next: ['consent'],
        done: [{ step: 'password', amr: ['pwd'], at: T0 + 5 }],
        csrfHash: 'd'.repeat(64),
      })
      expect(await store.update(moved, 1)).toBe(true)
      expect(await store.update(aFlow({ version: 2, next: [] }), 1)).toBe(false)
      expect(await store.findById(moved.id)).toEqual(moved)
    })

    it('deletes a flow once, and only at its current version', async () => {
      const { store, transact } = await open(dialect)
      await store.insert(aFlow({ version: 3 }))
      expect(await transact((tx) => tx.flows.delete('flow_000000000000000001', 2))).toBe(false)
      expect(await transact((tx) => tx.flows.delete('flow_000000000000000001', 3))).toBe(true)
      expect(await transact((tx) => tx.flows.delete('flow_000000000000000001', 3))).toBe(false)
    })

    it('prunes flows at their expiry, not before', async () => {
      const { store } = await open(dialect)
      await store.insert(aFlow())
      await store.insert(aFlow({ id: 'flow_000000000000000002', type: 'logout', context: {}, expiresAt: T0 + 1000 }))
      expect(await store.prune(T0 + 999)).toBe(0)
      expect(await store.prune(T0 + 1000)).toBe(1)
      expect(await store.findById('flow_000000000000000002')).toBeNull()
      expect(await store.findById('flow_000000000000000001')).not.toBeNull()
    })
  })
}
