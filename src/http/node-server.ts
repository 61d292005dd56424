/** createNodeServer: the Node.js HTTP server of topicwire, over the app's one front layer. */
import { createServer, type Server } from 'node:http'
import type { Deps } from '../model/types.js'
import { createApp } from './app.js'
import type { AdminHooks } from './routes/admin.js'

/**
 * Builds the server (not yet listening). Node's requests go straight to the app's front layer,
 * which writes a cached feed from Node's request to Node's response (see front.ts).
 * @example const server = createNodeServer(deps); server.listen(8080)
 */
export const createNodeServer = (deps: Deps, hooks: AdminHooks = {}): Server =>
  createServer(createApp(deps, hooks).node)
