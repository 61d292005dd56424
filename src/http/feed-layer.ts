/** createFeedLayer: the one way a feed request is answered, from the byte cache or by rendering it. */
import { NotFoundError } from '../model/errors.js'
import type { Deps } from '../model/types.js'
import { type Coding, createCodingChooser } from './accept-encoding.js'
import { isNotModified, opaqueTag } from './conditional.js'
import type { Answer, Exchange } from './exchange.js'
import type { CachedFeed, CacheScope, FeedCache } from './feed-cache.js'
import { renderFeed } from './feed-render.js'
import { matchFeedRoute } from './feed-target.js'
import { toHttpError } from './http-error.js'
import { createExplainer, ITEMS_PATH, renderItemsPage } from './items-render.js'
import { negotiateFormat, splitNameExt } from './negotiate.js'
import { createRenderLimiter, type RenderLimiter } from './render-limiter.js'
import { checkFeedToken, type FixedScope, readFeedQuery } from './scope.js'

/** Relative `since`/`until` (`24h`) count back from the start of the current minute. */
const RELATIVE_TIME_BUCKET_MS = 60_000

/**
 * Answers a feed request, or says it is not one: `false` when the request is not a GET or HEAD
 * of a feed route (the caller passes it on), `true` when it was answered synchronously (a cached
 * document: no promise on that path), else a promise of the answer.
 */
export type FeedLayer = (ex: Exchange) => boolean | Promise<void>

/**
 * The feed routes of SPEC §3: `/feeds/{feed}`, `/topics/{topic}`, `/sources/{source}`,
 * `/search`, in RSS, Atom and JSON Feed.
 *
 * Every document is rendered once per (format, route, normalised query, store version,
 * configuration) and kept as bytes with its validators (see feed-cache.ts). The normalised query
 * is the sorted query string without `token`, which is also what the self links carry, so it
 * decides the bytes. With a relative `since`/`until` (`24h`) the key also holds the current
 * minute and the window counts back from the start of that minute: such a document is at most a
 * minute behind the clock.
 *
 * A request target seen before in this generation (same target, and `Accept` for a path without
 * extension) is remembered as an alias of its document, so a repeat costs one map lookup and a
 * header comparison: no routing, no query parsing, no store query, hash or render. Not with a
 * feed token (its check stays a constant-time comparison, made once per request) nor with a
 * relative window (the key depends on the clock).
 * @example const feeds = createFeedLayer(deps, createFeedCache()); if (feeds(ex) === false) next()
 */
export const createFeedLayer = (
  deps: Deps,
  cache: FeedCache,
  limiter: RenderLimiter = createRenderLimiter(),
): FeedLayer => {
  const chooseCoding = createCodingChooser()
  const explain = createExplainer()
  /** Answers with a document (or its 304), as the request's conditions and codings say. */
  const reply = (ex: Exchange, doc: CachedFeed, target: string): true | Promise<void> => {
    const coding = doc.coded ? chooseCoding(ex.header('accept-encoding')) : undefined
    const answer = answerOf(doc, ex, coding, cache)
    if (!(answer instanceof Promise)) {
      ex.respond(answer)
      return true
    }
    return answer.then(
      (a) => ex.respond(a),
      (err: unknown) => ex.respond(errorAnswer(deps, err, target)),
    )
  }
  return (ex) => {
    const { method } = ex
    if (method !== 'GET' && method !== 'HEAD') return false
    const config = deps.config
    cache.sync(config, deps.store.version())
    const target = ex.target
    if (!config.server.feedToken) {
      const accept = hasExtension(target) ? undefined : ex.header('accept')
      const hit = cache.recall(rawRequestKey(target, accept))
      if (hit) {
        ex.route = hit.route
        return reply(ex, hit.doc, target)
      }
    }
    const mark = target.indexOf('?')
    const path = mark < 0 ? target : target.slice(0, mark)
    const feed = matchFeedRoute(path)
    if (!feed && path !== ITEMS_PATH) return false
    const route = feed ? feed.route : ITEMS_PATH
    ex.route = route
    try {
      const query = readFeedQuery(target)
      if (config.server.feedToken) checkFeedToken(config, query.params)
      const now = deps.clock.now()
      const t = now.getTime()
      const queryNow = query.relative ? new Date(t - (t % RELATIVE_TIME_BUCKET_MS)) : now
      const at = query.relative ? ` @${queryNow.getTime()}` : ''
      let accept: string | undefined
      let key: string
      let render: (now: Date, queryNow: Date) => Promise<CachedFeed>
      let scope: CacheScope | undefined
      const { params, selfQuery } = query
      if (feed) {
        const { name, ext, unknownExt } = splitNameExt(feed.segment)
        if (unknownExt !== undefined) throw new NotFoundError('route', pathOf(target))
        const feedTarget = feed.resolve(config, name, selfQuery)
        accept = ext ? undefined : ex.header('accept')
        const format = negotiateFormat(ext, accept)
        key = `${format} ${feedTarget.path}?${selfQuery}${at}`
        scope = scopeOf(feedTarget.scope)
        render = (now, queryNow) =>
          renderFeed(deps, { config, target: feedTarget, format, params, selfQuery, now, queryNow })
      } else {
        // Accept does not choose the document here, but the alias fast path keys on it.
        accept = ex.header('accept')
        key = `items ${ITEMS_PATH}?${selfQuery}${at}`
        render = (now, queryNow) =>
          renderItemsPage(deps, explain, { config, params, selfQuery, now, queryNow })
      }
      // Rendered again after a change, ahead of readers, as a request would render it then; not a
      // relative window (its key holds the minute it counts back from).
      const refresh = query.relative
        ? undefined
        : () => {
            const t = deps.clock.now()
            return render(t, t)
          }
      const remember = (): void => {
        if (!query.relative && !config.server.feedToken && deps.config === config) {
          cache.remember(rawRequestKey(target, accept), key, route)
        }
      }
      const cached = cache.get(key)
      if (cached) {
        remember()
        return reply(ex, cached, target)
      }
      // Only a render waits for the limiter: a cached document never does.
      return cache
        .getOrRender(key, () => limiter.run(ex.client, () => render(now, queryNow)), {
          ...(scope ? { scope } : {}),
          ...(refresh ? { refresh } : {}),
        })
        .then(
          (doc) => {
            remember()
            const replied = reply(ex, doc, target)
            return replied === true ? undefined : replied
          },
          (err: unknown) => ex.respond(errorAnswer(deps, err, target)),
        )
    } catch (err) {
      ex.respond(errorAnswer(deps, err, target))
      return true
    }
  }
}

