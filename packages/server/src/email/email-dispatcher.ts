import type { EventOutbox } from '../events/event-outbox.js'
import { drainOutbox } from '../events/outbox-drain.js'
import { outboxHorizon } from '../events/outbox-horizon.js'
import { decryptPrivateKey, encryptPrivateKey } from '../keys/key-encryption.js'
import type { Clock } from '../shared/clock.js'
import { eachConcurrently } from '../shared/each-concurrently.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import type { ComposedEmail, EmailComposer } from './email-composer.js'
import type { EmailDelivery, EmailDeliveryError } from './email-delivery.js'
import type { EmailClaim, EmailDeliveryStore } from './email-delivery-store.js'
import { nextEmailAttemptAt } from './email-retry-schedule.js'
import { type EmailBranding, type EmailVariables, renderEmail } from './email-templates.js'
import type { EmailTransport } from './email-transport.js'
import { createTransportHealth, type TransportHealthChange } from './transport-health.js'

/** The stores email fan-out and delivery need. */
export interface EmailStores {
  events: EventOutbox
  emailDeliveries: EmailDeliveryStore
}

export interface EmailDispatcherTuning {
  /** Outbox events read per pass, and due deliveries taken per tick. */
  batchSize: number
  /** Sends in flight at once. */
  concurrency: number
  /** How long a claimed attempt keeps other instances away; past it a crashed attempt is retried. */
  leaseMs: number
  /** How long to wait for a hole in the outbox sequence to fill (events/outbox-horizon.ts). */
  holeGraceMs: number
}

const DEFAULT_TUNING: EmailDispatcherTuning = { batchSize: 200, concurrency: 2, leaseMs: 120_000, holeGraceMs: 10_000 }

export interface EmailDispatcherDeps<S extends EmailStores> {
  stores: EmailStores
  transact: Transact<S>
  clock: Clock
  random: RandomSource
  /** The subkey that seals template variables (links, codes) at rest. */
  sealKey: Buffer
  transport: EmailTransport
  from: { name: string; address: string }
  branding: EmailBranding
  composers: readonly EmailComposer<S>[]
  /** Told about a message that could not be composed (never with its variables). */
  onComposeError: (error: unknown, eventSeq: number) => void
  /** Called once when sending stops working and once when it works again (email/transport-health.ts). */
  onTransportHealth?: (change: TransportHealthChange) => void
  tuning?: Partial<EmailDispatcherTuning>
}

export interface EmailTickReport {
  enqueued: number
  attempted: number
  sent: number
  failed: number
}

export type EmailDispatcher = ReturnType<typeof createEmailDispatcher>

interface Sealed {
  variables: EmailVariables
  expiresAt: number | null
}

/**
 * Turns outbox events into email deliveries and sends the due ones, as the webhook dispatcher does:
 * every piece of state is in the store (a cursor, a row per message), so a crash loses nothing.
 * An event is either past the cursor with its deliveries committed in the same transaction, or
 * still ahead of it; a claimed attempt that never reported is retried after its lease.
 */
