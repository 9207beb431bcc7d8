import { describe, expect, it } from 'vitest'
import { drainOutbox, MAX_FAN_OUT_PASSES } from './outbox-drain.js'

describe('drainOutbox', () => {
  it('passes until the outbox has no more and sums what was queued', async () => {
    const passes = [
      { enqueued: 3, more: true },
      { enqueued: 2, more: true },
      { enqueued: 0, more: false },
      { enqueued: 9, more: true },
    ]
    let made = 0
    const queued = await drainOutbox(async () => passes[made++] as (typeof passes)[number])
    expect(queued).toBe(5)
    expect(made).toBe(3)
  })

  it('stops a backlog that never ends after MAX_FAN_OUT_PASSES passes, for the next tick to continue', async () => {
    let made = 0
    const queued = await drainOutbox(async () => {
      made += 1
      return { enqueued: 1, more: true }
    })
    expect(made).toBe(MAX_FAN_OUT_PASSES)
    expect(queued).toBe(MAX_FAN_OUT_PASSES)
  })

  it('rejects with a failed pass and makes no further pass', async () => {
    let made = 0
    const failure = new Error('database down')
    await expect(
      drainOutbox(async () => {
        made += 1
        if (made === 2) throw failure
        return { enqueued: 1, more: true }
      }),
    ).rejects.toBe(failure)
    expect(made).toBe(2)
  })
})
