/**
 * How a route answers web pages on other origins (Fetch §3.2, the CORS protocol):
 * - `public`: a public document (discovery, JWKS); any origin may read it, never with credentials.
 * - `client`: an OAuth endpoint a browser app calls (token, revocation, userinfo); only an origin
 *   allowed for the client the request authenticates or names may call it, and a request from any
 *   other origin is refused before the handler runs, so it changes nothing.
 */
export type CorsPolicy = 'public' | 'client'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Cross-origin policy of the route (cors/cors-route-config.ts); none: same-origin only. */
    cors?: CorsPolicy
  }
}
