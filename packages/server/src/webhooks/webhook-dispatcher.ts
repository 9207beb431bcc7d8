import type { EventOutbox } from '../events/event-outbox.js'
import { drainOutbox } from '../events/outbox-drain.js'
import { outboxHorizon } from '../events/outbox-horizon.js'
import type { Clock } from '../shared/clock.js'
import { eachConcurrently } from '../shared/each-concurrently.js'
import { type Metrics, noMetrics } from '../shared/metrics.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import { nextAttemptAt } from './retry-schedule.js'
import type { WebhookDelivery } from './webhook-delivery.js'
import type { Claim, WebhookDeliveryStore } from './webhook-delivery-store.js'
import type { WebhookEndpoint } from './webhook-endpoint.js'
import type { WebhookEndpointStore } from './webhook-endpoint-store.js'
import { toWebhookPayload } from './webhook-events.js'
import type { WebhookSecretBox } from './webhook-secret-box.js'
import type { AttemptOutcome, SendWebhook } from './webhook-sender.js'
import { signWebhook } from './webhook-signature.js'

/** The stores webhooks work on: endpoints, deliveries, and the outbox they are fed from. */
export interface WebhookStores {
  events: EventOutbox
  webhookEndpoints: WebhookEndpointStore
  webhookDeliveries: WebhookDeliveryStore
}

export interface WebhookDispatcherDeps {
  stores: WebhookStores
  transact: Transact<WebhookStores>
  clock: Clock
  random: RandomSource
  secrets: WebhookSecretBox
  send: SendWebhook
  tuning?: Partial<DispatcherTuning>
  /** Counts attempts by outcome (none when absent). */
  metrics?: Pick<Metrics, 'webhookAttempt'>
}

export interface DispatcherTuning {
  /** Outbox events read per fan-out pass, and due deliveries taken per tick. */
  batchSize: number
  /** Attempts in flight at once, so one slow receiver does not hold up the others. */
  concurrency: number
  /** How long a claimed attempt keeps others away; past it, a crashed attempt is retried. */
  leaseMs: number
  /** How long to wait for a hole in the outbox sequence to fill (see outbox-horizon.ts). */
  holeGraceMs: number
}

const DEFAULT_TUNING: DispatcherTuning = { batchSize: 200, concurrency: 8, leaseMs: 120_000, holeGraceMs: 10_000 }

