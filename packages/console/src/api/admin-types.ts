/** The admin API's views, as docs/admin-api-reference.md describes them. */

export interface User {
  id: string
  email: string
  status: 'active' | 'disabled'
  emailVerified: boolean
  createdAt: string
}

export interface Session {
  id: string
  createdAt: string
  lastActiveAt: string
  expiresAt: string
  authTime: string
  amr: string[]
  userAgent: string | null
  ip: string | null
}

export type ApplicationType = 'web' | 'spa' | 'native' | 'm2m' | 'resource-server'

export interface Application {
  clientId: string
  name: string
  type: ApplicationType
  grants: string[]
  redirectUris: string[]
  apis: string[]
  scopes: string[]
  accessTokenTtl: number | null
  refreshTokenTtl: number | null
  firstParty: boolean
  postLogoutRedirectUris: string[]
  /** What the operator set; null when the default applies. */
  webOrigins: string[] | null
  /** The web origins in force. */
  allowedWebOrigins: string[]
  backchannelLogoutUri: string | null
  createdAt: string
}

export interface Api {
  id: string
  identifier: string
  name: string
  mode: 'session' | 'jwt' | 'hybrid'
  accessTokenTtl: number
  scopes: string[]
  rolesClaim: boolean
  createdAt: string
}

export interface Role {
  id: string
  name: string
  description: string
  createdAt: string
  updatedAt: string
}

export interface RoleDetail extends Role {
  permissions: { api: string; permission: string }[]
}

export interface SigningKey {
  kid: string
  alg: string
  state: string
  createdAt: string | null
  activatesAt: string | null
  retiredAt: string | null
  removeAfter: string | null
  revokedAt: string | null
}

export interface AuditEntry {
  id: string
  occurredAt: string
  actor: { kind: string; id: string | null }
  action: string
  target: { type: string; id: string } | null
  userId: string | null
  ip: string | null
  detail: Record<string, unknown>
}

export interface WebhookEndpoint {
  id: string
  url: string
  events: string[]
  allowInsecureDevelopment: boolean
  previousSecretExpiresAt: string | null
  createdAt: string
}

export interface EmailDelivery {
  id: string
  template: string
  eventSeq: number
  userId: string | null
  recipient: string
  subject: string
  status: 'pending' | 'sent' | 'failed'
  attempts: number
  lastAttemptAt: string | null
  lastError: string | null
  nextAttemptAt: string | null
  sentAt: string | null
}

export interface SignInPoint {
  at: string
  succeeded: number
  failed: number
}

/** GET /stats: the overview's figures. */
export interface Stats {
  generatedAt: string
  counts: { users: number; activeSessions: number; applications: number; apis: number }
  signIns: { hourly: SignInPoint[]; daily: SignInPoint[] }
  tokensIssued: { scope: 'instance'; since: string; hourly: { at: string; count: number }[] }
  revocationFeed: {
    scope: 'instance'
    subscribers: number
    lag: { windowSeconds: number; samples: number; p50Ms: number | null; p99Ms: number | null; maxMs: number | null }
  }
  webhooks: { pending: number; oldestPendingAt: string | null }
}

export interface WebhookDelivery {
  id: string
  endpointId: string
  eventType: string
  eventSeq: number
  status: 'pending' | 'succeeded' | 'failed'
  attempts: number
  lastAttemptAt: string | null
  lastResponseCode: number | null
  lastError: string | null
  nextAttemptAt: string | null
  createdAt: string
}

/** The event types an endpoint may subscribe to: the server's own list, not a copy. */
export { WEBHOOK_EVENT_TYPES } from '../../../server/src/webhooks/webhook-event-types.js'
