/** createApp: the Hono application — middleware order, routes, and the one error mapping. */
import { Hono } from 'hono'
import { InvalidParamError, NotFoundError } from '../model/errors.js'
import type { Deps } from '../model/types.js'
import { type AdminHooks, adminRoutes } from './routes/admin.js'
import { apiRoutes } from './routes/api.js'
import { feedRoutes } from './routes/feeds.js'
import { opsRoutes } from './routes/ops.js'

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

/**
 * The whole HTTP interface (SPEC §3) over the given dependencies. `deps.config` may be swapped
 * by a reload; handlers read it per request.
 * @example serve({ fetch: createApp(deps).fetch, port: 8080 })
 */
export const createApp = (deps: Deps, hooks: AdminHooks = {}): Hono => {
  const app = new Hono()
  app.use(async (c, next) => {
    const started = performance.now()
    await next()
    const route = c.req.routePath || 'unmatched'
    deps.metrics.recordRequest(route, c.res.status, (performance.now() - started) / 1000)
  })
  app.route('/', feedRoutes(deps))
  app.route('/api', apiRoutes(deps))
  app.route('/api', adminRoutes(deps, hooks))
  app.route('/', opsRoutes(deps))
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
  return app
}
