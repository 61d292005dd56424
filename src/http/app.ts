/** createApp: the HTTP interface — the front layer (middleware, feeds) and the Hono routes behind it. */
import type { Deps } from '../model/types.js'
import { createFeedCache, type FeedCache } from './feed-cache.js'
import { createFeedLayer } from './feed-layer.js'
import { createFront, type Front } from './front.js'
import { toHttpError } from './http-error.js'
import { requestMetrics } from './request-metrics.js'
import { type AdminHooks, adminRoutes } from './routes/admin.js'
import { apiRoutes } from './routes/api.js'
import { opsRoutes } from './routes/ops.js'
import { pagesRoutes } from './routes/pages.js'

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The rendered-feed cache (default: a new one with default bounds); tests pass their own. */
  feedCache?: FeedCache
}

/**
 * The whole HTTP interface (SPEC §3) over the given dependencies. `deps.config` may be swapped
 * by a reload; handlers read it per request. Every request passes the front layer's middleware
 * (request metrics), then the feed layer (feed routes, from the byte cache or rendered), then
 * the Hono routes; `app.request()` in tests and Node's server (`app.node`) take the same way.
 * @example createServer(createApp(deps).node).listen(8080)
 */
export const createApp = (deps: Deps, hooks: AdminHooks = {}, opts: AppOptions = {}): Front => {
  const feedCache = opts.feedCache ?? createFeedCache()
  const front = createFront({
    feeds: createFeedLayer(deps, feedCache),
    middleware: [requestMetrics(deps.metrics)],
    logger: deps.logger,
  })
  const app = front.hono
  app.route('/api', apiRoutes(deps))
  app.route('/api', adminRoutes(deps, hooks))
  app.route('/', opsRoutes(deps))
  app.route('/', pagesRoutes(deps))
  app.notFound((c) =>
    c.json(
      { error: { message: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` } },
      404,
    ),
  )
  app.onError((err, c) => {
    const { status, body } = toHttpError(err)
    if (status === 500) deps.logger.error({ err, url: c.req.url }, 'request failed')
    return c.json(body, status)
  })
  return front
}
