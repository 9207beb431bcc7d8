/**
 * A live Tessera session, as `GET /v1/session` describes it.
 *
 * @example
 * const { userId, sessionId }: SessionContext = await verifier.verifySession(sessionToken)
 */
export interface SessionContext {
  readonly userId: string
  readonly sessionId: string
}
