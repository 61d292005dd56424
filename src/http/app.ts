/** createApp: the HTTP interface — the front layer (middleware, feeds) and the Hono routes behind it. */
import type { Hono } from 'hono'
import type { Deps } from '../model/types.js'
import { echo } from '../util/echo.js'
import { createFeedCache, type FeedCache } from './feed-cache.js'
import { createFeedLayer } from './feed-layer.js'
import { matchFeedRoute } from './feed-target.js'
import { createFront, type Front } from './front.js'
import { toHttpError } from './http-error.js'
import { ITEMS_PATH } from './items-render.js'
import { createRenderLimiter, type RenderLimiter } from './render-limiter.js'
import { requestMetrics } from './request-metrics.js'
import { type AdminHooks, adminRoutes } from './routes/admin.js'
import { apiRoutes } from './routes/api.js'
import { feedbackRoutes } from './routes/feedback.js'
import { opsRoutes } from './routes/ops.js'
import { pagesRoutes } from './routes/pages.js'

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The rendered-feed cache (default: a new one with default bounds); tests pass their own. */
  feedCache?: FeedCache
  /** Bounds on renders (default: a new one with default bounds); tests pass their own. */
  renderLimiter?: RenderLimiter
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
  // What a store change touched drops only those documents (without it: all, at the next read).
  deps.store.onChange?.((change) => feedCache.noteChange(change))
  const front = createFront({
    feeds: createFeedLayer(deps, feedCache, opts.renderLimiter ?? createRenderLimiter()),
    middleware: [requestMetrics(deps.metrics)],
    logger: deps.logger,
  })
  const app = front.hono
  // No response is to be sniffed into something else (a feed or JSON rendered as HTML).
  app.use(async (c, next) => {
    await next()
    c.res.headers.set('X-Content-Type-Options', 'nosniff')
  })
  app.route('/api', apiRoutes(deps))
  app.route('/api', adminRoutes(deps, hooks))
  app.route('/api', feedbackRoutes(deps, hooks))
  app.route('/', opsRoutes(deps))
  app.route('/', pagesRoutes(deps))
  const allowedMethods = methodsOf(app)
  app.notFound((c) => {
    const path = new URL(c.req.url).pathname
    const allowed = allowedMethods(path)
    if (allowed.length > 0) {
      return c.json(
        {
          error: {
            message: `${c.req.method} is not allowed on ${echo(path)}; allowed: ${allowed.join(', ')}`,
          },
        },
        405,
        { Allow: allowed.join(', ') },
      )
    }
    return c.json({ error: { message: `no route for ${c.req.method} ${echo(path)}` } }, 404)
  })
  app.onError((err, c) => {
    const { status, body, headers } = toHttpError(err)
    if (status === 500) deps.logger.error({ err, url: c.req.url }, 'request failed')
    return c.json(body, status, headers)
  })
  return front
}

// --- Internal helpers ---

/**
 * The methods some route answers for a path (`Allow` of a 405), from the routes registered on
 * the app (read once, at the first call: every route is registered by then) and the feed routes.
 */
const methodsOf = (app: Hono): ((path: string) => string[]) => {
  let routes: { re: RegExp; method: string }[] | undefined
  return (path) => {
    if (matchFeedRoute(path) || path === ITEMS_PATH) return ['GET', 'HEAD']
    routes ??= app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => ({
        method: r.method,
        re: new RegExp(
          `^${r.path
            .split('/')
            .map((part) =>
              part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
            )
            .join('/')}$`,
        ),
      }))
    const methods = new Set(routes.filter((r) => r.re.test(path)).map((r) => r.method))
    if (methods.has('GET')) methods.add('HEAD')
    return [...methods]
  }
}
