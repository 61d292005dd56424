/** The polite conditional GET of one feed: redirects, deadline, size cap → a FetchResult union. */
import { EventEmitter } from 'node:events'
import { STATUS_CODES } from 'node:http'
import { FetchError } from '../../model/errors.js'
import { displayUrl } from '../../util/url.js'
import type { BodyPool } from './body-pool.js'
import { tooLarge, undoCodings } from './content-coding.js'
import { describeTransportError, parseCacheMaxAge, parseRetryAfter } from './http-client.js'
import type { AbortEmitter, HttpFetch, HttpResponse } from './http-fetch.js'

/** What to fetch: the URL and the validators stored after the last successful poll. */
export interface FetchRequest {
  url: string
  etag?: string
  lastModified?: string
  /** The source opted out of the private-network guard (every hop may be private). */
  allowPrivateNetworks?: boolean
}

export interface FetchOptions {
  fetch: HttpFetch
  userAgent: string
  /** Deadline for the whole exchange: every redirect hop and the body. */
  timeoutMs: number
  /** Cap on the body, as sent and once decompressed. */
  maxBytes: number
  /**
   * Return a compressed body as it came, with its `codings`, for the caller to undo
   * (`undoCodings`, content-coding.ts) where the CPU time suits it: refresh leaves it to the
   * analysis worker. Default: undone here.
   */
  leaveEncoded?: boolean
  /** Default 5. */
  maxRedirects?: number
  /** Reference time for `Retry-After`/`Expires` when the response has no `Date` header. */
  now?: () => Date
  /**
   * Cancels the exchange (a cycle past its deadline, a shutdown): the connection is dropped and
   * the fetch throws a FetchError `timeout` saying it was cancelled.
   */
  signal?: AbortSignal
  /**
   * Where to read the body into: the caller gives it back (`bodies.give(result.body)`) once done
   * with it. Default: a buffer of its own, left to the garbage collector.
   */
  bodies?: BodyPool
}

/** How a poll ended when the server answered; transport failures throw FetchError instead. */
export type FetchResult =
  | {
      kind: 'not-modified'
      status: 304
      effectiveUrl: string
      permanentRedirect?: string
      cacheMaxAgeMs?: number
    }
  | {
      kind: 'ok'
      status: number
      /** Decoded, unless `leaveEncoded` was asked and the answer was compressed (see `codings`). */
      body: Buffer
      /** With `leaveEncoded`: the content codings the body still has, in the order applied. */
      codings?: readonly string[]
      contentType?: string
      etag?: string
      lastModified?: string
      effectiveUrl: string
      permanentRedirect?: string
      cacheMaxAgeMs?: number
    }
  | { kind: 'gone'; status: 410; effectiveUrl: string }
  | { kind: 'retry-later'; status: 429 | 503; retryAfterMs?: number; effectiveUrl: string }

/** The formats we parse first, then generic XML, then anything (some servers send text/html). */
const FEED_ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8'
/** All three are undone by content-coding.ts. */
const FEED_ACCEPT_ENCODING = 'gzip, deflate, br'
const DEFAULT_MAX_REDIRECTS = 5

const REDIRECTS = new Set([301, 302, 303, 307, 308])
const PERMANENT = new Set([301, 308])

/**
 * Fetches a feed politely: conditional headers, compression, a real User-Agent; follows up to
 * `maxRedirects` redirects itself so it can tell permanent moves (301/308 all the way) from
 * temporary ones; one deadline for everything; stops reading once the body passes `maxBytes`,
 * and inflating once its decompressed bytes do (a gzip bomb is cut off, not inflated).
 * @throws FetchError 'timeout' | 'too-large' | 'redirect' | 'http' | 'fetch' | 'private-network'
 * @example
 * const r = await fetchFeed({ url, etag: state.etag }, { fetch, userAgent, timeoutMs: 20_000, maxBytes: 10 << 20 })
 * if (r.kind === 'ok') parse(r.body)
 */
