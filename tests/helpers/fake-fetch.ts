/** An HttpFetch over a URL → answer map, recording the requests it saw (orchestrator tests). */
import type { HttpFetch, HttpRequestInit, HttpResponse } from '../../src/ingest/fetch/http-fetch.js'

export interface FakeAnswer {
  status?: number
  headers?: Record<string, string>
  body?: string | Uint8Array
}

export interface FakeFetch {
  fetch: HttpFetch
  /** Every request in order, with the headers sent. */
  requests: { url: string; init: HttpRequestInit }[]
  /** Replaces (or adds) the answer for a URL. */
  set(url: string, answer: FakeAnswer | ((init: HttpRequestInit) => FakeAnswer)): void
}

/** Unknown URLs reject like a refused connection. */
export const fakeFetch = (
  routes: Record<string, FakeAnswer | ((init: HttpRequestInit) => FakeAnswer)> = {},
): FakeFetch => {
  const table = new Map(Object.entries(routes))
  const requests: FakeFetch['requests'] = []
  const fetch: HttpFetch = async (url, init) => {
    requests.push({ url, init })
    const route = table.get(url)
    if (!route)
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })
    const a = typeof route === 'function' ? route(init) : route
    const headers = new Headers(a.headers ?? {})
    const bytes = typeof a.body === 'string' ? new TextEncoder().encode(a.body) : a.body
    const res: HttpResponse = {
      status: a.status ?? 200,
      url,
      headers,
      body: bytes
        ? (async function* () {
            yield bytes
          })()
        : null,
    }
    return res
  }
  return { fetch, requests, set: (url, a) => table.set(url, a) }
}
