import { describe, expect, it } from 'vitest'
import { type BurstReport, createBurstLog } from './burst-log.js'

/** A burst log whose windows end only when the test says so. */
function manualBurstLog() {
  const reports: BurstReport<'store_unavailable' | 'rate_limited'>[] = []
  const due: { run: () => void; cancelled: boolean }[] = []
  const log = createBurstLog<'store_unavailable' | 'rate_limited'>({
    windowMs: 10_000,
    report: (report) => reports.push(report),
    schedule: (run) => {
      const entry = { run, cancelled: false }
      due.push(entry)
      return () => {
        entry.cancelled = true
      }
    },
  })
  const endWindow = () => {
    for (const entry of due.splice(0)) if (!entry.cancelled) entry.run()
  }
  return { log, reports, endWindow, pending: () => due.filter((entry) => !entry.cancelled).length }
}

describe('burst log (issue 18: expected failures log once per burst, with a count)', () => {
  it('reports the first failure at once, then one count per window, then falls silent', () => {
    const { log, reports, endWindow, pending } = manualBurstLog()
    const cause = new Error('connect ECONNREFUSED')
    for (let n = 0; n < 1_000; n += 1) log.note('store_unavailable', cause)
    expect(reports).toEqual([{ key: 'store_unavailable', first: true, count: 1, detail: cause }])

    endWindow()
    expect(reports.at(-1)).toEqual({ key: 'store_unavailable', first: false, count: 999, detail: undefined })
    log.note('store_unavailable')
    endWindow()
    expect(reports.at(-1)).toMatchObject({ first: false, count: 1 })

    // A quiet window ends the burst: no report, no timer left.
    endWindow()
    expect(reports).toHaveLength(3)
    expect(pending()).toBe(0)

    // The next failure starts a new burst and is reported at once.
    log.note('store_unavailable', cause)
    expect(reports.at(-1)).toMatchObject({ first: true, count: 1 })
  })

  it('counts each kind of failure apart', () => {
    const { log, reports } = manualBurstLog()
    log.note('store_unavailable')
    log.note('rate_limited')
    log.note('rate_limited')
    expect(reports.map((report) => [report.key, report.first])).toEqual([
      ['store_unavailable', true],
      ['rate_limited', true],
    ])
  })

  it('reports what it counted when closed, and cancels its timers', () => {
    const { log, reports, pending } = manualBurstLog()
    log.note('rate_limited')
    log.note('rate_limited')
    log.note('rate_limited')
    log.close()
    expect(reports.at(-1)).toEqual({ key: 'rate_limited', first: false, count: 2, detail: undefined })
    expect(pending()).toBe(0)
  })
})
