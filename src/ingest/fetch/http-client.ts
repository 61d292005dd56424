/** The HTTP layer under fetchFeed: undici's request on a guarded Agent, bodies as sent with their content codings, transport errors as FetchError, caching headers as numbers. */
import type { EventEmitter } from 'node:events'
import type { IncomingHttpHeaders } from 'node:http'
import { Agent, type Dispatcher, request } from 'undici'
import { FetchError } from '../../model/errors.js'
import { dict } from '../../util/dict.js'
import { contentCodings } from './content-coding.js'
import type { HttpFetch, HttpResponse } from './http-fetch.js'
import { assertPublicUrl, createGuardedLookup } from './network-guard.js'

export interface HttpClientOptions {
  /** TCP + TLS handshake. */
  connectTimeoutMs: number
  /** From request sent to response headers received. */
  headersTimeoutMs: number
  /** Longest silence between two body chunks. */
  bodyTimeoutMs: number
  /**
   * False: refuse loopback, private, link-local… addresses, at every connection, except for
   * requests that say `allowPrivateNetworks` (a source that opted out).
   */
  allowPrivateNetworks: boolean
  /** Replaces the Agent (tests pass undici's MockAgent); the caller then owns and closes it. */
  dispatcher?: Dispatcher
}

export interface HttpClient {
  fetch: HttpFetch
  /** Closes the keep-alive connections of the Agent we created. */
  close(): Promise<void>
}

/** How long an idle keep-alive connection is kept for the next poll of the same host. */
const KEEP_ALIVE_MS = 10_000

/**
 * Binds undici's `request` to one keep-alive Agent with connect, headers and body timeouts, and
 * leaves bodies as they came, naming their content codings (`codings`: gzip, deflate, br) for
 * the caller to undo in one call (content-coding.ts) rather than through a decompression stream.
 * `request` rather than undici's `fetch`: fetch builds WHATWG Request, Headers and AbortSignal
 * objects per call, which cost more than the rest of a 304 poll, and adds headers of its own
 * (`Sec-Fetch-Mode`, `Accept-Language: *`) that a feed server has no use for. Redirects are not
 * followed (fetchFeed does it). Without `allowPrivateNetworks`, literal IP URLs are checked before
 * connecting and host names at connection time, so redirect hops cannot sneak past.
 * @example
 * const http = createHttpFetch({ connectTimeoutMs: 10_000, headersTimeoutMs: 20_000, bodyTimeoutMs: 20_000, allowPrivateNetworks: false })
 * await fetchFeed({ url }, { fetch: http.fetch, … }); await http.close()
 */
export const createHttpFetch = (opts: HttpClientOptions): HttpClient => {
  const newAgent = (guarded: boolean): Agent =>
    new Agent({
      connect: {
        timeout: opts.connectTimeoutMs,
        ...(guarded ? { lookup: createGuardedLookup() } : {}),
      },
      headersTimeout: opts.headersTimeoutMs,
      bodyTimeout: opts.bodyTimeoutMs,
      keepAliveTimeout: KEEP_ALIVE_MS,
    })
  // Two pools: a connection opened for a source that opted out is never reused by one that did not.
  const agents: { guarded?: Agent; open?: Agent } = {}
  const dispatcherFor = (open: boolean): Dispatcher => {
    if (opts.dispatcher) return opts.dispatcher
    if (open) {
      agents.open ??= newAgent(false)
      return agents.open
    }
    agents.guarded ??= newAgent(true)
    return agents.guarded
  }
  const fetch: HttpFetch = async (url, init) => {
    const open = opts.allowPrivateNetworks || init.allowPrivateNetworks === true
    if (!open) assertPublicUrl(url)
    try {
      const res = await request(url, {
        dispatcher: dispatcherFor(open),
        method: init.method ?? 'GET',
        headers: init.headers,
        // undici calls the signal's on/once/removeListener only (an EventEmitter or an AbortSignal).
        ...(init.signal ? { signal: init.signal as EventEmitter } : {}),
      })
      const headers = headerReader(res.headers)
      const bodyless = init.method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304
      if (bodyless) {
        res.body.resume()
        return { status: res.statusCode, url, headers, body: null }
      }
      let codings: string[] | undefined
      try {
        codings = contentCodings(headers.get('content-encoding'))
      } catch (err) {
        res.body.destroy()
        throw err
      }
      // The body as it came: fetchFeed, or the analysis, undoes its codings (content-coding.ts).
      return {
        status: res.statusCode,
        url,
        headers,
        body: res.body,
        ...(codings && codings.length > 0 ? { codings } : {}),
      }
    } catch (err) {
      // Our lookup's refusal may come wrapped; unwrap it.
      throw causes(err).find((e) => e instanceof FetchError) ?? err
    }
  }
  return {
    fetch,
    close: async () => {
      await Promise.all([agents.guarded?.close(), agents.open?.close()])
    },
  }
}

/** `Headers#get` over Node's header record (lower-case names; repeated headers joined). */
const headerReader = (headers: IncomingHttpHeaders): HttpResponse['headers'] => ({
  get: (name) => {
    const v = headers[name.toLowerCase()]
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v
  },
})

