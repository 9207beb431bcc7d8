import type { Actor, EventOutbox } from '../events/event-outbox.js'
import type { Clock } from '../shared/clock.js'
import type { RandomSource } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import type { User } from '../users/user.js'
import type { ResolveHost } from '../webhooks/webhook-target.js'
import { redirectUriOf, shownFor, type UpstreamProfile } from './connection.js'
import { createConnectionSecretBox } from './connection-secret-box.js'
import { createConnectionService } from './connection-service.js'
import type { ConnectionStore } from './connection-store.js'
import { createFederationService, type FederationStores } from './federation-service.js'
import { createUpstreamClient } from './upstream-client.js'
import type { UpstreamFailure } from './upstream-failure.js'

export interface ConnectionsDeps<Tx extends FederationStores> {
  stores: Pick<FederationStores, 'identities' | 'users'> & { connections: ConnectionStore }
  transact: Transact<Tx>
  clock: Clock
  random: RandomSource
  /** The subkey that seals client secrets. */
  secretKey: Buffer
  issuer: string
  production: boolean
  resolve: ResolveHost
  /** Bound on every upstream request. */
  timeoutMs: number
  /** Runs in the transaction that creates an account just in time (the default roles). */
  onAccountCreated?: (tx: Tx, user: User, actor: Actor) => Promise<unknown>
}

/** The connections domain, wired: the operators' service, the upstream client and the identities. */
export function createConnections<Tx extends FederationStores & { events: EventOutbox }>(deps: ConnectionsDeps<Tx>) {
  let client: ReturnType<typeof createUpstreamClient> | undefined
  const service = createConnectionService({
    stores: deps.stores,
    transact: deps.transact,
    clock: deps.clock,
    random: deps.random,
    secretBox: createConnectionSecretBox(deps.secretKey),
    resolve: deps.resolve,
    production: deps.production,
    issuer: deps.issuer,
    onChange: (id) => client?.forget(id),
  })
  client = createUpstreamClient({
    resolve: deps.resolve,
    timeoutMs: deps.timeoutMs,
    production: deps.production,
    clock: deps.clock,
    redirectUri: (id) => redirectUriOf(deps.issuer, id),
    clientSecret: (connection) => service.clientSecret(connection),
    privateKey: (connection) => service.privateKey(connection),
  })
  const federation = createFederationService<Tx>({
    stores: deps.stores,
    transact: deps.transact,
    clock: deps.clock,
    random: deps.random,
    ...(deps.onAccountCreated ? { onAccountCreated: deps.onAccountCreated } : {}),
  })
  return {
    service,
    client,
    federation,
    /** The connections an application's sign-in page offers. */
    async offeredTo(clientId: string | null) {
      return (await service.list())
        .filter((connection) => shownFor(connection, clientId))
        .map(({ id, name, preset, iconUrl }) => ({ id, name, preset, iconUrl }))
    },
    /** Links an identity from the account page: the signed-in user started and finished the round trip. */
    async linkFromAccount(userId: string, profile: UpstreamProfile, ip: string | null): Promise<void> {
      await federation.link(userId, profile, { kind: 'user', id: userId }, 'account_page', ip)
    },
    /** The user's identities with their connection's name (the admin API, the console). */
    async identitiesOf(userId: string) {
      const [identities, connections] = await Promise.all([federation.listForUser(userId), service.list()])
      const names = new Map(connections.map((connection) => [connection.id, connection.name]))
      return identities.map((identity) => ({ ...identity, connectionName: names.get(identity.connectionId) ?? identity.connectionId }))
    },
    /** Whether the user has a password besides its identities. */
    hasPassword: (userId: string) => deps.stores.identities.hasPassword(userId),
    /** Records a failed round trip: the upstream's error name or the failed check, never a token. */
    async recordFailure(connectionId: string, failure: UpstreamFailure, ip: string | null) {
      await deps.transact((tx) =>
        tx.events.append({
          type: 'sign_in.upstream_failed',
          actor: { kind: 'anonymous' },
          userId: null,
          payload: { connectionId, reason: failure.reason, ...(failure.upstreamError ? { upstreamError: failure.upstreamError } : {}) },
          ip,
          createdAt: deps.clock.now(),
        }),
      )
    },
  }
}

export type Connections = ReturnType<typeof createConnections>
