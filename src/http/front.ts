/** createFront: the one way into the HTTP interface — middleware, then the feed layer, then the Hono app. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import { Hono } from 'hono'
import type { Logger } from '../model/types.js'
import type { Answer, Exchange, Middleware } from './exchange.js'
import type { FeedLayer } from './feed-layer.js'
import { createSendGate, type SendGate } from './send-gate.js'

/** The HTTP interface, the same for Node's server and for fetch-style callers (tests). */
export interface Front {
  /** The app behind the feed layer: every route that is not a feed. */
  readonly hono: Hono
  /** Answers a fetch `Request` (what `app.request()` in tests and fetch-style servers call). */
  fetch(request: Request): Promise<Response>
  /** `fetch` for a path (`/topics/x.rss`) or URL, as Hono's `app.request` does. */
  request(input: string | Request, init?: RequestInit): Promise<Response>
  /** Node's request listener: `createServer(front.node)`. */
  node(req: IncomingMessage, res: ServerResponse): void
}

/** What {@link createFront} puts in front of the app. */
export interface FrontOptions {
  /** Answers feed requests (from the byte cache or by rendering); the rest go to `hono`. */
  feeds: FeedLayer
  /** Run in order around every request, feeds included (metrics, logging, auth). */
  middleware: readonly Middleware[]
  logger: Logger
}

/**
 * One layer for every request: the middleware see it, then the feed layer answers it or passes
 * it to the Hono app. Node's requests are read straight from `IncomingMessage` and a cached
 * feed is written straight to `ServerResponse` (synchronously, no promise): building a WHATWG
 * `Request`, `Headers` and `Response` for it would cost more than the rest of the answer. Only
 * requests the feed layer passes on are converted, by @hono/node-server.
 * @example const front = createFront({ feeds, middleware: [requestMetrics(metrics)], logger }); createServer(front.node)
 */
export const createFront = (opts: FrontOptions): Front => {
  const { feeds, middleware, logger } = opts
  const hono = new Hono()
  // Which exchange a request Hono answers belongs to, to report its route back (see below).
  const nodeExchanges = new WeakMap<object, Exchange>()
  hono.use(async (c, next) => {
    await next()
    const env = c.env as { exchange?: Exchange; incoming?: object } | undefined
    const ex = env?.exchange ?? (env?.incoming && nodeExchanges.get(env.incoming))
    if (ex) ex.route = c.req.routePath || 'unmatched'
  })
  const listener = getRequestListener((request, env) => hono.fetch(request, env))
  const send = createSendGate()

  const passOnFetch = async (ex: FetchExchange): Promise<void> => {
    const res = await hono.fetch(ex.request, { exchange: ex })
    ex.status = res.status
    ex.response = res
  }
  const passOnNode = async (ex: NodeExchange): Promise<void> => {
    nodeExchanges.set(ex.req, ex)
    await listener(ex.req, ex.res)
    ex.status = ex.res.statusCode
  }

  // The chain is walked per request without a closure per step but the `next` each middleware gets.
  const run = (ex: NodeExchange | FetchExchange, i: number): void | Promise<void> => {
    const mw = middleware[i]
    if (mw) return mw(ex, () => run(ex, i + 1))
    const answered = feeds(ex)
    if (answered === true) return
    if (answered !== false) return answered
    return ex instanceof NodeExchange ? passOnNode(ex) : passOnFetch(ex)
  }

  const fetch = async (request: Request): Promise<Response> => {
    const ex = new FetchExchange(request)
    await run(ex, 0)
    return ex.response ?? new Response(null, { status: 500 })
  }

  return {
    hono,
    fetch,
    request: (input, init) =>
      fetch(
        typeof input === 'string'
          ? new Request(input.startsWith('/') ? `http://localhost${input}` : input, init)
          : input,
      ),
    node(req, res) {
      const done = run(new NodeExchange(req, res, send), 0)
      if (done) {
        done.catch((err: unknown) => {
          logger.error({ err, url: req.url }, 'request failed')
          if (!res.headersSent) res.writeHead(500)
          res.end()
        })
      }
    },
  }
}

// --- Internal helpers ---

/** A Node request: headers read from Node's parsed record, the answer written to the response. */
class NodeExchange implements Exchange {
  route = 'unmatched'
  status = 0
  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    private readonly send: SendGate,
  ) {}
  get method(): string {
    return this.req.method ?? ''
  }
  get target(): string {
    return this.req.url ?? '/'
  }
  get client(): string {
    return this.req.socket.remoteAddress ?? 'unknown'
  }
  header(name: string): string | undefined {
    const value = this.req.headers[name]
    return Array.isArray(value) ? value.join(', ') : value
  }
  respond(answer: Answer): void {
    this.status = answer.status
    this.res.writeHead(answer.status, answer.headers)
    // Node sends no body for HEAD and 304 by itself; large bodies go out a few at a time.
    this.send(this.res, answer.body)
  }
}

/** A fetch `Request`; the answer becomes a `Response`. */
class FetchExchange implements Exchange {
  route = 'unmatched'
  status = 0
  response: Response | undefined
  /** A fetch-style caller (tests, an embedding server) has no socket: one client. */
  readonly client = 'local'
  readonly method: string
  readonly target: string
  constructor(readonly request: Request) {
    this.method = request.method
    const url = new URL(request.url)
    this.target = url.pathname + url.search
  }
  header(name: string): string | undefined {
    return this.request.headers.get(name) ?? undefined
  }
  respond(answer: Answer): void {
    this.status = answer.status
    const body = this.method === 'HEAD' || answer.status === 304 ? null : (answer.body ?? null)
    this.response = new Response(body, { status: answer.status, headers: answer.headers })
  }
}
