/** Operations routes: /healthz (liveness), /readyz (store open, config loaded), /metrics. */
import { Hono, type MiddlewareHandler } from 'hono'
import type { Deps } from '../../model/types.js'
import { checkParams } from '../params.js'
import { checkFeedToken } from '../scope.js'
import { type SourceStatus, sourceStatus } from '../source-health.js'

/** Routes for the people who run topicwire and their monitoring. */
export const opsRoutes = (deps: Deps): Hono => {
  const app = new Hono()
  // The same query rule as every route: these take no parameters, so any is a mistake. Per
  // route, not app.use: this app is mounted at `/`, where a middleware would see every path.
  const noParams: MiddlewareHandler = (c, next) => {
    checkParams(c.req.queries(), [])
    return next()
  }
  app.get('/healthz', noParams, (c) => c.json({ status: 'ok' }))
  app.get('/readyz', noParams, async (c) => {
    const failing = deps.store.writeFailures?.().failing
    if (failing) return c.json({ status: 'not ready', reason: failing }, 503)
    try {
      await deps.store.countItems()
      return c.json({ status: 'ready', sources: deps.config.sources.length })
    } catch (err) {
      deps.logger.warn({ err }, 'readiness check failed')
      return c.json({ status: 'not ready', reason: 'the store does not answer' }, 503)
    }
  })
  // With a feed token, the metrics (source ids, routes, counts) are as private as the feeds.
  app.get('/metrics', async (c) => {
    const params = c.req.queries()
    checkParams(params, ['token'])
    checkFeedToken(deps.config, params)
    return c.body((await deps.metrics.render()) + (await healthMetrics(deps)), 200, {
      'Content-Type': deps.metrics.contentType,
    })
  })
  return app
}

const STATUSES: SourceStatus[] = ['ok', 'failing', 'gone', 'pending', 'disabled']

/**
 * Source health and store writes in Prometheus text, computed at scrape time from what
 * /api/sources and the index page read (sourceStatus), so the three always agree.
 */
const healthMetrics = async (deps: Deps): Promise<string> => {
  const states = new Map((await deps.store.listStates()).map((st) => [st.sourceId, st]))
  const counts = new Map<SourceStatus, number>(STATUSES.map((s) => [s, 0]))
  for (const s of deps.config.sources) {
    const status = sourceStatus(s, states.get(s.id))
    counts.set(status, (counts.get(status) ?? 0) + 1)
  }
  const writes = deps.store.writeFailures?.() ?? { count: 0 }
  return [
    '# HELP topicwire_sources Configured sources by health status (as /api/sources and / show them).',
    '# TYPE topicwire_sources gauge',
    ...STATUSES.map((s) => `topicwire_sources{status="${s}"} ${counts.get(s) ?? 0}`),
    '# HELP topicwire_store_write_failures_total Store writes that failed (disk full, read-only).',
    '# TYPE topicwire_store_write_failures_total counter',
    `topicwire_store_write_failures_total ${writes.count}`,
    '# HELP topicwire_store_write_failing 1 while the last store write failed.',
    '# TYPE topicwire_store_write_failing gauge',
    `topicwire_store_write_failing ${writes.failing ? 1 : 0}`,
    '',
  ].join('\n')
}
