/** The HTTP client contract the poller fetches with (HttpFetch) and the slices of request and response it uses. */
/** The slice of a WHATWG Response that the fetcher reads; undici's and the global one both fit. */
export interface HttpResponse {
  status: number
  url: string
  headers: { get(name: string): string | null }
  body: AsyncIterable<Uint8Array> | null
  /**
   * The content codings the body still has, in the order applied (see content-coding.ts); absent
   * when it has none, or when the HttpFetch undid them (a WHATWG fetch does).
   */
  codings?: readonly string[]
}

export interface HttpRequestInit {
  method?: 'GET' | 'HEAD'
  headers: Record<string, string>
  redirect: 'manual'
  /** Aborts the exchange when it emits `abort`. */
  signal?: AbortEmitter
  /** This request may reach private, loopback and link-local addresses (the source opted out). */
  allowPrivateNetworks?: boolean
}

/**
 * An EventEmitter that emits `abort`: what fetchFeed aborts an exchange with. Not an AbortSignal:
 * undici's `request` takes either, and an AbortController per request is a
 * cost a 304 poll, otherwise small, notices (see `npm run bench fetch`).
 */
export interface AbortEmitter {
  on(event: 'abort', listener: () => void): unknown
  once(event: 'abort', listener: () => void): unknown
  removeListener(event: 'abort', listener: () => void): unknown
}

/** The HTTP client used for polling; `runtime.ts` binds undici's request with our Agent. */
export type HttpFetch = (url: string, init: HttpRequestInit) => Promise<HttpResponse>
