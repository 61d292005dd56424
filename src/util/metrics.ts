/** Prometheus metrics (prom-client): one registry per runtime, no global default registry. */
import { type Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'
import type { Metrics, PollOutcome, SaveSummary } from '../model/types.js'

/** Builds the registry and the named counters and histograms that topicwire records. */
export const createMetrics = (opts: { defaultMetrics?: boolean } = {}): Metrics => {
  const registry = new Registry()
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'topicwire_' })
  const polls = new LeanCounter('topicwire_polls_total', 'Source polls by outcome', [
    'source',
    'outcome',
  ])
  registry.registerMetric(polls as unknown as Counter)
  const pollSeconds = new Histogram({
    name: 'topicwire_poll_duration_seconds',
    help: 'Time to fetch, parse and store one source',
    labelNames: ['outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  })
  const items = new LeanCounter(
    'topicwire_items_total',
    'Items stored by kind (new, updated, unchanged)',
    ['source', 'kind'],
  )
  registry.registerMetric(items as unknown as Counter)
  const requests = new LeanHistogram(
    'topicwire_http_request_duration_seconds',
    'HTTP requests by route and status',
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  )
  registry.registerMetric(requests as unknown as Histogram)
  return {
    recordPoll: (source: string, outcome: PollOutcome, seconds: number) => {
      polls.inc(source, outcome)
      pollSeconds.observe({ outcome }, seconds)
    },
    recordItems: (source: string, s: SaveSummary) => {
      items.inc(source, 'new', s.new)
      items.inc(source, 'updated', s.updated)
      items.inc(source, 'unchanged', s.unchanged)
    },
    recordRequest: (route: string, status: number, seconds: number) => {
      requests.observe(route, status, seconds)
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  }
}

/** One (route, status) series of a {@link LeanHistogram}. */
interface Series {
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  counts: Float64Array
  sum: number
  count: number
}

/**
 * A histogram by route and status for the request path, exposed to a prom-client Registry as a
 * metric of its own (`name`, `help`, `type`, `get()`). prom-client's own Histogram converts,
 * validates and hashes the labels on every observation, even through `labels()`; a cached feed is
 * answered in a few microseconds, and that cost was 4–5% of a 304's throughput under wrk. Here an
 * observation is two Map lookups and a bucket search.
 */
export class LeanHistogram {
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  private readonly series = new Map<string, Map<number, Series>>()

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
  ) {}

  observe(route: string, status: number, seconds: number): void {
    let byStatus = this.series.get(route)
    if (!byStatus) {
      byStatus = new Map()
      this.series.set(route, byStatus)
    }
    let s = byStatus.get(status)
    if (!s) {
      s = { counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 }
      byStatus.set(status, s)
    }
    let i = 0
    while (i < this.buckets.length && seconds > (this.buckets[i] as number)) i++
    s.counts[i] = (s.counts[i] ?? 0) + 1
    s.sum += seconds
    s.count++
  }

  /** The values in prom-client's shape for a histogram: cumulative buckets, then sum and count. */
  get() {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] =
      []
    for (const [route, byStatus] of this.series) {
      for (const [code, s] of byStatus) {
        const status = String(code)
        let cumulative = 0
        this.buckets.forEach((le, i) => {
          cumulative += s.counts[i] ?? 0
          values.push({
            labels: { le, route, status },
            value: cumulative,
            metricName: `${this.name}_bucket`,
          })
        })
        values.push({
          labels: { le: '+Inf', route, status },
          value: s.count,
          metricName: `${this.name}_bucket`,
        })
        values.push({ labels: { route, status }, value: s.sum, metricName: `${this.name}_sum` })
        values.push({ labels: { route, status }, value: s.count, metricName: `${this.name}_count` })
      }
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    }
  }

  reset(): void {
    this.series.clear()
  }
}

/**
 * A counter by two labels (source and outcome, source and kind), exposed to the Registry like
 * {@link LeanHistogram}: prom-client's Counter validates and hashes the labels into a key of a
 * plain object on every increment (~2 µs), and every poll counts (a 304 poll is ~100 µs all
 * told). Here an increment is two Map lookups.
 */
export class LeanCounter {
  readonly type = 'counter'
  readonly aggregator = 'sum'
  private readonly series = new Map<string, Map<string, number>>()

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly [string, string],
  ) {}

  inc(a: string, b: string, by = 1): void {
    let byB = this.series.get(a)
    if (!byB) {
      byB = new Map()
      this.series.set(a, byB)
    }
    byB.set(b, (byB.get(b) ?? 0) + by)
  }

  /** The values in prom-client's shape for a counter. */
  get() {
    const [la, lb] = this.labelNames
    const values: { labels: Record<string, string>; value: number }[] = []
    for (const [a, byB] of this.series) {
      for (const [b, value] of byB) values.push({ labels: { [la]: a, [lb]: b }, value })
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    }
  }

  reset(): void {
    this.series.clear()
  }
}
