/** createNodeServer: the Node.js HTTP server of topicwire, over the app's one front layer. */
import { createServer, type Server } from 'node:http'
import type { Deps } from '../model/types.js'
import { createApp } from './app.js'
import type { AdminHooks } from './routes/admin.js'

/**
 * How long an idle keep-alive connection stays open. Node's default (5 s) is shorter than a
 * reverse proxy keeps its upstream connections (nginx 60 s, as in deploy/nginx.conf): the proxy
 * would send a request on a connection this server is closing, and its client would get a 502.
 * The server outlives the proxy instead; clients that read the Keep-Alive hint stop first.
 */
const KEEP_ALIVE_MS = 65_000

/**
 * Builds the server (not yet listening). Node's requests go straight to the app's front layer,
 * which writes a cached feed from Node's request to Node's response (see front.ts).
 * @example const server = createNodeServer(deps); server.listen(8080)
 */
export const createNodeServer = (deps: Deps, hooks: AdminHooks = {}): Server =>
  createServer(
    // Above the keep-alive time, as Node requires for a connection to wait that long.
    { keepAliveTimeout: KEEP_ALIVE_MS, headersTimeout: KEEP_ALIVE_MS + 1_000 },
    createApp(deps, hooks).node,
  )
