/** createRenderLimiter: bounds the renders (cache misses) that run at once, that wait, and that one client holds. */
import { OverloadedError } from '../model/errors.js'

/** Bounds of {@link createRenderLimiter}. */
export interface RenderLimiterOptions {
  /** Renders running at once (default 1). */
  concurrency?: number
  /** Renders waiting for a turn, all clients together (default 64). */
  maxQueued?: number
  /** Renders one client may have running or waiting (default 8). */
  perClient?: number
  /** The `Retry-After` of a refusal, in seconds (default 1). */
  retryAfterSeconds?: number
}

/** What the limiter holds now (for tests and the benchmark). */
export interface RenderLimiterStats {
  running: number
  queued: number
  /** Renders refused so far. */
  refused: number
}

/** Runs renders within the bounds, or refuses them with OverloadedError (HTTP 503). */
export interface RenderLimiter {
  /**
   * Runs `task` when a slot is free, in arrival order; refuses it at once (a rejected promise
   * with OverloadedError) when `client` already holds its share or the queue is full.
   */
  run<T>(client: string, task: () => Promise<T>): Promise<T>
  stats(): RenderLimiterStats
}

/**
 * One: renders are CPU work on the thread that answers everyone (the embedded store answers from
 * memory), so running two at once only doubles the share of that thread they take from readers.
 */
const DEFAULT_RENDER_CONCURRENCY = 1
const DEFAULT_MAX_QUEUED = 64
const DEFAULT_PER_CLIENT = 8

/**
 * A limiter for the work a request can cause beyond the byte cache: rendering a feed or an API
 * page the cache does not hold (a new query, a new cursor, a new store version). Cached answers
 * never pass through it, so a client sending many distinct queries waits in its own share, and
 * readers of cached feeds, `/healthz` and other clients are not held behind it.
 *
 * Both bounds count: one per client (its remote address; behind a reverse proxy every client
 * shares the proxy's), so one client cannot fill the queue, and a global one, so many clients
 * together cannot queue unbounded work or memory. A refusal is immediate and cheap: 503 with
 * `Retry-After`, which well-behaved clients honour.
 * @example const limiter = createRenderLimiter(); await limiter.run(ex.client, () => renderFeed(deps, r))
 */
export const createRenderLimiter = (opts: RenderLimiterOptions = {}): RenderLimiter => {
  const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_RENDER_CONCURRENCY)
  const maxQueued = Math.max(0, opts.maxQueued ?? DEFAULT_MAX_QUEUED)
  const perClient = Math.max(1, opts.perClient ?? DEFAULT_PER_CLIENT)
  const retryAfter = opts.retryAfterSeconds ?? 1
  const held = new Map<string, number>()
  const waiting: (() => void)[] = []
  let running = 0
  let refused = 0

  const release = (client: string): void => {
    const n = (held.get(client) ?? 1) - 1
    if (n > 0) held.set(client, n)
    else held.delete(client)
    running--
    const nextTurn = waiting.shift()
    if (nextTurn) {
      running++
      nextTurn()
    }
  }

  return {
    run<T>(client: string, task: () => Promise<T>): Promise<T> {
      const mine = held.get(client) ?? 0
      const mustWait = running >= concurrency
      if (mine >= perClient || (mustWait && waiting.length >= maxQueued)) {
        refused++
        const why =
          mine >= perClient
            ? `this client already has ${mine} requests being prepared`
            : 'the server is busy preparing other requests'
        return Promise.reject(new OverloadedError(`${why}; retry in ${retryAfter} s`, retryAfter))
      }
      held.set(client, mine + 1)
      const start = (): Promise<T> => {
        const done = (): void => release(client)
        let result: Promise<T>
        try {
          result = task()
        } catch (err) {
          result = Promise.reject(err)
        }
        result.then(done, done)
        return result
      }
      if (!mustWait) {
        running++
        return start()
      }
      return new Promise<void>((resolve) => waiting.push(resolve)).then(start)
    },
    stats: () => ({ running, queued: waiting.length, refused }),
  }
}