export function createEmailDispatcher<S extends EmailStores>(deps: EmailDispatcherDeps<S>) {
  const health = createTransportHealth(deps.onTransportHealth ?? (() => {}))
  const { stores, transact, clock, random } = deps
  const tuning = { ...DEFAULT_TUNING, ...deps.tuning }
  const aad = (id: string) => `email-delivery:${id}`
  let holes = new Map<number, number>()

  function newDelivery(eventSeq: number, composed: ComposedEmail, now: number): EmailDelivery {
    const id = `eml_${randomToken(random, 16)}`
    const subject = renderEmail(composed.template, composed.variables, deps.branding).subject
    const sealed: Sealed = { variables: composed.variables, expiresAt: composed.expiresAt ?? null }
    return {
      id,
      eventSeq,
      template: composed.template,
      userId: composed.userId,
      recipient: composed.to,
      subject,
      sealedVariables: encryptPrivateKey(deps.sealKey, aad(id), JSON.stringify(sealed)),
      status: 'pending',
      attempts: 0,
      lastAttemptAt: null,
      lastError: null,
      nextAttemptAt: now,
      sentAt: null,
      createdAt: now,
      updatedAt: now,
    }
  }

  /** Creates the deliveries of one batch of events past the cursor. */
  async function fanOut(): Promise<{ enqueued: number; more: boolean }> {
    const after = await stores.emailDeliveries.cursor()
    const events = await stores.events.listAfter(after, tuning.batchSize)
    const horizon = outboxHorizon({ after, seqs: events.map((event) => event.seq), holes, now: clock.now(), graceMs: tuning.holeGraceMs })
    holes = horizon.holes
    if (horizon.upTo <= after) return { enqueued: 0, more: false }
    const mine = events.filter((event) => event.seq <= horizon.upTo)
    const enqueued = await transact(async (tx) => {
      const now = clock.now()
      // Another instance moved the cursor first: it created these deliveries.
      if (!(await tx.emailDeliveries.advanceCursor(after, horizon.upTo, now))) return 0
      let created = 0
      for (const event of mine) {
        for (const compose of deps.composers) {
          for (const composed of await compose(event, tx)) {
            let delivery: EmailDelivery
            try {
              delivery = newDelivery(event.seq, composed, now)
            } catch (error) {
              deps.onComposeError(error, event.seq)
              continue
            }
            await tx.emailDeliveries.insert(delivery)
            created += 1
          }
        }
      }
      return created
    })
    return { enqueued, more: events.length === tuning.batchSize }
  }

  /** One attempt at one due delivery; null when another instance took it. */
  async function attempt(delivery: EmailDelivery): Promise<'sent' | 'failed' | null> {
    const claimedAt = clock.now()
    const number = await stores.emailDeliveries.claim(delivery.id, delivery.nextAttemptAt as number, claimedAt + tuning.leaseMs, claimedAt)
    if (number === null) return null
    const claim: EmailClaim = { attempt: number, at: claimedAt }
    let sealed: Sealed
    try {
      sealed = JSON.parse(decryptPrivateKey(deps.sealKey, aad(delivery.id), delivery.sealedVariables ?? '')) as Sealed
    } catch {
      // A wrong master key or a tampered row: no retry can help, and nothing is sent.
      return record(delivery.id, claim, { ok: false, error: 'variables_unreadable', permanent: true })
    }
    if (sealed.expiresAt !== null && sealed.expiresAt <= claimedAt) {
      return record(delivery.id, claim, { ok: false, error: 'expired', permanent: true })
    }
    let rendered: ReturnType<typeof renderEmail>
    try {
      rendered = renderEmail(delivery.template, sealed.variables, deps.branding)
    } catch {
      return record(delivery.id, claim, { ok: false, error: 'template_failed', permanent: true })
    }
    const outcome = await deps.transport.send({
      id: delivery.id,
      from: deps.from,
      to: delivery.recipient,
      ...rendered,
      link: sealed.variables.link ?? null,
    })
    health.observe(outcome, clock.now())
    return record(delivery.id, claim, outcome)
  }

  async function record(
    id: string,
    claim: EmailClaim,
    outcome: { ok: true } | { ok: false; error: EmailDeliveryError; permanent: boolean },
  ): Promise<'sent' | 'failed'> {
    const now = clock.now()
    const next = outcome.ok || outcome.permanent ? null : nextEmailAttemptAt(claim.attempt, now, random)
    await stores.emailDeliveries.recordAttempt(id, claim, {
      status: outcome.ok ? 'sent' : next === null ? 'failed' : 'pending',
      error: outcome.ok ? null : outcome.error,
      nextAttemptAt: next,
      now,
    })
    return outcome.ok ? 'sent' : 'failed'
  }

  async function deliverDue(report: EmailTickReport): Promise<void> {
    const due = await stores.emailDeliveries.listDue(clock.now(), tuning.batchSize)
    await eachConcurrently(due, tuning.concurrency, async (delivery) => {
      const outcome = await attempt(delivery)
      if (outcome === null) return
      report.attempted += 1
      report[outcome] += 1
    })
  }

  return {
    fanOut,
    /** One round: fan new outbox events out into deliveries, then send what is due. Tests call it with a manual clock. */
    async tick(): Promise<EmailTickReport> {
      const report: EmailTickReport = { enqueued: await drainOutbox(fanOut), attempted: 0, sent: 0, failed: 0 }
      await deliverDue(report)
      return report
    },
  }
}