export const fetchFeed = async (req: FetchRequest, opts: FetchOptions): Promise<FetchResult> => {
  const start = parseHttpUrl(req.url, () => `invalid feed URL "${displayUrl(req.url)}"`)
  // An EventEmitter, not an AbortController: see AbortEmitter.
  const deadline = new EventEmitter()
  let timedOut = false
  let cancelled = false
  const cancel = () => {
    cancelled = true
    deadline.emit('abort')
  }
  if (opts.signal?.aborted) {
    throw new FetchError('timeout', `fetch of ${displayUrl(req.url)} cancelled before it started`)
  }
  opts.signal?.addEventListener('abort', cancel, { once: true })
  const timer = setTimeout(() => {
    timedOut = true
    deadline.emit('abort')
  }, opts.timeoutMs)
  const hop = { url: start }
  // A body read to the end (a feed) or absent (304) leaves nothing to release. Aborting anyway is
  // not free: a 304's empty body may still be open, and undici builds an error to close it.
  let drained = false
  try {
    const result = await followRedirects(req, opts, hop, deadline)
    drained = result.kind === 'ok' || result.kind === 'not-modified'
    return result
  } catch (err) {
    const where = hopName(start, hop.url)
    if (cancelled) {
      throw new FetchError('timeout', `fetch from ${where} cancelled`, { cause: err })
    }
    if (timedOut) {
      const limit = formatMs(opts.timeoutMs)
      throw new FetchError('timeout', `no complete answer from ${where} within ${limit}`, {
        cause: err,
      })
    }
    throw describeTransportError(err, where)
  } finally {
    clearTimeout(timer)
    opts.signal?.removeEventListener('abort', cancel)
    // Releases a body we stopped reading (too large, error status, redirect loop).
    if (!drained) deadline.emit('abort')
  }
}

const followRedirects = async (
  req: FetchRequest,
  opts: FetchOptions,
  hop: { url: URL },
  signal: AbortEmitter,
): Promise<FetchResult> => {
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS
  const headers: Record<string, string> = {
    'User-Agent': opts.userAgent,
    Accept: FEED_ACCEPT,
    'Accept-Encoding': FEED_ACCEPT_ENCODING,
  }
  if (req.etag) headers['If-None-Match'] = req.etag
  if (req.lastModified) headers['If-Modified-Since'] = req.lastModified
  const visited = new Set([hop.url.href])
  let permanent = true
  for (let hops = 0; ; hops++) {
    const res = await opts.fetch(hop.url.href, {
      method: 'GET',
      headers,
      redirect: 'manual',
      signal,
      ...(req.allowPrivateNetworks ? { allowPrivateNetworks: true } : {}),
    })
    if (!REDIRECTS.has(res.status)) {
      const moved = hops > 0 && permanent ? hop.url.href : undefined
      return interpret(res, hop.url.href, moved, opts)
    }
    await discardBody(res)
    const next = redirectTarget(res, hop.url)
    if (hops + 1 > maxRedirects) {
      throw new FetchError(
        'redirect',
        `more than ${maxRedirects} redirects from ${displayUrl(req.url)} (the last one to ${displayUrl(next.href)})`,
        { status: res.status },
      )
    }
    if (visited.has(next.href)) {
      throw new FetchError(
        'redirect',
        `redirect loop: ${displayUrl(hop.url.href)} sends us back to ${displayUrl(next.href)}`,
        { status: res.status },
      )
    }
    visited.add(next.href)
    permanent &&= PERMANENT.has(res.status)
    hop.url = next
  }
}

const redirectTarget = (res: HttpResponse, from: URL): URL => {
  const location = res.headers.get('location')
  const here = displayUrl(from.href)
  if (!location) {
    throw new FetchError('redirect', `HTTP ${res.status} from ${here} without a Location header`, {
      status: res.status,
    })
  }
  let next: URL
  try {
    next = new URL(location, from)
  } catch (cause) {
    throw new FetchError('redirect', `${here} redirects to an invalid URL "${location}"`, {
      cause,
      status: res.status,
    })
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new FetchError('redirect', `${here} redirects to a non-HTTP URL "${location}"`, {
      status: res.status,
    })
  }
  next.hash = ''
  return next
}

