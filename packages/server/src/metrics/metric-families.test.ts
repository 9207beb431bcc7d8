import * as promClient from 'prom-client'
import { describe, expect, it } from 'vitest'
import { counter, gauge, histogram, type MetricFamily } from './metric-families.js'
import { createPrometheusMetrics } from './prometheus-metrics.js'

const BUCKETS = [0.01, 0.1, 1]
/** Label values a scraper must read back as given: quotes, backslashes, new lines, Unicode. */
const AWKWARD = ['/a/:id', 'say "hi"', 'C:\\path', 'two\nlines', 'ünï']

async function exposition(...metrics: MetricFamily[] | promClient.Metric[]) {
  const registry = new promClient.Registry()
  for (const metric of metrics) registry.registerMetric(metric as promClient.Metric)
  return registry.metrics()
}

describe('metric families', () => {
  it('expose exactly what prom-client’s own counters, gauges and histograms expose for the same records', async () => {
    const registers: promClient.Registry[] = []
    const theirs = {
      counter: new promClient.Counter({ name: 'c_total', help: 'A "counter"\nwith \\ help', labelNames: ['route', 'code'], registers }),
      plain: new promClient.Counter({ name: 'p_total', help: 'Never increased', registers }),
      gauge: new promClient.Gauge({ name: 'g', help: 'A gauge', labelNames: ['state'], registers }),
      level: new promClient.Gauge({ name: 'l', help: 'Unlabelled', registers }),
      histogram: new promClient.Histogram({ name: 'h_seconds', help: 'A histogram', labelNames: ['route'], buckets: BUCKETS, registers }),
      lag: new promClient.Histogram({ name: 'lag_seconds', help: 'Unlabelled', buckets: BUCKETS, registers }),
    }
    const ours = {
      counter: counter({ name: 'c_total', help: 'A "counter"\nwith \\ help', labelNames: ['route', 'code'] }),
      plain: counter({ name: 'p_total', help: 'Never increased' }),
      gauge: gauge({ name: 'g', help: 'A gauge', labelNames: ['state'] }),
      level: gauge({ name: 'l', help: 'Unlabelled' }),
      histogram: histogram({ name: 'h_seconds', help: 'A histogram', labelNames: ['route'], buckets: BUCKETS }),
      lag: histogram({ name: 'lag_seconds', help: 'Unlabelled', buckets: BUCKETS }),
    }
    for (const side of [theirs, ours]) {
      AWKWARD.forEach((route, i) => {
        side.counter.inc({ route, code: 'x' })
        side.counter.inc({ route, code: 'y' }, i + 0.5)
        side.counter.inc({ route, code: 'z' }, 0)
        side.gauge.set({ state: route }, i - 2)
        for (const seconds of [0, 0.01, 0.011, 0.5, 1, 7]) side.histogram.observe({ route }, seconds * (i + 1))
      })
      side.level.set(3.25)
      side.lag.observe(0.05)
    }
    const ourText = await exposition(...Object.values(ours))
    expect(ourText).toBe(await exposition(...(Object.values(theirs) as promClient.Metric[])))
    expect(ourText).toContain('h_seconds_bucket{le="0.01",route="say \\"hi\\""} 1')
  })

  it('refuse to decrease a counter, as prom-client does', () => {
    const ours = counter({ name: 'c_total', help: 'c' })
    expect(() => ours.inc(undefined, -1)).toThrow(/cannot be increased by -1/)
    expect(() => ours.inc(undefined, Number.NaN)).toThrow()
  })

  it('run a gauge’s collect at each scrape', async () => {
    let level = 1
    const ours = gauge({
      name: 'g',
      help: 'g',
      collect() {
        this.set(level++)
      },
    })
    expect(await exposition(ours)).toContain('\ng 1\n')
    expect(await exposition(ours)).toContain('\ng 2\n')
  })
})

describe('Prometheus metrics of an instance', () => {
  const sources = { feedSubscribers: () => 0, webhookBacklog: async () => ({ pending: 0, oldestCreatedAt: null }), now: () => 0 }

  it('count from the start and load prom-client with the first scrape only', async () => {
    let loads = 0
    const metrics = createPrometheusMetrics(sources, async () => {
      loads++
      return promClient
    })
    metrics.recorder.signIn('succeeded')
    metrics.observeRequest('GET', '/healthz', 200, 0.002)
    expect(loads).toBe(0)
    const { body } = await metrics.render()
    expect(body).toContain('tessera_sign_ins_total{outcome="succeeded"} 1')
    expect(body).toContain('tessera_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"} 1')
    expect(body).toContain('process_cpu_seconds_total')
    await metrics.render()
    expect(loads).toBe(1)
  })

  it('keep one request series per route, method and status, any unknown method as OTHER (issue 17: series kept per request)', async () => {
    const metrics = createPrometheusMetrics(sources, async () => promClient)
    const requests: [string, string, number, number][] = [
      ['GET', '/a', 200, 0.002],
      ['GET', '/a', 200, 0.5],
      ['POST', '/a', 200, 0.002],
      ['GET', '/a', 404, 0.002],
      ['GET', '/b', 200, 0.002],
      ['BREW', '/a', 200, 0.002],
      ['PURGE', '/a', 200, 0.002],
    ]
    for (const request of requests) metrics.observeRequest(...request)
    const { body } = await metrics.render()
    const count = (labels: string) =>
      body.match(new RegExp(`^tessera_http_request_duration_seconds_count\\{${labels}\\} (\\d+)$`, 'm'))?.[1]
    expect(count('method="GET",route="/a",status="200"')).toBe('2')
    expect(body).toContain('tessera_http_request_duration_seconds_sum{method="GET",route="/a",status="200"} 0.502')
    expect(body).toContain('tessera_http_request_duration_seconds_bucket{le="0.01",method="GET",route="/a",status="200"} 1')
    expect(count('method="POST",route="/a",status="200"')).toBe('1')
    expect(count('method="GET",route="/a",status="404"')).toBe('1')
    expect(count('method="GET",route="/b",status="200"')).toBe('1')
    expect(count('method="OTHER",route="/a",status="200"')).toBe('2')
  })

  it('count token responses per grant, every grant at zero from the start (issue 17: counted without a look-up)', async () => {
    const metrics = createPrometheusMetrics(sources, async () => promClient)
    metrics.recorder.tokenIssued('refresh_token')
    metrics.recorder.tokenIssued('refresh_token')
    metrics.recorder.tokenIssued('token_exchange')
    const { body } = await metrics.render()
    const issued = (grant: string) => body.match(new RegExp(`^tessera_tokens_issued_total\\{grant="${grant}"\\} (\\d+)$`, 'm'))?.[1]
    expect(issued('refresh_token')).toBe('2')
    expect(issued('token_exchange')).toBe('1')
    expect(issued('client_credentials')).toBe('0')
    expect(issued('device_code')).toBe('0')
  })

  it('fail a scrape when prom-client cannot load, and go on counting', async () => {
    const metrics = createPrometheusMetrics(sources, () => Promise.reject(new Error('Cannot find package prom-client')))
    await expect(metrics.render()).rejects.toThrow(/prom-client/)
    expect(() => metrics.recorder.tokenIssued('client_credentials')).not.toThrow()
  })
})
