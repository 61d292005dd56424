/** Operations routes: /healthz (liveness), /readyz (store open, config loaded), /metrics. */
import { Hono, type MiddlewareHandler } from 'hono'
import type { Deps } from '../../model/types.js'
import { checkParams } from '../params.js'
import { checkFeedToken } from '../scope.js'

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
    return c.body(await deps.metrics.render(), 200, { 'Content-Type': deps.metrics.contentType })
  })
  return app
}
