import { describe, expect, it } from 'vitest'
import { createMetrics } from '../../src/util/metrics.js'

const lines = (text: string, prefix: string): string[] =>
  text.split('\n').filter((l) => l.startsWith(prefix))

describe('request histogram', () => {
  it('exposes cumulative buckets, sum and count per route and status', async () => {
    const metrics = createMetrics()
    metrics.recordRequest('/topics/:name', 200, 0.0004)
    metrics.recordRequest('/topics/:name', 200, 0.003)
    metrics.recordRequest('/topics/:name', 200, 2)
    metrics.recordRequest('/topics/:name', 304, 0.001)
    metrics.recordRequest('/api/items', 400, 0.02)
    const text = await metrics.render()
    expect(text).toContain('# TYPE topicwire_http_request_duration_seconds histogram')
    expect(text).toContain(
      '# HELP topicwire_http_request_duration_seconds HTTP requests by route and status',
    )
    const name = 'topicwire_http_request_duration_seconds'
    expect(lines(text, `${name}_bucket{le="0.001",route="/topics/:name",status="200"}`)).toEqual([
      `${name}_bucket{le="0.001",route="/topics/:name",status="200"} 1`,
    ])
    expect(text).toContain(`${name}_bucket{le="0.005",route="/topics/:name",status="200"} 2`)
    expect(text).toContain(`${name}_bucket{le="1",route="/topics/:name",status="200"} 2`)
    expect(text).toContain(`${name}_bucket{le="+Inf",route="/topics/:name",status="200"} 3`)
    expect(text).toContain(`${name}_sum{route="/topics/:name",status="200"} 2.0034`)
    expect(text).toContain(`${name}_count{route="/topics/:name",status="200"} 3`)
    // A value on a bound falls in that bucket (le is "less than or equal").
    expect(text).toContain(`${name}_bucket{le="0.001",route="/topics/:name",status="304"} 1`)
    expect(text).toContain(`${name}_bucket{le="0.01",route="/api/items",status="400"} 0`)
    expect(text).toContain(`${name}_bucket{le="0.025",route="/api/items",status="400"} 1`)
    expect(lines(text, `${name}_count`)).toHaveLength(3)
  })

  it('has no series before the first request', async () => {
    const text = await createMetrics().render()
    expect(text).toContain('# TYPE topicwire_http_request_duration_seconds histogram')
    expect(text).not.toContain('topicwire_http_request_duration_seconds_count')
  })
})

describe('poll and item counters', () => {
  it('count polls per source and outcome, and items per source and kind', async () => {
    const metrics = createMetrics()
    metrics.recordPoll('dawn', 'ok', 0.2)
    metrics.recordPoll('dawn', 'ok', 0.3)
    metrics.recordPoll('dawn', 'not-modified', 0.01)
    metrics.recordPoll('tolo "news"', 'error', 1)
    metrics.recordItems('dawn', { new: 3, updated: 1, unchanged: 46 })
    metrics.recordItems('dawn', { new: 2, updated: 0, unchanged: 48 })
    const text = await metrics.render()
    expect(text).toContain('# TYPE topicwire_polls_total counter')
    expect(lines(text, 'topicwire_polls_total{').sort()).toEqual([
      'topicwire_polls_total{source="dawn",outcome="not-modified"} 1',
      'topicwire_polls_total{source="dawn",outcome="ok"} 2',
      // Label values are escaped as the text format says.
      'topicwire_polls_total{source="tolo \\"news\\"",outcome="error"} 1',
    ])
    expect(lines(text, 'topicwire_items_total{').sort()).toEqual([
      'topicwire_items_total{source="dawn",kind="new"} 5',
      'topicwire_items_total{source="dawn",kind="unchanged"} 94',
      'topicwire_items_total{source="dawn",kind="updated"} 1',
    ])
    expect(text).toContain('topicwire_poll_duration_seconds_count{outcome="ok"} 2')
  })

  it('have no series before the first poll', async () => {
    const text = await createMetrics().render()
    expect(text).toContain('# TYPE topicwire_polls_total counter')
    expect(lines(text, 'topicwire_polls_total{')).toEqual([])
  })
})
