import type { Application } from '../applications/application.js'
import { type Connection, shownFor } from '../connections/connection.js'
import type { PendingUpstream, UpstreamResult } from '../connections/upstream-client.js'
import type { UpstreamFailure } from '../connections/upstream-failure.js'
import type { Clock } from '../shared/clock.js'
import { digestsEqual, sha256 } from '../shared/digest.js'
import { TesseraError } from '../shared/errors.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { Flow, UpstreamRoundTrip } from './flow.js'
import type { FlowService } from './flow-service.js'

/** How long the return code of an app's round trip can be redeemed after the callback (RFC 6749 §4.1.2: short-lived). */
export const RETURN_CODE_TTL_MS = 2 * 60_000

const CONNECTION_ID = /^con_[A-Za-z0-9_-]{22}$/

export interface UpstreamApiDeps {
  flows: FlowService
  connections: { get(id: string): Promise<Connection> }
  client: {
    begin(
      connection: Connection,
      state: string,
    ): Promise<{ ok: true; url: string; pending: PendingUpstream } | { ok: false; failure: UpstreamFailure }>
    finish(connection: Connection, query: URLSearchParams, state: string, pending: PendingUpstream): Promise<UpstreamResult>
  }
  findApplication(clientId: string): Promise<Application | null>
  recordFailure(connectionId: string, failure: UpstreamFailure, ip: string | null): Promise<void>
  random: RandomSource
  clock: Clock
}

export type UpstreamApi = ReturnType<typeof createUpstreamApi>

/**
 * Issue 15 part 2: a first-party app signs in through an upstream provider over the flow API.
 *
 * The app holds the flow's token; the user's browser (a system browser, say) does the round trip
 * and never sees that token. So the result is split between the two, as an authorization code is
 * split from its PKCE verifier: the callback checks `state` (its secret, whose hash the flow keeps,
 * RFC 9700 §4.7.1), redeems the upstream code, keeps the verified user in the flow and sends the
 * browser to the app's registered redirect URI (matched exactly, RFC 9700 §2.1) with a one-time
 * return code and the app's own `state`; the app then redeems that code with the flow's token
 * (`POST /v1/flows/{id}`), and only then does the `upstream` step run and hand out the session, in
 * the JSON answer, never in a URL. Someone who lures a victim through a flow they started holds the
 * token but never sees the code (it goes to the app's redirect URI in the victim's browser); the
 * app in that browser holds the code but not that flow's token, and its `state` check fails.
 * Mix-up (RFC 9700 §4.4): each connection has its own callback URI, and the callback checks that
 * the flow's round trip is for that connection; openid-client checks RFC 9207 `iss` where offered.
 */
export function createUpstreamApi(deps: UpstreamApiDeps) {
  const { flows, clock } = deps

  return {
    /** Checks a client named at `POST /v1/flows`: only a first-party application may sign its users in this way. */
    async checkClient(clientId: string): Promise<void> {
      const application = await deps.findApplication(clientId)
      if (!application?.firstParty) throw new TesseraError('first_party_required')
    },

    /** The `upstream` step's first half: starts the round trip and answers the upstream's authorization URL. */
    async begin(
      flow: Flow,
      token: string,
      input: { connectionId?: string; returnTo?: string; state?: string },
      ip: string | null,
    ): Promise<{ flow: Flow; url: string }> {
      if (flow.clientId === null) throw new TesseraError('first_party_required')
      const connection =
        input.connectionId !== undefined && CONNECTION_ID.test(input.connectionId)
          ? await deps.connections.get(input.connectionId).catch(() => null)
          : null
      if (!connection || !shownFor(connection, flow.clientId)) throw new TesseraError('connection_not_found')
      const application = await deps.findApplication(flow.clientId)
      if (!application?.firstParty) throw new TesseraError('first_party_required')
      // RFC 9700 §2.1: redirect URIs are compared exactly; the browser returns only to the app.
      if (input.returnTo === undefined || !application.redirectUris.includes(input.returnTo))
        throw new TesseraError('redirect_uri_mismatch')
      const secret = randomToken(deps.random, 32)
      const begun = await deps.client.begin(connection, `${flow.id}.${secret}`)
      if (!begun.ok) {
        await deps.recordFailure(connection.id, begun.failure, ip)
        throw new TesseraError(begun.failure.code)
      }
      const round: UpstreamRoundTrip = {
        connectionId: connection.id,
        stateHash: sha256(secret),
        nonce: begun.pending.nonce,
        codeVerifier: begun.pending.codeVerifier,
        startedAt: clock.now(),
        app: { returnTo: input.returnTo, state: input.state ?? null },
      }
      const saved = await flows.save({ ...flow, context: { ...flow.context, upstream: round } }, flow, token)
      return { flow: saved, url: begun.url }
    },

    /**
     * The callback of an app's round trip, once `state` matched and the round trip left the flow
     * (`consumed`): redeems the upstream code and answers where to send the browser: the app's
     * redirect URI with `flow`, `code` and `state`, or with `error` (the failure's code, never an
     * upstream token).
     */
    async answer(
      consumed: Flow,
      round: UpstreamRoundTrip,
      connection: Connection,
      query: URLSearchParams,
      state: string,
      ip: string | null,
    ) {
      const app = round.app as NonNullable<UpstreamRoundTrip['app']>
      const back = new URL(app.returnTo)
      back.searchParams.set('flow', consumed.id)
      if (app.state !== null) back.searchParams.set('state', app.state)
      const result = await deps.client.finish(connection, query, state, round)
      if (!result.ok) {
        await deps.recordFailure(connection.id, result.failure, ip)
        back.searchParams.set('error', result.failure.code)
        return back.href
      }
      const code = randomToken(deps.random, 32)
      const { app: _app, ...kept } = round
      const upstream: UpstreamRoundTrip = { ...kept, answer: { profile: result.profile, codeHash: sha256(code), at: clock.now() } }
      await flows.saveKeepingBinding({ ...consumed, context: { ...consumed.context, upstream } }, consumed)
      back.searchParams.set('code', code)
      return back.href
    },

    /**
     * The `upstream` step's second half: the app redeems the return code with the flow's token.
     * The answer leaves the flow first, whatever the code (a wrong code ends the round trip, and a
     * replay or a concurrent redemption loses the version race); the flow comes back with the
     * verified user in memory, for the `upstream` step.
     */
    async redeem(flow: Flow, token: string, code: string | undefined): Promise<Flow> {
      const round = flow.context.upstream
      const answer = round?.answer
      if (!round || !answer) throw new TesseraError('upstream_code_invalid')
      const { upstream: _used, ...context } = flow.context
      const consumed = await flows.save({ ...flow, context }, flow, token)
      const fresh = clock.now() - answer.at < RETURN_CODE_TTL_MS
      if (code === undefined || !fresh || !digestsEqual(answer.codeHash, sha256(code))) throw new TesseraError('upstream_code_invalid')
      const { answer: _answer, ...rest } = round
      return { ...consumed, context: { ...consumed.context, upstream: { ...rest, verified: answer.profile } } }
    },
  }
}
