import { describe, expect, it } from 'vitest'
import { signInSeries, windowsAt } from './activity-series.js'

describe('sign-in series', () => {
  it('puts every hourly count in its hour and its day, and leaves no bucket out', () => {
    const windows = windowsAt(Date.parse('2026-03-31T05:59:59.999Z'))
    expect(new Date(windows.hourlyOrigin).toISOString()).toBe('2026-03-30T06:00:00.000Z')
    expect(new Date(windows.dailyOrigin).toISOString()).toBe('2026-03-02T00:00:00.000Z')
    const firstHour = (windows.hourlyOrigin - windows.dailyOrigin) / 3_600_000
    const series = signInSeries(
      [
        { action: 'sign_in.succeeded', hour: 0, count: 4 }, // the first day only
        { action: 'sign_in.failed', hour: firstHour - 1, count: 2 }, // the hour before the 24
        { action: 'sign_in.failed', hour: firstHour, count: 3 },
        { action: 'sign_in.succeeded', hour: firstHour + 23, count: 5 }, // the current hour
        { action: 'sign_in.throttled', hour: firstHour, count: 9 }, // not charted
      ],
      windows,
    )
    expect(series.hourly).toHaveLength(24)
    expect(series.daily).toHaveLength(30)
    expect(series.hourly[0]).toEqual({ at: '2026-03-30T06:00:00.000Z', succeeded: 0, failed: 3 })
    expect(series.hourly[23]).toEqual({ at: '2026-03-31T05:00:00.000Z', succeeded: 5, failed: 0 })
    expect(series.daily[0]).toEqual({ at: '2026-03-02T00:00:00.000Z', succeeded: 4, failed: 0 })
    expect(series.daily[28]).toEqual({ at: '2026-03-30T00:00:00.000Z', succeeded: 0, failed: 5 })
    expect(series.daily[29]).toEqual({ at: '2026-03-31T00:00:00.000Z', succeeded: 5, failed: 0 })
    const total = (points: { succeeded: number; failed: number }[]) => points.reduce((sum, p) => sum + p.succeeded + p.failed, 0)
    expect(total(series.daily)).toBe(14)
    expect(total(series.hourly)).toBe(8)
  })
})
