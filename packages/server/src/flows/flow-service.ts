import { createHmac } from 'node:crypto'
import type { Clock } from '../shared/clock.js'
import { digestsEqual, sha256 } from '../shared/digest.js'
import { TesseraError } from '../shared/errors.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import type { Flow, FlowContext, FlowType, StepName } from './flow.js'
import type { FlowStore } from './flow-store.js'

/** How long a user has to finish a flow before it must start again. */
export const FLOW_TTL_MS = 15 * 60_000

const FLOW_ID = /^[A-Za-z0-9_-]{22}$/

export interface FlowServiceDeps {
  store: FlowStore
  transact: Transact<{ flows: FlowStore }>
  clock: Clock
  random: RandomSource
  /** Keys the flows' CSRF tokens (a subkey of the master key). */
  csrfKey: Buffer
}

export type FlowService = ReturnType<typeof createFlowService>

/** Creating, finding, checking and saving flows; what a flow does lives in its steps. */
export function createFlowService(deps: FlowServiceDeps) {
  const { store, clock, random } = deps

  /**
   * The CSRF token of one version of a flow: an HMAC of the flow, its version and the browser's
   * HttpOnly binding secret, which a cross-site page can neither read nor guess (OWASP CSRF
   * Prevention Cheat Sheet, synchronizer token). A new version gets a new token, so a form from a
   * step already done is refused.
   */
  const csrfToken = (flowId: string, version: number, binding: string) =>
    createHmac('sha256', deps.csrfKey).update(`flow\u0000${flowId}\u0000${version}\u0000${binding}`).digest('base64url')

  return {
    /**
     * A new flow at version 0: not stored, and with no CSRF token
     * yet. `save` binds it to the browser and stores it as version 1; a flow done within one request is never stored.
     */
    start(
      type: FlowType,
      init: { next: StepName[]; clientId?: string | null; userId?: string | null; sessionId?: string | null; context?: FlowContext },
    ): Flow {
      const now = clock.now()
      const id = randomToken(random, 16)
      return {
        id,
        type,
        bindingHash: '',
        csrfHash: '',
        next: init.next,
        done: [],
        userId: init.userId ?? null,
        sessionId: init.sessionId ?? null,
        clientId: init.clientId ?? null,
        context: init.context ?? {},
        version: 0,
        createdAt: now,
        updatedAt: now,
        expiresAt: now + FLOW_TTL_MS,
      }
    },

    /**
     * The flow, if it exists, is unexpired, is of `type` (or one of them) and belongs to this browser; otherwise
     * 400 `flow_expired`, the same for each reason. The binding is compared in constant time.
     */
    async load(id: string | undefined, binding: string | null, type: FlowType | readonly FlowType[]): Promise<Flow> {
      if (id === undefined || binding === null || !FLOW_ID.test(id)) throw new TesseraError('flow_expired')
      const flow = await store.findById(id)
      const types: readonly FlowType[] = typeof type === 'string' ? [type] : type
      if (!flow || !types.includes(flow.type) || clock.now() >= flow.expiresAt || !digestsEqual(flow.bindingHash, sha256(binding)))
        throw new TesseraError('flow_expired')
      return flow
    },

    /**
     * Issue 15: the flow named by an upstream callback's `state`, whatever it is bound to, or 400
     * `flow_expired`. Only the callback uses it, after which it checks the state's secret against
     * the flow, and the binding too unless the round trip belongs to an app (flows/upstream-api.ts).
     */
    async find(id: string, type: FlowType): Promise<Flow> {
      if (!FLOW_ID.test(id)) throw new TesseraError('flow_expired')
      const flow = await store.findById(id)
      if (!flow || flow.type !== type || clock.now() >= flow.expiresAt) throw new TesseraError('flow_expired')
      return flow
    },

    /** Whether `binding` is the secret `flow` is bound to; compared in constant time. */
    isBoundTo(flow: Flow, binding: string | null): boolean {
      return binding !== null && digestsEqual(flow.bindingHash, sha256(binding))
    },

    /**
     * Stores the next version of `before` keeping its binding, for a caller that does not hold the
     * binding secret (an app's upstream callback, which the app's token never reaches). The new
     * CSRF token is random and shown to no one: such a flow is driven by its token, not by forms.
     */
    async saveKeepingBinding(flow: Flow, before: Flow): Promise<Flow> {
      const next = {
        ...flow,
        version: before.version + 1,
        bindingHash: before.bindingHash,
        csrfHash: sha256(randomToken(random, 32)),
        updatedAt: clock.now(),
      }
      if (before.version === 0 || !(await store.update(next, before.version))) throw new TesseraError('flow_expired')
      return next
    },

    /** The CSRF token the flow's current forms carry. */
    csrfFor(flow: Flow, binding: string): string {
      return csrfToken(flow.id, flow.version, binding)
    },

    /** Refuses a form whose token is not the flow's current one (403 `csrf_token_invalid`); compared in constant time. */
    checkCsrf(flow: Flow, token: string | undefined): void {
      if (token === undefined || token.length > 64 || !digestsEqual(flow.csrfHash, sha256(token)))
        throw new TesseraError('csrf_token_invalid')
    },

    /**
     * Stores `flow` as the next version of `before` (new version, new CSRF token). If someone
     * else moved the flow on first (a second tab, a replayed form), nothing is written: 400
     * `flow_expired`.
     */
    async save(flow: Flow, before: Flow, binding: string): Promise<Flow> {
      const version = before.version + 1
      const next = {
        ...flow,
        version,
        bindingHash: sha256(binding),
        csrfHash: sha256(csrfToken(flow.id, version, binding)),
        updatedAt: clock.now(),
      }
      if (before.version === 0) {
        // A new flow; expired ones are dropped as new ones come, so the table stays small.
        await deps.transact(async (tx) => {
          await tx.flows.prune(clock.now())
          await tx.flows.insert(next)
        })
        return next
      }
      if (!(await store.update(next, before.version))) throw new TesseraError('flow_expired')
      return next
    },

    /** Ends the flow inside the caller's transaction; a flow already ended or moved on fails it (400 `flow_expired`). */
    async endIn(tx: { flows: FlowStore }, flow: Flow): Promise<void> {
      if (flow.version === 0) return
      if (!(await tx.flows.delete(flow.id, flow.version))) throw new TesseraError('flow_expired')
    },
  }
}
