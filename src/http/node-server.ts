/** The Node.js HTTP server of topicwire: cached feeds answered at the Node level, the rest by Hono. */
import { createServer, type Server } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import type { Deps } from '../model/types.js'
import { createApp } from './app.js'
import { createFeedCache } from './feed-cache.js'
import type { AdminHooks } from './routes/admin.js'
import { nodeFeedFastPath } from './routes/feeds.js'

/**
 * Builds the server (not yet listening). A GET for a feed already rendered in the current store
 * version and configuration is written from the cached bytes straight from Node's request, which
 * costs about what a bare node:http server does; everything else goes through the Hono app.
 * @example const server = createNodeServer(deps); server.listen(8080)
 */
export const createNodeServer = (deps: Deps, hooks: AdminHooks = {}): Server => {
  const feedCache = createFeedCache()
  const app = createApp(deps, hooks, { feedCache })
  const fast = nodeFeedFastPath(deps, feedCache)
  const listener = getRequestListener(app.fetch)
  return createServer((req, res) => {
    if (!fast(req, res)) void listener(req, res)
  })
}
