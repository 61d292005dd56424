/** Prometheus metrics (prom-client): one registry per runtime, no global default registry. */
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'
import type { Metrics, PollOutcome, SaveSummary } from '../model/types.js'

/** Builds the registry and the named counters and histograms that topicwire records. */
export const createMetrics = (opts: { defaultMetrics?: boolean } = {}): Metrics => {
  const registry = new Registry()
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'topicwire_' })
  const polls = new Counter({
    name: 'topicwire_polls_total',
    help: 'Source polls by outcome',
    labelNames: ['source', 'outcome'] as const,
    registers: [registry],
  })
  const pollSeconds = new Histogram({
    name: 'topicwire_poll_duration_seconds',
    help: 'Time to fetch, parse and store one source',
    labelNames: ['outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  })
  const items = new Counter({
    name: 'topicwire_items_total',
    help: 'Items stored by kind (new, updated, unchanged)',
    labelNames: ['source', 'kind'] as const,
    registers: [registry],
  })
  const requests = new Histogram({
    name: 'topicwire_http_request_duration_seconds',
    help: 'HTTP requests by route and status',
    labelNames: ['route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  })
  const requestChildren = new Map<string, ReturnType<typeof requests.labels>>()
  return {
    recordPoll: (source: string, outcome: PollOutcome, seconds: number) => {
      polls.inc({ source, outcome })
      pollSeconds.observe({ outcome }, seconds)
    },
    recordItems: (source: string, s: SaveSummary) => {
      items.inc({ source, kind: 'new' }, s.new)
      items.inc({ source, kind: 'updated' }, s.updated)
      items.inc({ source, kind: 'unchanged' }, s.unchanged)
    },
    recordRequest: (route: string, status: number, seconds: number) => {
      // Cached feeds are answered in microseconds: keep the labelled child, skip label hashing.
      const key = `${route} ${status}`
      let child = requestChildren.get(key)
      if (!child) {
        child = requests.labels(route, String(status))
        requestChildren.set(key, child)
      }
      child.observe(seconds)
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  }
}