/** The error, its causes and, for AggregateError, its members: breadth first, at most 12. */
const causes = (err: unknown): unknown[] => {
  const out: unknown[] = []
  const queue: unknown[] = [err]
  while (queue.length > 0 && out.length < 12) {
    const e = queue.shift()
    if (e === undefined || e === null || out.includes(e)) continue
    out.push(e)
    if (typeof e !== 'object') continue
    if ('cause' in e) queue.push(e.cause)
    if (e instanceof AggregateError) queue.push(...(e.errors as unknown[]))
  }
  return out
}

const codeOf = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : undefined

const TIMEOUT_CODES: Record<string, string> = dict({
  ETIMEDOUT: 'could not connect to WHERE in time',
  UND_ERR_CONNECT_TIMEOUT: 'could not connect to WHERE in time',
  UND_ERR_HEADERS_TIMEOUT: 'WHERE accepted the connection but sent no answer in time',
  UND_ERR_BODY_TIMEOUT: 'WHERE stopped sending the body before it was complete',
})

const FETCH_CODES: Record<string, string> = dict({
  ECONNREFUSED: 'could not connect to WHERE: connection refused',
  ENOTFOUND: 'could not resolve the host name of WHERE: no such host',
  EAI_AGAIN: 'could not resolve the host name of WHERE: the DNS lookup failed, try later',
  ECONNRESET: 'the connection to WHERE was closed unexpectedly',
  EPIPE: 'the connection to WHERE was closed unexpectedly',
  UND_ERR_SOCKET: 'the connection to WHERE was closed unexpectedly',
  EHOSTUNREACH: 'WHERE is unreachable from this machine',
  ENETUNREACH: 'WHERE is unreachable from this machine (no route to its network)',
})

/** `//user:password@` inside a URL quoted by an error message. */
const CREDENTIALS = /\/\/[^/@\s]+@/g

const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO|HOSTNAME_MISMATCH/
/** zlib's errors, from an HttpFetch that decompresses as it reads (a WHATWG fetch). */
const DECOMPRESS_CODE = /^Z_|BROTLI/

/**
 * Turns whatever the transport threw into a FetchError with a sentence naming the cause and
 * `where` (a URL). A FetchError anywhere in the cause chain is returned as it is.
 */
export const describeTransportError = (err: unknown, where: string): FetchError => {
  const chain = causes(err)
  const known = chain.find((e): e is FetchError => e instanceof FetchError)
  if (known) return known
  const code = chain.map(codeOf).find((c) => c !== undefined)
  const messages = chain.flatMap((e) => (e instanceof Error && e.message ? [e.message] : []))
  const detail = (messages.at(-1) ?? String(err)).replace(CREDENTIALS, '//')
  const say = (template: string) => template.replace('WHERE', where)
  const options = { cause: err }
  if (code && TIMEOUT_CODES[code])
    return new FetchError('timeout', say(TIMEOUT_CODES[code]), options)
  if (code && FETCH_CODES[code]) return new FetchError('fetch', say(FETCH_CODES[code]), options)
  if (code && TLS_CODE.test(code)) {
    return new FetchError('fetch', `the TLS handshake with ${where} failed: ${detail}`, options)
  }
  if (code && DECOMPRESS_CODE.test(code)) {
    return new FetchError(
      'fetch',
      `could not decompress the answer from ${where}: ${detail}`,
      options,
    )
  }
  return new FetchError(
    'fetch',
    `could not fetch ${where}: ${detail}${code ? ` (${code})` : ''}`,
    options,
  )
}

/**
 * Milliseconds to wait from a `Retry-After` value: delay-seconds or an HTTP date. A date is
 * measured from the response's `Date` header when present (no clock skew), else from `now`.
 * @example parseRetryAfter('120', null, now) // 120_000
 */
export const parseRetryAfter = (
  value: string | null,
  date: string | null,
  now: Date,
): number | undefined => {
  const v = value?.trim()
  if (!v) return undefined
  if (/^\d+$/.test(v)) return Number(v) * 1000
  // An HTTP date starts with the day name; Date.parse alone would accept "-5".
  const at = /^[a-z]{3}/i.test(v) ? Date.parse(v) : Number.NaN
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - referenceTime(date, now))
}

/**
 * How long the answer stays fresh: `Cache-Control: max-age` (minus `Age`), else `Expires` − `Date`.
 * Undefined with `no-cache`/`no-store`, or when nothing usable is sent.
 */
export const parseCacheMaxAge = (
  headers: HttpResponse['headers'],
  now: Date,
): number | undefined => {
  const directives = (headers.get('cache-control') ?? '')
    .toLowerCase()
    .split(',')
    .map((d) => d.trim())
  if (directives.some((d) => d === 'no-cache' || d === 'no-store')) return undefined
  const maxAge = directives.map((d) => /^max-age\s*=\s*"?(\d+)"?$/.exec(d)?.[1]).find(Boolean)
  if (maxAge !== undefined) {
    const age = Number(/^\d+$/.exec(headers.get('age')?.trim() ?? '')?.[0] ?? 0)
    return Math.max(0, Number(maxAge) - age) * 1000
  }
  const expires = headers.get('expires')
  if (!expires) return undefined
  const at = Date.parse(expires)
  // An invalid Expires (often "0" or "-1") means already expired.
  return Number.isNaN(at) ? 0 : Math.max(0, at - referenceTime(headers.get('date'), now))
}

const referenceTime = (date: string | null, now: Date): number => {
  const server = date ? Date.parse(date) : Number.NaN
  return Number.isNaN(server) ? now.getTime() : server
}
