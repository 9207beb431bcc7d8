// Spread over rounds, and ratios computed round by round (a case against the baseline measured
// next to it), so that a machine shared with other work skews both sides of a ratio alike.
export function spread(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return { min: Number.NaN, median: Number.NaN, max: Number.NaN, n: 0 }
  const mid = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  return { min: sorted[0], median, max: sorted.at(-1), n: sorted.length }
}

/** Nearest-rank percentile of a sorted array. */
export function percentile(sorted, p) {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]
}

/**
 * Runs `cases` (name → async () => { rate, p50?, p99? }) `rounds` times, round-robin, and returns
 * one row per case with its samples and its per-round ratio to the case named `baseline`.
 */
export async function interleave(rounds, cases, baseline, log = () => {}) {
  const names = Object.keys(cases)
  const samples = Object.fromEntries(names.map((name) => [name, []]))
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      const result = await cases[name]()
      samples[name].push(result)
      log(`  round ${round + 1}/${rounds} ${name}: ${Math.round(result.rate)}/s`)
    }
  }
  return names.map((name) => row(name, samples[name], baseline ? samples[baseline] : null))
}

/**
 * A row: rate, p50, p99 spreads, and the spread of the per-round ratio to `against`; with requests
 * per CPU-second of the server on both sides (lib/backend-cpu.mjs perCpuSecond), `cpuRatio`, the
 * same ratio by the server's CPU per request.
 */
export function row(name, results, against) {
  return {
    name,
    samples: results,
    rate: spread(results.map((r) => r.rate)),
    cpuRate: results.some((r) => r.cpuRate !== undefined) ? spread(results.map((r) => r.cpuRate ?? Number.NaN)) : null,
    p50: spread(results.map((r) => r.p50 ?? Number.NaN)),
    p99: spread(results.map((r) => r.p99 ?? Number.NaN)),
    ratio: against ? spread(results.map((r, i) => r.rate / against[i].rate)) : null,
    cpuRatio: against && results.some((r) => r.cpuRate !== undefined) ? cpuRatio(results, against) : null,
  }
}

/** Per round, requests per CPU-second of `results` over those of `against`. */
export function cpuRatio(results, against) {
  return spread(results.map((r, i) => (r.cpuRate ?? Number.NaN) / (against[i].cpuRate ?? Number.NaN)))
}
