import type { Clock } from '../shared/clock.js'
import type { Metrics } from '../shared/metrics.js'
import type { RandomSource } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import { createWebhookDispatcher, type WebhookDispatcher, type WebhookStores } from './webhook-dispatcher.js'
import { createWebhookSecretBox } from './webhook-secret-box.js'
import { createWebhookSender } from './webhook-sender.js'
import { createWebhookService, type WebhookService } from './webhook-service.js'
import { type ResolveHost, systemResolver } from './webhook-target.js'

export interface WebhooksDeps {
  stores: WebhookStores
  transact: Transact<WebhookStores>
  clock: Clock
  random: RandomSource
  /** The subkey that seals webhook secrets at rest. */
  secretKey: Buffer
  production: boolean
  timeoutMs: number
  connectTimeoutMs: number
  rotationOverlapMs: number
  /** The system resolver unless a test says otherwise. */
  resolve?: ResolveHost
  /** Counts delivery attempts by outcome. */
  metrics?: Pick<Metrics, 'webhookAttempt'>
}

export interface Webhooks {
  /** Registration, rotation, the delivery log and resend (the CLI and admin API use it). */
  service: WebhookService
  /** Outbox to deliveries to receivers; the server's background loop calls its tick. */
  dispatcher: WebhookDispatcher
}

/** The webhook service and dispatcher over one store, sharing one secret box and resolver. */
export function createWebhooks(deps: WebhooksDeps): Webhooks {
  const secrets = createWebhookSecretBox(deps.secretKey)
  const resolve = deps.resolve ?? systemResolver
  const { stores, transact, clock, random, production } = deps
  const send = createWebhookSender({
    resolve,
    production,
    timeoutMs: deps.timeoutMs,
    connectTimeoutMs: Math.min(deps.connectTimeoutMs, deps.timeoutMs),
  })
  return {
    service: createWebhookService({
      stores,
      transact,
      clock,
      random,
      secrets,
      resolve,
      production,
      rotationOverlapMs: deps.rotationOverlapMs,
    }),
    // A claimed attempt keeps others away until it must have ended, with a margin for the store.
    dispatcher: createWebhookDispatcher({
      stores,
      transact,
      clock,
      random,
      secrets,
      send,
      tuning: { leaseMs: deps.timeoutMs + 60_000 },
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
    }),
  }
}
