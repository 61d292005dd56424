/** Feed routes: /feeds/{feed}, /topics/{topic}, /sources/{source}, /search — RSS, Atom, JSON Feed. */
import { type IncomingHttpHeaders, IncomingMessage, type ServerResponse } from 'node:http'
import { type Context, Hono } from 'hono'
import { NotFoundError } from '../../model/errors.js'
import type { AppConfig, Deps, FeedFormat } from '../../model/types.js'
import { loadStoryMembers } from '../../publish/also-reported.js'
import { renderAtom } from '../../publish/atom.js'
import type { FeedDocument } from '../../publish/document.js'
import { buildFeedDocument, FEED_CONTENT_TYPES } from '../../publish/feed.js'
import { renderJsonFeed } from '../../publish/json-feed.js'
import { renderRss } from '../../publish/rss.js'
import { sha256Hex } from '../../util/hash.js'
import { computeValidators, isNotModified, maxAgeSeconds } from '../conditional.js'
import { type CachedFeed, createFeedCache, type FeedCache } from '../feed-cache.js'
import { negotiateFormat, splitNameExt } from '../negotiate.js'
import { checkFeedToken, type FixedScope, normaliseFeedQuery, scopedQuery } from '../scope.js'

const RENDERERS: Record<FeedFormat, (doc: FeedDocument) => string> = {
  rss: renderRss,
  atom: renderAtom,
  json: renderJsonFeed,
}

/** Relative `since`/`until` (`24h`) count back from the start of the current minute. */
export const RELATIVE_TIME_BUCKET_MS = 60_000

/** What a feed route resolved its name to. */
interface FeedTarget {
  id: string
  title: string
  description?: string
  path: string
  scope: FixedScope
}

/** One feed request, reduced to what decides its bytes. */
interface FeedRequest {
  config: AppConfig
  target: FeedTarget
  format: FeedFormat
  /** The query string of the self links: sorted, without `token`. */
  selfQuery: string
  /** The request's time. */
  now: Date
  /** The time relative `since`/`until` count back from: `now`, or the start of its minute. */
  queryNow: Date
}

export interface FeedRoutesOptions {
  /** The rendered-document cache, shared with {@link feedFastPath} (default: a new one). */
  cache?: FeedCache
}

/**
 * Routes of SPEC §3 "Feeds".
 *
 * Every document is rendered once per (format, route, normalised query, store version,
 * configuration) and kept as bytes with its validators (see feed-cache.ts): a repeat request is a
 * cache lookup and a header comparison, without a store query, a hash or a render. The
 * normalised query is the sorted query string without `token`, which is also what the self links
 * carry, so it decides the bytes. With a relative `since`/`until` (`24h`) the key also holds the
 * current minute and the window counts back from the start of that minute: such a document is
 * at most a minute behind the clock. `Cache-Control: max-age` is the shortest poll interval of
 * the sources the feed can show (see `maxAgeSeconds`).
 */
