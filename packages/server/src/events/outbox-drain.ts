/** One fan-out pass over the outbox: how many deliveries it queued, and whether more events wait. */
export interface FanOutPass {
  enqueued: number
  more: boolean
}

/**
 * Passes a dispatcher's tick makes over the outbox at most: a huge backlog is drained a batch at a
 * time and continues at the next tick, so one tick never holds the loop for the whole backlog.
 */
export const MAX_FAN_OUT_PASSES = 20

/**
 * Runs `fanOut` until the outbox has nothing more for it or `MAX_FAN_OUT_PASSES` passes ran; the
 * deliveries queued in all. Shared by the dispatchers that turn outbox events into deliveries
 * (email, webhooks, back-channel logout; docs/architecture.md §13).
 */
export async function drainOutbox(fanOut: () => Promise<FanOutPass>): Promise<number> {
  let enqueued = 0
  for (let pass = 0, more = true; more && pass < MAX_FAN_OUT_PASSES; pass += 1) {
    const result = await fanOut()
    enqueued += result.enqueued
    more = result.more
  }
  return enqueued
}
