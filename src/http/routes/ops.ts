/** Operations routes: /healthz (liveness), /readyz (store open, config loaded), /metrics. */
import { Hono } from 'hono'
import type { Deps } from '../../model/types.js'

/** Routes for the people who run topicwire and their monitoring. */
export const opsRoutes = (deps: Deps): Hono => {
  const app = new Hono()
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', async (c) => {
    try {
      await deps.store.countItems()
      return c.json({ status: 'ready', sources: deps.config.sources.length })
    } catch (err) {
      deps.logger.warn({ err }, 'readiness check failed')
      return c.json({ status: 'not ready', reason: 'the store does not answer' }, 503)
    }
  })
  app.get('/metrics', async (c) =>
    c.body(await deps.metrics.render(), 200, { 'Content-Type': deps.metrics.contentType }),
  )
  return app
}