export const feedRoutes = (deps: Deps, opts: FeedRoutesOptions = {}): Hono => {
  const app = new Hono()
  const cache = opts.cache ?? createFeedCache()

  const render = async (c: Context, r: FeedRequest): Promise<CachedFeed> => {
    const { config, target, format, selfQuery } = r
    const query = scopedQuery(config, c.req.queries(), r.queryNow, target.scope)
    const page = await deps.store.queryItems(query)
    // Collapsed stories link to their other reports; a new report changes the lead's body, so the
    // members take part in the validators too.
    const clusterMembers = deps.store.clusterMembers?.bind(deps.store)
    const members =
      query.clusters === 'collapse' && clusterMembers
        ? await loadStoryMembers(page.items, clusterMembers)
        : undefined
    const others = members
      ? page.items.flatMap((i) => members(i.clusterId).filter((m) => m.id !== i.id))
      : []
    // Titles of topics and sources are in the body: a reload that renames one changes the ETag.
    const tagKey = `${configFingerprint(config)}:${format}:${target.path}?${selfQuery}`
    const { etag, lastModified } = computeValidators([...page.items, ...others], tagKey, {
      now: r.now,
    })
    const doc = buildFeedDocument(
      {
        id: target.id,
        title: target.title,
        description: target.description,
        path: target.path,
        query: selfQuery,
        nextCursor: page.nextCursor,
      },
      page.items,
      {
        baseUrl: config.server.baseUrl,
        sources: config.sources,
        topics: config.topics,
        ...(members ? { members } : {}),
      },
    )
    const body = Buffer.from(RENDERERS[format](doc), 'utf8')
    const common = {
      ETag: etag,
      'Last-Modified': lastModified,
      'Cache-Control': `public, max-age=${maxAgeSeconds(config, query.sources, r.now)}`,
      Vary: 'Accept',
    }
    return {
      body,
      etag,
      lastModified,
      headers: {
        'Content-Type': FEED_CONTENT_TYPES[format],
        'Content-Length': String(body.byteLength),
        ...common,
      },
      notModifiedHeaders: common,
    }
  }

  const serveFeed = async (
    c: Context,
    segment: string,
    resolve: (config: AppConfig, name: string) => FeedTarget,
  ): Promise<Response> => {
    const { name, ext, unknownExt } = splitNameExt(segment)
    if (unknownExt !== undefined) throw new NotFoundError('route', c.req.path)
    const config = deps.config
    const target = resolve(config, name)
    const accept = ext ? undefined : header(c, 'accept')
    const format = negotiateFormat(ext, accept)
    if (config.server.feedToken) checkFeedToken(config, c.req.queries())
    const now = deps.clock.now()
    const requestTarget = targetOf(incomingOf(c.env), c.req.url)
    const { selfQuery, relative } = normaliseFeedQuery(requestTarget)
    const t = now.getTime()
    const queryNow = relative ? new Date(t - (t % RELATIVE_TIME_BUCKET_MS)) : now
    const key = `${format} ${target.path}?${selfQuery}${relative ? ` @${queryNow.getTime()}` : ''}`
    cache.sync(config, deps.store.version())
    const doc =
      cache.get(key) ??
      (await cache.getOrRender(key, () =>
        render(c, { config, target, format, selfQuery, now, queryNow }),
      ))
    // The same request can skip routing next time (not when the key depends on the clock, nor
    // with a feed token, whose check must stay a constant-time comparison).
    if (!relative && !config.server.feedToken && deps.config === config) {
      cache.remember(rawRequestKey(requestTarget, accept), key, c.req.routePath)
    }
    return respond(doc, header(c, 'if-none-match'), header(c, 'if-modified-since'))
  }

  app.get('/feeds/:name', (c) =>
    serveFeed(c, c.req.param('name'), (config, name) => {
      const def = config.feeds.find((f) => f.id === name)
      if (!def) throw new NotFoundError('feed', name)
      return {
        id: `feeds/${def.id}`,
        title: def.title,
        description: def.description,
        path: `/feeds/${def.id}`,
        scope: {
          topics: def.topics,
          sources: def.sources,
          excludeTopics: def.excludeTopics,
          limit: def.limit,
        },
      }
    }),
  )
  app.get('/topics/:name', (c) =>
    serveFeed(c, c.req.param('name'), (config, name) => {
      const topic = config.topics.find((t) => t.id === name)
      if (!topic) throw new NotFoundError('topic', name)
      return {
        id: `topics/${topic.id}`,
        title: topic.title,
        description: `Items tagged “${topic.title}”, from every source`,
        path: `/topics/${topic.id}`,
        scope: { topics: [topic.id] },
      }
    }),
  )
  app.get('/sources/:name', (c) =>
    serveFeed(c, c.req.param('name'), (config, name) => {
      const source = config.sources.find((s) => s.id === name)
      if (!source) throw new NotFoundError('source', name)
      return {
        id: `sources/${source.id}`,
        title: source.title,
        description: `${source.title}, deduplicated and tagged by topicwire`,
        path: `/sources/${source.id}`,
        scope: { sources: [source.id] },
      }
    }),
  )
  app.get('/:search{search(?:\\.(?:rss|atom|json|xml))?}', (c) =>
    serveFeed(c, c.req.param('search'), () => ({
      id: 'search',
      title: searchTitle(normaliseFeedQuery(c.req.url).selfQuery),
      path: '/search',
      scope: {},
    })),
  )
  return app
}

/**
 * Answers a GET that the feed routes answered before, from the cache, before any routing: the
 * same request target (and `Accept`, for a path without extension) in the same generation is
 * the same document. Synchronous, so @hono/node-server writes the response at once. Returns
 * undefined for everything else (the caller then dispatches to the app): other methods, a
 * request not seen in this generation, an evicted document, or a configured feed token.
 * @example const fast = feedFastPath(deps, cache); app.fetch = (r, env, x) => fast(r, env) ?? dispatch(r, env, x)
 */
export const feedFastPath =
  (deps: Deps, cache: FeedCache) =>
  (request: Request, env: unknown): Response | undefined => {
    const incoming = incomingOf(env)
    const target = targetOf(incoming, request.url)
    const hit = cachedAnswer(
      deps,
      cache,
      request.method,
      target,
      incoming?.headers ?? request.headers,
    )
    if (!hit) return undefined
    const res = responseOf(hit.doc, hit.notModified)
    deps.metrics.recordRequest(hit.route, res.status, (performance.now() - hit.started) / 1000)
    return res
  }

/**
 * The same fast path one level lower, before @hono/node-server builds a Request and converts a
 * Response: a cached GET is answered straight from Node's request with the cached bytes (see
 * http/node-server.ts). Returns false when it did not answer, and the request goes to Hono.
 */
