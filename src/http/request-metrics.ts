/** requestMetrics: the front-layer middleware that records every request's route, status and duration. */
import type { Metrics } from '../model/types.js'
import type { Middleware } from './exchange.js'

/**
 * Records each request once it is answered, feeds from the cache included (they are answered
 * synchronously, so no promise is made for them).
 * @example createFront({ feeds, middleware: [requestMetrics(deps.metrics)], logger })
 */
export const requestMetrics =
  (metrics: Metrics): Middleware =>
  (ex, next) => {
    const started = performance.now()
    const pending = next()
    // A cached feed is answered synchronously: no closure made for it on this hot path.
    if (!pending)
      return metrics.recordRequest(ex.route, ex.status, (performance.now() - started) / 1000)
    return pending.then(() =>
      metrics.recordRequest(ex.route, ex.status, (performance.now() - started) / 1000),
    )
  }
