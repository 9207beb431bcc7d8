import type { Application } from '../applications/application.js'
import type { EventOutbox } from '../events/event-outbox.js'
import { drainOutbox } from '../events/outbox-drain.js'
import { outboxHorizon } from '../events/outbox-horizon.js'
import type { Signer } from '../keys/key-service.js'
import type { Clock } from '../shared/clock.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import { nextAttemptAt } from '../webhooks/retry-schedule.js'
import type { SendWebhook } from '../webhooks/webhook-sender.js'
import type { BackchannelStore, PendingLogout } from './backchannel-store.js'
import { signLogoutToken } from './logout-token.js'

export interface BackchannelStores {
  backchannel: BackchannelStore
  events: Pick<EventOutbox, 'listAfter'>
}

export interface BackchannelDispatcherDeps {
  issuer: string
  stores: BackchannelStores
  transact: Transact<BackchannelStores>
  clock: Clock
  random: RandomSource
  findApplication(clientId: string): Promise<Application | null>
  signer(): Promise<Signer>
  /** The webhook sender: the same SSRF rules, timeouts and no redirects (webhooks/webhook-sender.ts). */
  send: SendWebhook
}

const BATCH = 200
const LEASE_MS = 120_000
const HOLE_GRACE_MS = 10_000

export interface BackchannelTick {
  enqueued: number
  delivered: number
  failed: number
}

export type BackchannelDispatcher = ReturnType<typeof createBackchannelDispatcher>

/**
 * OpenID Connect Back-Channel Logout 1.0: reads `session.revoked` from the event outbox (every way
 * a session ends appends one, in the transaction that ends it), queues a logout token for each
 * relying party that received tokens for that session and registered a `backchannel_logout_uri`,
 * and delivers them with the webhooks' retry schedule. All state is in the store, so a crash or a
 * second instance loses and duplicates nothing.
 */
export function createBackchannelDispatcher(deps: BackchannelDispatcherDeps) {
  const { stores, transact, clock, random } = deps
  let holes = new Map<number, number>()

  async function fanOut(): Promise<{ enqueued: number; more: boolean }> {
    const after = await stores.backchannel.cursor()
    const events = await stores.events.listAfter(after, BATCH)
    const horizon = outboxHorizon({ after, seqs: events.map((event) => event.seq), holes, now: clock.now(), graceMs: HOLE_GRACE_MS })
    holes = horizon.holes
    if (horizon.upTo <= after) return { enqueued: 0, more: false }
    const ended = events.filter((event) => event.seq <= horizon.upTo && event.type === 'session.revoked')
    const enqueued = await transact(async (tx) => {
      const now = clock.now()
      // Another instance moved the cursor first: it queued these logouts.
      if (!(await tx.backchannel.advanceCursor(after, horizon.upTo, now))) return 0
      let created = 0
      for (const event of ended) {
        const sessionId = (event.payload as { sessionId?: unknown }).sessionId
        if (typeof sessionId !== 'string') continue
        for (const party of await tx.backchannel.relyingParties(sessionId)) {
          await tx.backchannel.insert(newLogout(party.clientId, sessionId, party.userId, now))
          created += 1
        }
        await tx.backchannel.forgetSession(sessionId)
      }
      return created
    })
    return { enqueued, more: events.length === BATCH }
  }

  function newLogout(clientId: string, sessionId: string, userId: string, now: number): PendingLogout {
    return {
      id: `bcl_${randomToken(random, 16)}`,
      clientId,
      sessionId,
      userId,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      lastError: null,
      lastStatus: null,
      createdAt: now,
    }
  }

  /** One attempt: §2.5, a form POST of `logout_token`; a 2xx is done, anything else is retried on schedule. */
  async function attempt(logout: PendingLogout): Promise<'delivered' | 'failed' | null> {
    const now = clock.now()
    if (!(await stores.backchannel.claim(logout.id, logout.attempts, now + LEASE_MS, now))) return null
    const application = await deps.findApplication(logout.clientId)
    if (!application?.backchannelLogoutUri) {
      // The operator removed the URI meanwhile: nobody left to tell.
      await stores.backchannel.record(logout.id, {
        status: 'failed',
        nextAttemptAt: null,
        error: 'no_logout_uri',
        responseStatus: null,
        now,
      })
      return 'failed'
    }
    const token = await signLogoutToken(await deps.signer(), {
      issuer: deps.issuer,
      clientId: logout.clientId,
      sub: logout.userId,
      sid: logout.sessionId,
      jti: randomToken(random, 16),
      iat: Math.floor(now / 1000),
    })
    const outcome = await deps.send({
      url: application.backchannelLogoutUri,
      // Registration allows http only on loopback hosts, for development; in production the
      // sender refuses plain http and private addresses whatever this says.
      allowInsecureDevelopment: application.backchannelLogoutUri.startsWith('http:'),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Tessera-Backchannel-Logout/1' },
      body: new URLSearchParams({ logout_token: token }).toString(),
    })
    const done = clock.now()
    const next = outcome.ok ? null : nextAttemptAt(logout.attempts + 1, done, random)
    await stores.backchannel.record(logout.id, {
      status: outcome.ok ? 'delivered' : next === null ? 'failed' : 'pending',
      nextAttemptAt: next,
      error: outcome.ok ? null : outcome.error,
      responseStatus: outcome.status,
      now: done,
    })
    return outcome.ok ? 'delivered' : 'failed'
  }

  return {
    /** One round: queue the logouts of newly ended sessions, then send what is due. */
    async tick(): Promise<BackchannelTick> {
      const report: BackchannelTick = { enqueued: await drainOutbox(fanOut), delivered: 0, failed: 0 }
      for (const logout of await stores.backchannel.listDue(clock.now(), BATCH)) {
        const outcome = await attempt(logout)
        if (outcome) report[outcome] += 1
      }
      return report
    },
  }
}
