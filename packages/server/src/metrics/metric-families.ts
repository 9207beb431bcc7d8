/**
 * Tessera's own metric families, kept as plain numbers in maps (docs/architecture.md §9,
 * "Memory"): counting needs no library, so prom-client is loaded by the first scrape only, which
 * reads these families through their `get()`, the shape prom-client's registry reads from its own
 * metrics, and writes the exposition text (names, escaping, `le` buckets) as it always did.
 * Values count from the instance's start whether or not anything ever scrapes it.
 */

type Labels<L extends string> = Partial<Record<L, string>>

/** One exported sample, as prom-client's registry reads it (`MetricValue` in its types). */
interface Sample {
  labels: Record<string, string | number>
  sharedLabels?: Record<string, string>
  value: number
  metricName?: string
}

/** What a registry reads at a scrape (prom-client's `Metric.get()`). */
export interface MetricFamily {
  readonly name: string
  readonly help: string
  readonly type: 'counter' | 'gauge' | 'histogram'
  get(): Promise<{ name: string; help: string; type: string; values: Sample[]; aggregator: 'sum' }>
}

interface Definition<L extends string> {
  name: string
  help: string
  labelNames?: readonly L[]
}

/** The series of one family, keyed by its label values in the family's label order. */
function seriesMap<L extends string, S>(labelNames: readonly L[], create: (labels: Labels<L>) => S) {
  const series = new Map<string, S>()
  const family = {
    series,
    of(labels: Labels<L> | undefined): S {
      let key = ''
      for (let i = 0; i < labelNames.length; i++) key += (i === 0 ? '' : '\u0000') + (labels?.[labelNames[i] as L] ?? '')
      let found = series.get(key)
      if (!found) {
        const own: Labels<L> = {}
        for (const name of labelNames) if (labels?.[name] !== undefined) own[name] = labels[name]
        found = create(own)
        series.set(key, found)
      }
      return found
    },
  }
  // As prom-client: a family without labels has its one series, at zero, from the start.
  if (labelNames.length === 0) family.of(undefined)
  return family
}

export interface Counter<L extends string> extends MetricFamily {
  inc(labels?: Labels<L>, value?: number): void
  /**
   * Counts one into the series of these labels, found once (the series exists from this call, at
   * zero): for a caller that keeps it per label value, as the token counter does per grant (issue 17).
   */
  incrementer(labels: Labels<L>): () => void
}

export function counter<L extends string = never>(definition: Definition<L>): Counter<L> {
  const { series, of } = seriesMap(definition.labelNames ?? [], (labels) => ({ labels, value: 0 }))
  return {
    name: definition.name,
    help: definition.help,
    type: 'counter',
    inc(labels, value = 1) {
      // As prom-client: a counter never goes down (a negative or NaN amount is a bug of the caller).
      if (!(value >= 0)) throw new Error(`${definition.name}: a counter cannot be increased by ${value}`)
      of(labels).value += value
    },
    incrementer(labels) {
      const one = of(labels)
      return () => {
        one.value++
      }
    },
    get: async () => ({ ...describe(definition, 'counter'), values: [...series.values()] as Sample[] }),
  }
}

export interface Gauge<L extends string> extends MetricFamily {
  set(value: number): void
  set(labels: Labels<L>, value: number): void
}

/** A gauge; `collect` sets its values at each scrape (it may query the store). */
export function gauge<L extends string = never>(
  definition: Definition<L> & { collect?: (this: Gauge<L>) => void | Promise<void> },
): Gauge<L> {
  const { series, of } = seriesMap(definition.labelNames ?? [], (labels) => ({ labels, value: 0 }))
  const family: Gauge<L> = {
    name: definition.name,
    help: definition.help,
    type: 'gauge',
    set(labelsOrValue: Labels<L> | number, value?: number) {
      if (typeof labelsOrValue === 'number') of(undefined).value = labelsOrValue
      else of(labelsOrValue).value = value ?? 0
    },
    async get() {
      await definition.collect?.call(family)
      return { ...describe(definition, 'gauge'), values: [...series.values()] as Sample[] }
    },
  }
  return family
}

export interface Histogram<L extends string> extends MetricFamily {
  observe(value: number): void
  observe(labels: Labels<L>, value: number): void
  /** Observes into the series of these labels, found once: for a caller that keeps it per label values. */
  observer(labels: Labels<L>): (value: number) => void
}

export function histogram<L extends string = never>(definition: Definition<L> & { buckets: readonly number[] }): Histogram<L> {
  const bounds = [...definition.buckets].sort((a, b) => a - b)
  const { series, of } = seriesMap(definition.labelNames ?? [], (labels) => ({
    labels,
    counts: new Array<number>(bounds.length).fill(0),
    sum: 0,
    count: 0,
  }))
  // Each bucket counts the observations at or below its bound and above the previous one; the
  // export accumulates them, as Prometheus's `le` buckets are cumulative. A loop, not findIndex
  // with a closure: an HTTP request observes one (issue 17).
  const record = (one: { counts: number[]; sum: number; count: number }, value: number) => {
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        one.counts[i] = (one.counts[i] ?? 0) + 1
        break
      }
    }
    one.sum += value
    one.count++
  }
  return {
    name: definition.name,
    help: definition.help,
    type: 'histogram',
    observe(labelsOrValue: Labels<L> | number, observed?: number) {
      if (typeof labelsOrValue === 'number') record(of(undefined), labelsOrValue)
      else record(of(labelsOrValue), observed ?? 0)
    },
    observer(labels) {
      const one = of(labels)
      return (value) => record(one, value)
    },
    async get() {
      const values: Sample[] = []
      for (const { labels, counts, sum, count } of series.values()) {
        const shared = labels as Record<string, string>
        let cumulative = 0
        bounds.forEach((bound, i) => {
          cumulative += counts[i] ?? 0
          values.push({ labels: { le: bound }, sharedLabels: shared, value: cumulative, metricName: `${definition.name}_bucket` })
        })
        values.push({ labels: { le: '+Inf' }, sharedLabels: shared, value: count, metricName: `${definition.name}_bucket` })
        values.push({ labels: {}, sharedLabels: shared, value: sum, metricName: `${definition.name}_sum` })
        values.push({ labels: {}, sharedLabels: shared, value: count, metricName: `${definition.name}_count` })
      }
      return { ...describe(definition, 'histogram'), values }
    },
  }
}

function describe(definition: { name: string; help: string }, type: MetricFamily['type']) {
  return { name: definition.name, help: definition.help, type, aggregator: 'sum' as const }
}