const interpret = async (
  res: HttpResponse,
  url: string,
  permanentRedirect: string | undefined,
  opts: FetchOptions,
): Promise<FetchResult> => {
  const { status, headers } = res
  const now = opts.now?.() ?? new Date()
  const moved = permanentRedirect === undefined ? {} : { permanentRedirect }
  const maxAge = parseCacheMaxAge(headers, now)
  const cache = maxAge === undefined ? {} : { cacheMaxAgeMs: maxAge }
  if (status >= 200 && status < 300) {
    const raw = await readBody(res, opts.maxBytes, url, opts.bodies)
    const codings = res.codings ?? []
    const encoded = codings.length > 0 && opts.leaveEncoded
    let body = raw
    if (codings.length > 0 && !encoded) {
      try {
        body = undoCodings(raw, codings, opts.maxBytes, displayUrl(url))
      } finally {
        opts.bodies?.give(raw)
      }
    }
    const contentType = headers.get('content-type') ?? undefined
    const etag = headers.get('etag') ?? undefined
    const lastModified = headers.get('last-modified') ?? undefined
    return {
      kind: 'ok',
      status,
      body,
      ...(encoded && { codings }),
      ...(contentType && { contentType }),
      ...(etag && { etag }),
      ...(lastModified && { lastModified }),
      effectiveUrl: url,
      ...moved,
      ...cache,
    }
  }
  await discardBody(res)
  if (status === 304) return { kind: 'not-modified', status, effectiveUrl: url, ...moved, ...cache }
  if (status === 410) return { kind: 'gone', status, effectiveUrl: url }
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'), headers.get('date'), now)
    return {
      kind: 'retry-later',
      status,
      ...(retryAfterMs !== undefined && { retryAfterMs }),
      effectiveUrl: url,
    }
  }
  const reason = STATUS_CODES[status]
  throw new FetchError(
    'http',
    `HTTP ${status}${reason ? ` ${reason}` : ''} from ${displayUrl(url)}`,
    {
      status,
    },
  )
}

/**
 * Reads the body as it comes, stopping as soon as it passes `maxBytes`; with `bodies`, into one of
 * its buffers (the chunks, each a view of a socket read, die young either way).
 */
const readBody = async (
  res: HttpResponse,
  maxBytes: number,
  url: string,
  bodies: BodyPool | undefined,
): Promise<Buffer> => {
  const fail = () => tooLarge(displayUrl(url), maxBytes, { status: res.status })
  const declared = Number(res.headers.get('content-length') ?? Number.NaN)
  // Content-Length counts the bytes sent; a decoding HttpFetch yields more than that.
  if ((res.codings !== undefined || !res.headers.get('content-encoding')) && declared > maxBytes)
    throw fail()
  if (!res.body) return Buffer.alloc(0)
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of res.body) {
    total += chunk.byteLength
    // Throwing inside for-await cancels the stream, so the rest is never read.
    if (total > maxBytes) throw fail()
    chunks.push(chunk)
  }
  if (!bodies) return Buffer.concat(chunks, total)
  const out = bodies.take(total)
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.byteLength
  }
  return out.subarray(0, total)
}

/** Lets go of a body we do not want (redirects, errors) without reading it. */
const discardBody = async (res: HttpResponse): Promise<void> => {
  try {
    await res.body?.[Symbol.asyncIterator]().return?.()
  } catch {
    // The connection is dropped by the final abort anyway.
  }
}

/** `message` is only made for an error (it parses the URL again to hide credentials). */
const parseHttpUrl = (text: string, message: () => string): URL => {
  let url: URL
  try {
    url = new URL(text)
  } catch (cause) {
    throw new FetchError('fetch', message(), { cause })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchError('fetch', `${message()}: only http and https are supported`)
  }
  if (url.hash) url.hash = ''
  return url
}

const hopName = (start: URL, current: URL): string =>
  start.href === current.href
    ? displayUrl(current.href)
    : `${displayUrl(current.href)} (redirected from ${displayUrl(start.href)})`

/** `20s`, `1.5s`, `300ms`. */
const formatMs = (ms: number): string =>
  ms < 1000 ? `${ms}ms` : `${Number.isInteger(ms / 1000) ? ms / 1000 : (ms / 1000).toFixed(1)}s`
