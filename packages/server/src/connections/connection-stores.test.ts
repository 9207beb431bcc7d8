import { describe, expect, it } from 'vitest'
import { DIALECTS, openMigratedTestDatabase } from '../../test/test-database.js'
import { createStores } from '../app/stores.js'
import { isUniqueViolation } from '../store/unique-violation.js'
import type { Connection, Identity } from './connection.js'

// Well past 2^32, so a time that came back as a string or was truncated to 32 bits shows.
const T0 = Date.parse('2026-01-01T00:00:00Z')

function aConnection(overrides: Partial<Connection> = {}): Connection {
  return {
    id: 'con_AAAAAAAAAAAAAAAAAAAAAA',
    type: 'oidc',
    preset: null,
    name: 'Acme',
    iconUrl: null,
    issuer: 'https://sso.acme.example',
    authorizationEndpoint: null,
    tokenEndpoint: null,
    userinfoEndpoint: null,
    emailsEndpoint: null,
    userMapping: { subject: 'sub', email: 'email', emailVerified: 'email_verified' },
    clientId: 'tessera',
    clientSecretSealed: 'v1.a.b.c',
    privateKeySealed: null,
    scopes: ['openid', 'email'],
    applications: null,
    allowSignUp: true,
    allowedHosts: ['api.acme.example'],
    allowInsecureDevelopment: false,
    enabled: true,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  }
}

function anIdentity(overrides: Partial<Identity> = {}): Identity {
  return {
    id: 'idn_AAAAAAAAAAAAAAAAAAAAAA',
    connectionId: 'con_AAAAAAAAAAAAAAAAAAAAAA',
    subject: 'upstream-1',
    userId: 'usr_ann',
    email: 'ann@example.com',
    createdAt: T0,
    lastUsedAt: null,
    ...overrides,
  }
}

async function open(dialect: (typeof DIALECTS)[number]) {
  const database = await openMigratedTestDatabase(dialect)
  const stores = createStores(database.db, database.dialect)
  for (const id of ['usr_ann', 'usr_bob']) {
    await stores.users.insert({ id, email: `${id}@example.com`, status: 'active', tokenVersion: 1, createdAt: T0, updatedAt: T0 })
  }
  await stores.connections.insert(aConnection())
  return stores
}

for (const dialect of DIALECTS) {
  describe(`connection and identity stores on ${dialect}`, () => {
    it('stores a connection whole, updates and deletes it', async () => {
      const stores = await open(dialect)
      expect(await stores.connections.findById('con_AAAAAAAAAAAAAAAAAAAAAA')).toEqual(aConnection())
      const changed = aConnection({ name: 'Acme SSO', applications: ['app-1'], enabled: false, updatedAt: T0 + 1 })
      expect(await stores.connections.update(changed)).toBe(true)
      expect(await stores.connections.list()).toEqual([changed])
      expect(await stores.connections.update(aConnection({ id: 'con_BBBBBBBBBBBBBBBBBBBBBB' }))).toBe(false)
      expect(await stores.connections.delete('con_AAAAAAAAAAAAAAAAAAAAAA')).toBe(true)
      expect(await stores.connections.delete('con_AAAAAAAAAAAAAAAAAAAAAA')).toBe(false)
    })

    it('keys an identity by (connection, subject): a second link of the same subject is a unique violation', async () => {
      const stores = await open(dialect)
      await stores.identities.insert(anIdentity())
      expect(await stores.identities.findBySubject('con_AAAAAAAAAAAAAAAAAAAAAA', 'upstream-1')).toEqual(anIdentity())
      expect(await stores.identities.findBySubject('con_AAAAAAAAAAAAAAAAAAAAAA', 'UPSTREAM-1')).toBeNull()
      const again = stores.identities.insert(anIdentity({ id: 'idn_BBBBBBBBBBBBBBBBBBBBBB', userId: 'usr_bob' }))
      await expect(again).rejects.toSatisfy(isUniqueViolation)
      expect(await stores.identities.listByUser('usr_bob')).toEqual([])
      await stores.identities.touch('idn_AAAAAAAAAAAAAAAAAAAAAA', T0 + 5)
      expect((await stores.identities.listByUser('usr_ann'))[0]?.lastUsedAt).toBe(T0 + 5)
      expect(await stores.identities.countByUser('usr_ann')).toBe(1)
    })

    it('deletes only the owner’s identity, and every identity of a deleted connection or user', async () => {
      const stores = await open(dialect)
      await stores.identities.insert(anIdentity())
      await stores.identities.insert(anIdentity({ id: 'idn_BBBBBBBBBBBBBBBBBBBBBB', subject: 'upstream-2', userId: 'usr_bob' }))
      expect(await stores.identities.delete('idn_AAAAAAAAAAAAAAAAAAAAAA', 'usr_bob')).toBe(false)
      expect(await stores.identities.delete('idn_AAAAAAAAAAAAAAAAAAAAAA', 'usr_ann')).toBe(true)
      await stores.users.delete('usr_bob')
      expect(await stores.identities.findBySubject('con_AAAAAAAAAAAAAAAAAAAAAA', 'upstream-2')).toBeNull()
      await stores.identities.insert(anIdentity())
      await stores.connections.delete('con_AAAAAAAAAAAAAAAAAAAAAA')
      expect(await stores.identities.listByUser('usr_ann')).toEqual([])
    })

    it('says whether a user has a password', async () => {
      const stores = await open(dialect)
      expect(await stores.identities.hasPassword('usr_ann')).toBe(false)
      await stores.credentials.set('usr_ann', '$argon2id$fake', T0)
      expect(await stores.identities.hasPassword('usr_ann')).toBe(true)
    })
  })
}
