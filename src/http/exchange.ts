/** Exchange: one HTTP request as the front layer and its middleware see it, from Node or a fetch Request. */

/** An answer the front layer writes itself (feeds, errors): status, headers and the bytes. */
export interface Answer {
  status: number
  headers: Readonly<Record<string, string>>
  /** Absent for 304 (and ignored for HEAD). */
  body?: Buffer | string
}

/**
 * One request in flight. The adapters (Node's request, a fetch `Request`) fill in the first
 * three; whoever answers sets `route` (a metrics label such as `/topics/:name`) and `status`, so
 * middleware reads them after `next()`.
 */
export interface Exchange {
  readonly method: string
  /** The request target as sent: `/path?query`. */
  readonly target: string
  /** Who asked: the remote address (what per-client limits count by). */
  readonly client: string
  /** A request header (lower-case name); several values joined with `, `. */
  header(name: string): string | undefined
  route: string
  status: number
  /** Answers the request (sets `status`); a middleware may answer instead of calling `next()`. */
  respond(answer: Answer): void
}

/**
 * Middleware of the front layer: sees every request (feeds answered from the cache included).
 * Returns nothing when `next()` finished synchronously (a cached feed), else a promise: the hot
 * path never allocates one.
 */
export type Middleware = (ex: Exchange, next: () => void | Promise<void>) => void | Promise<void>
