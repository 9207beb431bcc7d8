import type { Actor, EventOutbox } from '../events/event-outbox.js'
import type { Clock } from '../shared/clock.js'
import { TesseraError } from '../shared/errors.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import { isUniqueViolation } from '../store/unique-violation.js'
import type { User } from '../users/user.js'
import type { UserStore } from '../users/user-store.js'
import type { Connection, Identity, UpstreamProfile } from './connection.js'
import type { ConnectionStore } from './connection-store.js'
import type { IdentityStore } from './identity-store.js'

export interface FederationStores {
  identities: IdentityStore
  users: UserStore
  connections: ConnectionStore
  events: EventOutbox
}

/** Whatever else must happen in the transaction that creates an account (its first session). */
export type InAccountTransaction<Tx, T> = (tx: Tx, user: User) => Promise<T>

export interface FederationServiceDeps<Tx extends FederationStores> {
  stores: Pick<FederationStores, 'identities' | 'users'>
  transact: Transact<Tx>
  clock: Clock
  random: RandomSource
  /** Runs in the transaction that creates an account just in time: the default roles (issue 16). */
  onAccountCreated?: (tx: Tx, user: User, actor: Actor) => Promise<unknown>
}

/** What an upstream sign-in leads to, before anything is written. */
export type Resolution =
  /** A known upstream user: sign in to the linked account. */
  | { kind: 'known'; identity: Identity; user: User }
  /**
   * The verified upstream address is an existing account's: link only once the user proves control
   * of that account in the same flow (its password, and its second factor if it has one).
   */
  | { kind: 'link'; user: User }
  /** No account yet: one may be created. */
  | { kind: 'new' }

export type FederationService<Tx extends FederationStores = FederationStores> = ReturnType<typeof createFederationService<Tx>>

/**
 * Upstream identities and the accounts they sign in to (issue 15 §3). The subject identifies the
 * upstream user, never the email. An address is trusted only when the upstream vouched for it with
 * `email_verified: true`, and even then an existing account is linked only after its owner proves
 * control of it (OWASP: account takeover through unverified identity linking).
 */
export function createFederationService<Tx extends FederationStores>(deps: FederationServiceDeps<Tx>) {
  const { stores, transact, clock } = deps

  const linkedEvent = (identity: Identity, actor: Actor, how: string, ip: string | null) =>
    ({
      type: 'identity.linked',
      actor,
      userId: identity.userId,
      payload: { identityId: identity.id, connectionId: identity.connectionId, how },
      ip,
      createdAt: clock.now(),
    }) as const

  async function insertIdentity(tx: FederationStores, identity: Identity): Promise<void> {
    try {
      await tx.identities.insert(identity)
    } catch (error) {
      if (isUniqueViolation(error)) throw new TesseraError('identity_taken')
      throw error
    }
  }

  const newIdentity = (profile: UpstreamProfile, userId: string): Identity => ({
    id: `idn_${randomToken(deps.random, 16)}`,
    connectionId: profile.connectionId,
    subject: profile.subject,
    userId,
    email: profile.email,
    createdAt: clock.now(),
    lastUsedAt: clock.now(),
  })

  return {
    /** Decides what an upstream sign-in means; writes nothing. */
    async resolve(connection: Connection, profile: UpstreamProfile): Promise<Resolution> {
      const identity = await stores.identities.findBySubject(connection.id, profile.subject)
      if (identity) {
        const user = await stores.users.findById(identity.userId)
        if (!user) throw new TesseraError('upstream_rejected')
        if (user.status !== 'active') throw new TesseraError('user_disabled')
        return { kind: 'known', identity, user }
      }
      const existing = profile.email ? await stores.users.findByEmail(profile.email) : null
      if (existing) {
        // Never silently: an unverified upstream address is no claim on an account at all.
        if (!profile.emailVerified) throw new TesseraError('upstream_account_exists')
        if (existing.status !== 'active') throw new TesseraError('user_disabled')
        return { kind: 'link', user: existing }
      }
      if (!connection.allowSignUp) throw new TesseraError('upstream_sign_up_disabled')
      if (!profile.email) throw new TesseraError('upstream_email_missing')
      return { kind: 'new' }
    },

    /** Records a sign-in through a known identity. */
    async touch(identity: Identity): Promise<void> {
      await transact((tx) => tx.identities.touch(identity.id, clock.now()))
    },

    /**
     * Creates an account for a new upstream user (just in time), its identity, and whatever `then`
     * adds (the first session), in one transaction. The address is marked verified only when the
     * upstream said `email_verified: true`.
     */
    async signUp<T>(profile: UpstreamProfile, ip: string | null, then: InAccountTransaction<Tx, T>): Promise<{ user: User; result: T }> {
      const email = profile.email
      if (!email) throw new TesseraError('upstream_email_missing')
      return transact(async (tx) => {
        const now = clock.now()
        if (await tx.users.findByEmail(email)) throw new TesseraError('upstream_account_exists')
        const user: User = {
          id: `usr_${randomToken(deps.random, 16)}`,
          email,
          status: 'active',
          tokenVersion: 1,
          emailVerified: profile.emailVerified,
          createdAt: now,
          updatedAt: now,
        }
        try {
          await tx.users.insert(user)
        } catch (error) {
          if (isUniqueViolation(error)) throw new TesseraError('upstream_account_exists')
          throw error
        }
        const actor: Actor = { kind: 'user', id: user.id }
        await tx.events.append({
          type: 'user.created',
          actor,
          userId: user.id,
          payload: { email, via: profile.connectionId },
          ip,
          createdAt: now,
        })
        await deps.onAccountCreated?.(tx, user, actor)
        const identity = newIdentity(profile, user.id)
        await insertIdentity(tx, identity)
        await tx.events.append(linkedEvent(identity, actor, 'sign_up', ip))
        return { user, result: await then(tx, user) }
      })
    },

    /** Links an upstream identity to an account whose owner has just proved control of it. */
    async link(
      userId: string,
      profile: UpstreamProfile,
      actor: Actor,
      how: 'sign_in' | 'account_page',
      ip: string | null,
    ): Promise<Identity> {
      return transact(async (tx) => {
        const connection = await tx.connections.findById(profile.connectionId)
        if (!connection) throw new TesseraError('connection_not_found')
        const identity = newIdentity(profile, userId)
        await insertIdentity(tx, identity)
        await tx.events.append(linkedEvent(identity, actor, how, ip))
        return identity
      })
    },

    listForUser: (userId: string) => stores.identities.listByUser(userId),

    /**
     * Unlinks one of the user's identities, if the account keeps another way to sign in. Only an
     * operator may `force` the removal of the last one (the account then cannot sign in until a
     * password is set by reset); the event says so.
     */
    async unlink(userId: string, identityId: string, actor: Actor, ip: string | null, options: { force?: boolean } = {}): Promise<void> {
      await transact(async (tx) => {
        const mine = await tx.identities.listByUser(userId)
        const identity = mine.find((each) => each.id === identityId)
        if (!identity) throw new TesseraError('identity_not_found')
        const last = mine.length <= 1 && !(await tx.identities.hasPassword(userId))
        if (last && options.force !== true) throw new TesseraError('last_sign_in_method')
        if (!(await tx.identities.delete(identityId, userId))) throw new TesseraError('identity_not_found')
        await tx.events.append({
          type: 'identity.unlinked',
          actor,
          userId,
          payload: { identityId, connectionId: identity.connectionId, by: actor.kind, ...(last ? { forced: true } : {}) },
          ip,
          createdAt: clock.now(),
        })
      })
    },
  }
}
