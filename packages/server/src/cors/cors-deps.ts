import type { Application } from '../applications/application.js'
import type { CorsPolicy } from './cors-route-config.js'

export interface CorsDeps {
  /** The issuer's own origin: its pages are same-origin and need no CORS. */
  issuerOrigin: string
  findApplication(clientId: string): Promise<Application | null>
  /** Whether any application allows this origin (a preflight names no client). */
  isOriginOfAnyApplication(origin: string): Promise<boolean>
  /** The client a valid access token was issued to; null for any other token. */
  clientOfAccessToken(token: string): Promise<string | null>
}

/** A route with a CORS policy, and the methods it answers. */
export interface CorsRoute {
  policy: CorsPolicy
  methods: Set<string>
}
