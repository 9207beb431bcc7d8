/** A chart's vertical scale: a round maximum at or above the highest bar, and its gridlines. */
export interface Scale {
  max: number
  ticks: number[]
}

/** 1, 2 or 5 times a power of ten, whatever fits `value` (never below 1: an empty chart still has an axis). */
export function niceCeiling(value: number): number {
  if (!Number.isFinite(value) || value <= 1) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power
  return 10 * power
}

export function scaleFor(values: readonly number[]): Scale {
  const max = niceCeiling(Math.max(0, ...values))
  const half = max / 2
  return { max, ticks: Number.isInteger(half) ? [0, half, max] : [0, max] }
}

/** The stacked totals of several series (each bar's height). */
export function stackTotals(series: readonly (readonly number[])[]): number[] {
  const length = Math.max(0, ...series.map((values) => values.length))
  return Array.from({ length }, (_, index) => series.reduce((sum, values) => sum + (values[index] ?? 0), 0))
}
