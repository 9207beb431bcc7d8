import { expect } from 'vitest'
import { createStores, createTransact, type Stores, type Transact } from '../src/app/stores.js'
import type { OutboxEvent } from '../src/events/event-outbox.js'
import type { Session } from '../src/sessions/session.js'
import type { DialectName, OpenDatabase } from '../src/store/open-database.js'
import type { User } from '../src/users/user.js'
import { openMigratedTestDatabase } from './test-database.js'

// What the store conformance tests share (docs/architecture.md §12: every store runs on every
// dialect): a migrated database per test, and records to put in it.

/** One migrated database of its own, dropped when the test that opened it finishes. */
export interface StoreFixture {
  database: OpenDatabase
  stores: Stores
  transact: Transact
}

export type Open = () => Promise<StoreFixture>

export async function openTestStores(dialect: DialectName): Promise<StoreFixture> {
  const database = await openMigratedTestDatabase(dialect)
  return { database, stores: createStores(database.db), transact: createTransact(database.db) }
}

// Well past 2^32, so a time that came back as a string or was truncated to 32 bits shows.
export const T0 = Date.parse('2026-01-01T00:00:00Z')
export const MINUTE = 60_000
export const HOUR = 60 * MINUTE

export function aUser(overrides: Partial<User> = {}): User {
  const id = overrides.id ?? `usr_${Math.random().toString(36).slice(2, 12)}`
  return {
    id,
    email: `${id}@example.com`,
    status: 'active',
    tokenVersion: 1,
    emailVerified: false,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  }
}

let sessionCounter = 0
export function aSession(userId: string, overrides: Partial<Session> = {}): Session {
  sessionCounter += 1
  return {
    id: `sess_${String(sessionCounter).padStart(17, '0')}`,
    userId,
    secretHash: `hash_${sessionCounter}`,
    createdAt: T0,
    lastActiveAt: T0,
    absoluteExpiresAt: T0 + 30 * 24 * HOUR,
    authTime: T0,
    amr: ['pwd'],
    userAgent: null,
    ip: null,
    revokedAt: null,
    revokedReason: null,
    ...overrides,
  }
}

export function anEvent(overrides: Partial<OutboxEvent> = {}): OutboxEvent {
  return { type: 'user.created', actor: { kind: 'system' }, userId: null, payload: {}, ip: null, createdAt: T0, ...overrides }
}

export function expectIntegerTimes(record: object, keys: string[]) {
  for (const key of keys) {
    const value = (record as Record<string, unknown>)[key]
    expect(typeof value, key).toBe('number')
    expect(Number.isInteger(value), key).toBe(true)
  }
}
