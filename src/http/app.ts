/** createApp: the Hono application — middleware order, routes, and the one error mapping. */
import { Hono } from 'hono'
import { InvalidParamError, NotFoundError } from '../model/errors.js'
import type { Deps } from '../model/types.js'
import { createFeedCache, type FeedCache } from './feed-cache.js'
import { type AdminHooks, adminRoutes } from './routes/admin.js'
import { apiRoutes } from './routes/api.js'
import { feedbackRoutes } from './routes/feedback.js'
import { feedFastPath, feedRoutes } from './routes/feeds.js'
import { opsRoutes } from './routes/ops.js'
import { pagesRoutes } from './routes/pages.js'

/** Maps an error to its HTTP status and JSON body; the only place that does. */
export const toHttpError = (
  err: unknown,
): { status: 400 | 404 | 500; body: { error: { param?: string; message: string } } } => {
  if (err instanceof InvalidParamError) {
    return { status: 400, body: { error: { param: err.param, message: err.message } } }
  }
  if (err instanceof NotFoundError)
    return { status: 404, body: { error: { message: err.message } } }
  return { status: 500, body: { error: { message: 'internal error; see the server log' } } }
}

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The rendered-feed cache (default: a new one with default bounds); tests pass their own. */
  feedCache?: FeedCache
}

/**
 * The whole HTTP interface (SPEC §3) over the given dependencies. `deps.config` may be swapped
 * by a reload; handlers read it per request.
 *
 * `fetch` first tries the feed fast path: a GET that the feed routes already answered in this
 * store version and configuration is served from the feed cache before routing and middleware
 * (it records its own request metric). Middleware added here later does not see those requests.
 * @example serve({ fetch: createApp(deps).fetch, port: 8080 })
 */
export const createApp = (deps: Deps, hooks: AdminHooks = {}, opts: AppOptions = {}): Hono => {
  const app = new Hono()
  const feedCache = opts.feedCache ?? createFeedCache()
  app.use(async (c, next) => {
    const started = performance.now()
    await next()
    const route = c.req.routePath || 'unmatched'
    deps.metrics.recordRequest(route, c.res.status, (performance.now() - started) / 1000)
  })
  app.route('/', feedRoutes(deps, { cache: feedCache }))
  app.route('/api', apiRoutes(deps))
  app.route('/api', adminRoutes(deps, hooks))
  app.route('/api', feedbackRoutes(deps))
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
  const fast = feedFastPath(deps, feedCache)
  const dispatch = app.fetch
  app.fetch = (request, env, executionCtx) =>
    fast(request, env) ?? dispatch(request, env, executionCtx)
  return app
}