/** The JSON error answer of {@link toHttpError}; a 500 is logged with what was asked. */
export const errorAnswer = (deps: Deps, err: unknown, target: string): Answer => {
  const { status, body, headers } = toHttpError(err)
  if (status === 500) deps.logger.error({ err, url: target }, 'request failed')
  return {
    status,
    headers: {
      'Content-Type': 'application/json',
      'X-Content-Type-Options': 'nosniff',
      ...headers,
    },
    body: JSON.stringify(body),
  }
}

// --- Internal helpers ---

/**
 * 304 when the request's conditions hold, else the bytes of the chosen coding: from the cache,
 * or (the first time that coding of the document is asked for) once compressed.
 *
 * `If-None-Match` matches any form of the document: its identity, gzip or br tag. They name one
 * content, and a cache that holds several variants sends all their tags and learns from the 304's
 * `ETag` which one to reuse (RFC 9111 §4.3.2, §4.3.4); so the 304 carries the tag that matched,
 * and a reader whose `Accept-Encoding` changed keeps the copy it has. Only without
 * `If-None-Match` is `If-Modified-Since` used.
 */
const answerOf = (
  doc: CachedFeed,
  ex: Exchange,
  coding: Coding | undefined,
  cache: FeedCache,
): Answer | Promise<Answer> => {
  const variant = coding ? doc.coded?.[coding] : undefined
  const selected = variant ?? doc
  const ifNoneMatch = ex.header('if-none-match')
  if (ifNoneMatch !== undefined) {
    // Fast path: a reader sends back exactly the tag it was given.
    const matched =
      ifNoneMatch === selected.etag ? selected : matchingForm(doc, selected, ifNoneMatch)
    if (matched) return { status: 304, headers: matched.notModifiedHeaders }
  } else {
    const ifModifiedSince = ex.header('if-modified-since')
    if (ifModifiedSince !== undefined && isNotModified({ ifModifiedSince }, doc)) {
      return { status: 304, headers: selected.notModifiedHeaders }
    }
  }
  if (!variant || !coding) return { status: 200, headers: doc.headers, body: doc.body }
  if (variant.body && variant.headers) {
    return { status: 200, headers: variant.headers, body: variant.body }
  }
  return cache
    .encode(doc, coding)
    .then((v) => ({ status: 200, headers: v.headers ?? {}, body: v.body ?? Buffer.alloc(0) }))
}

/** The form of a document (identity or a coded variant) an `If-None-Match` list names, if any. */
const matchingForm = (
  doc: CachedFeed,
  selected: { etag: string; notModifiedHeaders: Readonly<Record<string, string>> },
  ifNoneMatch: string,
): { notModifiedHeaders: Readonly<Record<string, string>> } | undefined => {
  const list = ifNoneMatch.trim()
  if (list === '*') return selected
  const forms = [doc, ...(doc.coded ? [doc.coded.gzip, doc.coded.br] : [])]
  // Members are split on commas: our tags are base64url and never contain one.
  for (const member of list.split(',')) {
    const tag = opaqueTag(member)
    const form = forms.find((f) => opaqueTag(f.etag) === tag)
    if (form) return form
  }
  return undefined
}

/** What a feed route's documents can show, as the cache matches changes against it. */
const scopeOf = (fixed: FixedScope): CacheScope | undefined => {
  // An empty list fixes nothing here: matching it against a change would keep a stale document.
  const topics = fixed.topics?.length ? fixed.topics : undefined
  const sources = fixed.sources?.length ? fixed.sources : undefined
  if (!topics && !sources) return undefined
  return { ...(topics ? { topics } : {}), ...(sources ? { sources } : {}) }
}

const pathOf = (target: string): string => {
  const mark = target.indexOf('?')
  return mark < 0 ? target : target.slice(0, mark)
}

/** Whether the last path segment of a request target has an extension (`.rss`). */
const hasExtension = (target: string): boolean => {
  const end = target.indexOf('?')
  const path = end < 0 ? target : target.slice(0, end)
  return path.lastIndexOf('.') > path.lastIndexOf('/')
}

/** A raw request as the alias map knows it: the target, plus `Accept` when it decides the format. */
const rawRequestKey = (target: string, accept: string | undefined): string =>
  `${target}\n${accept ?? ''}`