export interface TickReport {
  /** Deliveries created from new outbox events. */
  enqueued: number
  /** Attempts made, and how they ended. */
  attempted: number
  succeeded: number
  failed: number
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>

/**
 * Turns outbox events into deliveries and sends the due ones. All its state is in the store
 * (a cursor per endpoint; a row per delivery), so a crash loses nothing: an event is either past
 * an endpoint's cursor with its delivery row committed in the same transaction, or still ahead of
 * it. Several instances may tick at once: cursors move by compare-and-set and attempts are claimed.
 */
export function createWebhookDispatcher(deps: WebhookDispatcherDeps) {
  const { stores, transact, clock, random } = deps
  const tuning = { ...DEFAULT_TUNING, ...deps.tuning }
  let holes = new Map<number, number>()

  /**
   * Creates the deliveries for one batch of outbox events past the endpoints' cursors. Resolves
   * with how many, and whether a full batch moved on (so there may be more to read).
   */
  async function fanOut(): Promise<{ enqueued: number; more: boolean }> {
    const endpoints = await stores.webhookEndpoints.list()
    if (endpoints.length === 0) return { enqueued: 0, more: false }
    const after = Math.min(...endpoints.map((endpoint) => endpoint.outboxCursor))
    const events = await stores.events.listAfter(after, tuning.batchSize)
    const horizon = outboxHorizon({ after, seqs: events.map((event) => event.seq), holes, now: clock.now(), graceMs: tuning.holeGraceMs })
    holes = horizon.holes
    let enqueued = 0
    for (const endpoint of endpoints) {
      if (endpoint.outboxCursor >= horizon.upTo) continue
      const mine = events.filter((event) => event.seq > endpoint.outboxCursor && event.seq <= horizon.upTo)
      enqueued += await transact(async (tx) => {
        const now = clock.now()
        // Another instance moved the cursor first: it created these deliveries.
        if (!(await tx.webhookEndpoints.advanceCursor(endpoint.id, endpoint.outboxCursor, horizon.upTo, now))) return 0
        let created = 0
        for (const event of mine) {
          const payload = toWebhookPayload(event)
          if (!payload || !endpoint.eventTypes.includes(payload.type)) continue
          await tx.webhookDeliveries.insert(newDelivery(endpoint, event.seq, payload.type, JSON.stringify(payload), now))
          created += 1
        }
        return created
      })
    }
    return { enqueued, more: events.length === tuning.batchSize && horizon.upTo > after }
  }

  function newDelivery(
    endpoint: WebhookEndpoint,
    seq: number,
    type: WebhookDelivery['eventType'],
    payload: string,
    now: number,
  ): WebhookDelivery {
    return {
      id: `msg_${randomToken(random, 16)}`,
      endpointId: endpoint.id,
      eventSeq: seq,
      eventType: type,
      payload,
      status: 'pending',
      attempts: 0,
      lastAttemptAt: null,
      lastResponseCode: null,
      lastError: null,
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
    }
  }

  /** One attempt at one due delivery; resolves with its outcome, or null when another dispatcher took it. */
  async function attempt(delivery: WebhookDelivery): Promise<'succeeded' | 'failed' | null> {
    const claimedAt = clock.now()
    const attemptNumber = await stores.webhookDeliveries.claim(
      delivery.id,
      delivery.nextAttemptAt as number,
      claimedAt + tuning.leaseMs,
      claimedAt,
    )
    if (attemptNumber === null) return null
    const claim: Claim = { attempt: attemptNumber, at: claimedAt }
    const endpoint = await stores.webhookEndpoints.findById(delivery.endpointId)
    if (!endpoint) return null // deleted meanwhile; its deliveries went with it
    let signers: string[]
    try {
      signers = activeSecrets(endpoint, claimedAt)
    } catch {
      // A wrong master key: retrying cannot help until an operator fixes it, but it must not be lost.
      await record(delivery.id, claim, { ok: false, status: null, error: 'endpoint_secret_unreadable' })
      return 'failed'
    }
    const timestamp = Math.floor(claimedAt / 1000)
    const outcome = await deps.send({
      url: endpoint.url,
      allowInsecureDevelopment: endpoint.allowInsecureDevelopment,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Tessera-Webhooks/1',
        'webhook-id': delivery.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook({ id: delivery.id, timestamp, body: delivery.payload }, signers),
      },
      body: delivery.payload,
    })
    return record(delivery.id, claim, outcome)
  }

  /** Logs an attempt: done on a 2xx; otherwise retried on schedule, or failed for good once it runs out. */
  async function record(id: string, claim: Claim, outcome: AttemptOutcome): Promise<'succeeded' | 'failed'> {
    const now = clock.now()
    const next = outcome.ok ? null : nextAttemptAt(claim.attempt, now, random)
    ;(deps.metrics ?? noMetrics).webhookAttempt(outcome.ok ? 'succeeded' : next === null ? 'failed' : 'retrying')
    await stores.webhookDeliveries.recordAttempt(id, claim, {
      status: outcome.ok ? 'succeeded' : next === null ? 'failed' : 'pending',
      responseCode: outcome.status,
      error: outcome.ok ? null : outcome.error,
      nextAttemptAt: next,
      now,
    })
    return outcome.ok ? 'succeeded' : 'failed'
  }

  /** The secrets to sign with: the current one, and the previous one while the rotation overlap lasts. */
  function activeSecrets(endpoint: WebhookEndpoint, now: number): string[] {
    const current = deps.secrets.open(endpoint.id, endpoint.sealedSecret)
    const rotating = endpoint.previousSealedSecret !== null && (endpoint.previousSecretExpiresAt ?? 0) > now
    return rotating ? [current, deps.secrets.open(endpoint.id, endpoint.previousSealedSecret as string)] : [current]
  }

  /** Sends every due delivery, `concurrency` at a time. */
  async function deliverDue(report: TickReport): Promise<void> {
    const due = await stores.webhookDeliveries.listDue(clock.now(), tuning.batchSize)
    await eachConcurrently(due, tuning.concurrency, async (delivery) => {
      const outcome = await attempt(delivery)
      if (outcome === null) return
      report.attempted += 1
      report[outcome] += 1
    })
  }

  return {
    fanOut,
    /**
     * One round: fan the outbox out into deliveries, then send what is due. The background loop
     * calls it; tests call it directly, with a manual clock, instead of waiting.
     */
    async tick(): Promise<TickReport> {
      // The outbox a batch at a time, within reason: a huge backlog continues next tick.
      const report: TickReport = { enqueued: await drainOutbox(fanOut), attempted: 0, succeeded: 0, failed: 0 }
      await deliverDue(report)
      return report
    },
  }
}
