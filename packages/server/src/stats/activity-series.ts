import type { HourlyCount } from './stats-store.js'

export const HOUR_MS = 3_600_000
export const DAY_MS = 24 * HOUR_MS
export const HOURS = 24
export const DAYS = 30

/** The windows the overview charts: the last 24 whole hours and the last 30 whole days (UTC), the current one included. */
export interface Windows {
  /** Start of the first of the 24 hours. */
  hourlyOrigin: number
  /** Start of the first of the 30 days (UTC midnight); the query reads from here. */
  dailyOrigin: number
}

export function windowsAt(now: number): Windows {
  return {
    hourlyOrigin: Math.floor(now / HOUR_MS) * HOUR_MS - (HOURS - 1) * HOUR_MS,
    dailyOrigin: Math.floor(now / DAY_MS) * DAY_MS - (DAYS - 1) * DAY_MS,
  }
}

export interface SignInPoint {
  /** Start of the hour or day (ISO 8601). */
  at: string
  succeeded: number
  failed: number
}

export const SUCCEEDED = 'sign_in.succeeded'
export const FAILED = 'sign_in.failed'

/**
 * Turns the hourly counts read from `dailyOrigin` into two series: 24 hours and 30 days, every
 * bucket present (zero when nothing happened), oldest first.
 */
export function signInSeries(rows: readonly HourlyCount[], windows: Windows): { hourly: SignInPoint[]; daily: SignInPoint[] } {
  const hourly = points(windows.hourlyOrigin, HOUR_MS, HOURS)
  const daily = points(windows.dailyOrigin, DAY_MS, DAYS)
  const firstHour = (windows.hourlyOrigin - windows.dailyOrigin) / HOUR_MS
  for (const row of rows) {
    const field = row.action === SUCCEEDED ? 'succeeded' : row.action === FAILED ? 'failed' : null
    if (field === null || row.hour < 0) continue
    const day = daily[Math.floor(row.hour / 24)]
    if (day) day[field] += row.count
    const hour = hourly[row.hour - firstHour]
    if (hour) hour[field] += row.count
  }
  return { hourly, daily }
}

function points(origin: number, step: number, length: number): SignInPoint[] {
  return Array.from({ length }, (_, index) => ({ at: new Date(origin + index * step).toISOString(), succeeded: 0, failed: 0 }))
}
