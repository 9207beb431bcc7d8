import { randomBytes } from 'node:crypto'
import { onTestFinished, vi } from 'vitest'
import { createStores, createTransact, type Stores, type Transact } from '../src/app/stores.js'
import type { OutboxEvent } from '../src/events/event-outbox.js'
import { createManualClock, type ManualClock } from '../src/shared/clock.js'
import { cryptoRandom } from '../src/shared/random.js'
import type { DialectName } from '../src/store/open-database.js'
import type { ResolvedAddress } from '../src/webhooks/webhook-target.js'
import { createWebhooks, type Webhooks } from '../src/webhooks/webhooks.js'
import { openMigratedTestDatabase } from './test-database.js'
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js'

export interface WebhookFixtureOptions {
  production?: boolean
  timeoutMs?: number
  rotationOverlapMs?: number
}

export interface WebhookFixture extends Webhooks {
  stores: Stores
  transact: Transact
  clock: ManualClock
  /** What the injected resolver answers, by host name; a name not here does not resolve. */
  dns: Map<string, string[]>
  /**
   * A second service and dispatcher over the same store and key, as another instance (or a
   * restart) would build them; `overrides` changes its settings (say, production).
   */
  another(overrides?: WebhookFixtureOptions): Webhooks
  /** Appends an outbox event as a service would, in a transaction of its own. */
  emit(event: Partial<OutboxEvent> & Pick<OutboxEvent, 'type'>): Promise<number>
}

/** A migrated store of its own, webhooks wired over it with a manual clock and a fake DNS; dropped after the test. */
export async function openWebhookFixture(dialect: DialectName, options: WebhookFixtureOptions = {}): Promise<WebhookFixture> {
  const database = await openMigratedTestDatabase(dialect)
  const stores = createStores(database.db)
  const transact = createTransact(database.db)
  const clock = createManualClock()
  const dns = new Map<string, string[]>()
  const secretKey = randomBytes(32)
  const resolve = async (hostname: string): Promise<ResolvedAddress[]> => {
    const addresses = dns.get(hostname)
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
  }
  const build = (overrides: WebhookFixtureOptions = {}) => {
    const settings = { ...options, ...overrides }
    return createWebhooks({
      stores,
      transact,
      clock,
      random: cryptoRandom,
      secretKey,
      production: settings.production ?? false,
      timeoutMs: settings.timeoutMs ?? 5000,
      connectTimeoutMs: 5000,
      rotationOverlapMs: settings.rotationOverlapMs ?? 24 * 3600_000,
      resolve,
    })
  }
  return {
    ...build(),
    stores,
    transact,
    clock,
    dns,
    another: build,
    emit: (event) =>
      transact((tx) =>
        tx.events.append({ actor: { kind: 'system' }, userId: null, payload: {}, ip: null, createdAt: clock.now(), ...event }),
      ),
  }
}

/** A receiver on 127.0.0.1, closed after the test. */
export async function receiverForTest(): Promise<WebhookReceiver> {
  const receiver = await startWebhookReceiver()
  onTestFinished(() => receiver.close())
  return receiver
}

/**
 * Runs `verify` with the system clock at `at`: the standardwebhooks package checks the
 * timestamp against Date.now(), and Tessera's clock in tests is a manual one.
 */
export function atSystemTime<T>(at: number, verify: () => T): T {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(at)
  try {
    return verify()
  } finally {
    vi.useRealTimers()
  }
}
