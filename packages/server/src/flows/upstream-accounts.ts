import type { UpstreamProfile } from '../connections/connection.js'
import type { ConnectionService } from '../connections/connection-service.js'
import type { FederationService, FederationStores } from '../connections/federation-service.js'
import type { SessionService, SessionServiceStores } from '../sessions/session-service.js'
import { TesseraError } from '../shared/errors.js'
import type { UpstreamAccounts } from './steps/step.js'

export interface UpstreamAccountsDeps<Tx extends FederationStores & Pick<SessionServiceStores, 'sessions' | 'events'>> {
  connections: Pick<ConnectionService, 'get'>
  federation: FederationService<Tx>
  sessions: Pick<SessionService, 'start'>
  /** `signUp.requireVerifiedEmail`: no account, and so no sign-in, on an address the upstream did not verify. */
  requireVerifiedEmail?: boolean
}

/**
 * What the `upstream` step needs from accounts, over the connections domain: known identities sign
 * in, verified addresses of existing accounts wait for proof, new users get an account and its
 * first session in one transaction (as a registration does), all with the method `fed`.
 */
export function createUpstreamAccounts<Tx extends FederationStores & Pick<SessionServiceStores, 'sessions' | 'events'>>(
  deps: UpstreamAccountsDeps<Tx>,
): UpstreamAccounts {
  return {
    async signIn(profile, device, options) {
      const connection = await deps.connections.get(profile.connectionId)
      const resolution = await deps.federation.resolve(connection, profile as UpstreamProfile)
      if (resolution.kind === 'known') {
        await deps.federation.touch(resolution.identity)
        return { kind: 'known', userId: resolution.user.id }
      }
      if (resolution.kind === 'link') {
        if (profile.email === null) throw new TesseraError('upstream_email_missing')
        return {
          kind: 'link',
          link: {
            connectionId: connection.id,
            connectionName: connection.name,
            subject: profile.subject,
            email: profile.email,
            userId: resolution.user.id,
          },
        }
      }
      // Issue 12's rule holds for upstream accounts too: an unverified address signs in nowhere.
      if (deps.requireVerifiedEmail && !profile.emailVerified) throw new TesseraError('email_not_verified')
      const { user, result } = await deps.federation.signUp(profile, device.ip, (tx, created) =>
        options.startSession
          ? deps.sessions.start(tx, { user: created, device, amr: ['fed'], actor: { kind: 'user', id: created.id } })
          : Promise.resolve(null),
      )
      return { kind: 'created', userId: user.id, started: result ? { user, ...result } : null }
    },

    async completeLink(link, device) {
      const profile: UpstreamProfile = {
        connectionId: link.connectionId,
        subject: link.subject,
        email: link.email,
        emailVerified: true,
        name: null,
      }
      await deps.federation.link(link.userId, profile, { kind: 'user', id: link.userId }, 'sign_in', device.ip)
    },
  }
}
