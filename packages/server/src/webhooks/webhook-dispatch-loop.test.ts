import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { startDispatchLoop } from './webhook-dispatch-loop.js'

describe('the webhook dispatch loop', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('ticks once per interval, never two ticks at once', async () => {
    let running = 0
    let most = 0
    let ticks = 0
    const loop = startDispatchLoop({
      intervalMs: 100,
      onError: () => {},
      tick: async () => {
        running += 1
        most = Math.max(most, running)
        ticks += 1
        await new Promise((resolve) => setTimeout(resolve, 250)) // a slow tick
        running -= 1
      },
    })
    await vi.advanceTimersByTimeAsync(99)
    expect(ticks).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(ticks).toBe(1)
    await vi.advanceTimersByTimeAsync(1000)
    expect(ticks).toBe(3) // each tick takes 250 ms, then the loop waits 100 ms
    expect(most).toBe(1)
    const stopping = loop.stop()
    await vi.advanceTimersByTimeAsync(1000)
    await stopping
  })

  it('reports a failed tick and keeps going', async () => {
    const errors: unknown[] = []
    let ticks = 0
    const loop = startDispatchLoop({
      intervalMs: 10,
      onError: (error) => errors.push(error),
      tick: async () => {
        ticks += 1
        if (ticks === 1) throw new Error('store unavailable')
      },
    })
    await vi.advanceTimersByTimeAsync(25)
    expect(ticks).toBe(2)
    expect(errors).toHaveLength(1)
    await loop.stop()
  })

  it('stop() waits for the tick in progress and schedules no other', async () => {
    let finished = false
    let ticks = 0
    const loop = startDispatchLoop({
      intervalMs: 10,
      onError: () => {},
      tick: async () => {
        ticks += 1
        await new Promise((resolve) => setTimeout(resolve, 50))
        finished = true
      },
    })
    await vi.advanceTimersByTimeAsync(10)
    const stopped = loop.stop().then(() => finished)
    await vi.advanceTimersByTimeAsync(50)
    expect(await stopped).toBe(true)
    await vi.advanceTimersByTimeAsync(1000)
    expect(ticks).toBe(1)
  })
})
