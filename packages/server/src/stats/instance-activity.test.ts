import { describe, expect, it } from 'vitest'
import { createManualClock } from '../shared/clock.js'
import { noMetrics } from '../shared/metrics.js'
import { createInstanceActivity, observeActivity } from './instance-activity.js'

const HOUR = 3_600_000

describe('instance activity', () => {
  it('counts tokens per hour and forgets hours older than a day', () => {
    const clock = createManualClock(Date.parse('2026-01-01T00:00:00Z'))
    const activity = createInstanceActivity(clock)
    const recorder = observeActivity(noMetrics, activity)
    recorder.tokenIssued('client_credentials')
    clock.advance(HOUR + 1)
    recorder.tokenIssued('refresh_token')
    recorder.tokenIssued('refresh_token')
    const origin = Date.parse('2026-01-01T00:00:00Z')
    expect(activity.tokensPerHour(origin).slice(0, 3)).toEqual([1, 2, 0])
    clock.advance(23 * HOUR) // now in the 25th hour: the first has left the last 24
    activity.tokenIssued()
    expect(activity.tokensPerHour(origin)).toEqual([0, 2, ...Array(22).fill(0)])
    expect(activity.tokensPerHour(origin + HOUR)).toEqual([2, ...Array(22).fill(0), 1])
  })

  it('reports the feed lag of the last 15 minutes in a bounded ring', () => {
    const clock = createManualClock()
    const activity = createInstanceActivity(clock)
    expect(activity.feedLag()).toEqual({ samples: 0, p50Ms: null, p99Ms: null, maxMs: null })
    activity.revocationBroadcast(5000) // old: out of the window later
    clock.advance(20 * 60_000)
    for (let lag = 1; lag <= 2000; lag += 1) activity.revocationBroadcast(lag % 100)
    activity.revocationBroadcast(-3) // another instance's clock ahead: counted as 0
    const lag = activity.feedLag()
    expect(lag.samples).toBe(1024)
    expect(lag.maxMs).toBe(99)
    expect(lag.p50Ms).toBeGreaterThanOrEqual(45)
    expect(lag.p50Ms).toBeLessThanOrEqual(55)
    expect(lag.p99Ms).toBeGreaterThanOrEqual(97)
  })
})