export const nodeFeedFastPath =
  (deps: Deps, cache: FeedCache) =>
  (req: IncomingMessage, res: ServerResponse): boolean => {
    const answer = cachedAnswer(deps, cache, req.method ?? '', req.url ?? '/', req.headers)
    if (!answer) return false
    const { doc, route, notModified, started } = answer
    if (notModified) {
      res.writeHead(304, doc.notModifiedHeaders)
      res.end()
    } else {
      res.writeHead(200, doc.headers)
      res.end(doc.body)
    }
    deps.metrics.recordRequest(route, notModified ? 304 : 200, (performance.now() - started) / 1000)
    return true
  }

// --- Internal helpers ---

/**
 * What both fast paths answer from the cache: the cached document of a GET seen in this
 * generation, and whether its conditions make it a 304. Undefined when the app must answer.
 */
const cachedAnswer = (
  deps: Deps,
  cache: FeedCache,
  method: string,
  target: string,
  headers: IncomingHttpHeaders | Headers,
): { doc: CachedFeed; route: string; notModified: boolean; started: number } | undefined => {
  if (method !== 'GET' || deps.config.server.feedToken) return undefined
  const accept = hasExtension(target) ? undefined : headerIn(headers, 'accept')
  cache.sync(deps.config, deps.store.version())
  const hit = cache.recall(rawRequestKey(target, accept))
  if (!hit) return undefined
  const started = performance.now()
  const notModified = notModifiedFor(
    hit.doc,
    headerIn(headers, 'if-none-match'),
    headerIn(headers, 'if-modified-since'),
  )
  return { doc: hit.doc, route: hit.route, notModified, started }
}

/** A header from Node's parsed headers (no closure or WHATWG Headers per request) or a Headers. */
const headerIn = (headers: IncomingHttpHeaders | Headers, name: string): string | undefined => {
  if (headers instanceof Headers) return headers.get(name) ?? undefined
  const value = headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/** Whether the request's conditions (when it has any) hold for the document: a 304. */
const notModifiedFor = (
  doc: CachedFeed,
  ifNoneMatch: string | undefined,
  ifModifiedSince: string | undefined,
): boolean =>
  (ifNoneMatch !== undefined || ifModifiedSince !== undefined) &&
  isNotModified({ ifNoneMatch, ifModifiedSince }, doc)

/** 304 with the validators when the request's conditions hold, else the cached bytes. */
const respond = (
  doc: CachedFeed,
  ifNoneMatch: string | undefined,
  ifModifiedSince: string | undefined,
): Response => responseOf(doc, notModifiedFor(doc, ifNoneMatch, ifModifiedSince))

const responseOf = (doc: CachedFeed, notModified: boolean): Response =>
  notModified
    ? new Response(null, { status: 304, headers: doc.notModifiedHeaders })
    : // A plain header record and a Buffer take @hono/node-server's fastest path.
      new Response(doc.body, { status: 200, headers: doc.headers })

/** The Node.js request under @hono/node-server (`env.incoming`); absent under `app.request()`. */
const incomingOf = (env: unknown): IncomingMessage | undefined => {
  if (typeof env !== 'object' || env === null || !('incoming' in env)) return undefined
  return env.incoming instanceof IncomingMessage ? env.incoming : undefined
}

/** The request target: Node's raw `/path?query` when there is one, else the whole URL. */
const targetOf = (incoming: IncomingMessage | undefined, url: string): string =>
  incoming?.url ?? url

/**
 * A request header, from Node's parsed headers when there are some: `Request#headers` under
 * @hono/node-server first builds a WHATWG `Headers` of the whole request, which costs more than
 * the rest of a cached response.
 */
const header = (c: Context, name: string): string | undefined =>
  headerIn(incomingOf(c.env)?.headers ?? c.req.raw.headers, name)

/** Whether the last path segment of a request target has an extension (`.rss`). */
const hasExtension = (target: string): boolean => {
  const end = target.indexOf('?')
  const path = end < 0 ? target : target.slice(0, end)
  return path.lastIndexOf('.') > path.lastIndexOf('/')
}

/** A raw request as the fast path knows it: the target, plus `Accept` when it decides the format. */
const rawRequestKey = (target: string, accept: string | undefined): string =>
  `${target}\n${accept ?? ''}`

const fingerprints = new WeakMap<AppConfig, string>()

/** A short hash of what a configuration puts into documents (titles, base URL); cached per config. */
const configFingerprint = (config: AppConfig): string => {
  let fp = fingerprints.get(config)
  if (!fp) {
    const shown = {
      base: config.server.baseUrl,
      sources: config.sources.map((s) => [s.id, s.title, s.url]),
      topics: config.topics.map((t) => [t.id, t.title]),
      feeds: config.feeds.map((f) => [f.id, f.title, f.description]),
    }
    fp = sha256Hex(JSON.stringify(shown)).slice(0, 16)
    fingerprints.set(config, fp)
  }
  return fp
}

const searchTitle = (selfQuery: string): string => {
  const parts = [...new URLSearchParams(selfQuery)].map(([k, v]) => `${k}=${v}`)
  return parts.length > 0 ? `topicwire search: ${parts.join(', ')}` : 'topicwire: all items'
}
