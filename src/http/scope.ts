/** Turns a request's query string plus a route's fixed filter into one validated ItemQuery. */
import { timingSafeEqual } from 'node:crypto'
import { NotFoundError, UnauthorizedError } from '../model/errors.js'
import type { AppConfig, ItemQuery } from '../model/types.js'
import { parseDuration } from '../util/duration.js'
import { parseItemQuery, type RawParams } from './params.js'

/** What a route fixes before the query narrows it (a named feed, a topic, a source). */
export interface FixedScope {
  topics?: string[]
  sources?: string[]
  excludeTopics?: string[]
  limit?: number
}

/** Narrows a fixed list by an asked one: both given → their intersection. */
const narrow = (fixed?: string[], asked?: string[]): string[] | undefined => {
  if (!fixed) return asked
  if (!asked) return fixed
  return fixed.filter((x) => asked.includes(x))
}

/**
 * Validates the query against the configuration (unknown topic/source → 404 naming it) and merges
 * it with the route's fixed scope. Query parameters can only narrow a named feed, never widen it.
 * The feed token is the caller's to check (once, before anything else: see checkFeedToken).
 */
export const scopedQuery = (
  config: AppConfig,
  params: RawParams,
  now: Date,
  fixed: FixedScope,
  allowed: readonly string[] = [],
): ItemQuery => {
  const q = parseItemQuery(params, now, { allowed: ['token', ...allowed] })
  const topicIds = new Set(config.topics.map((t) => t.id))
  const sourceIds = new Set(config.sources.map((s) => s.id))
  for (const t of [...(q.topics ?? []), ...(q.notTopics ?? [])]) {
    if (!topicIds.has(t)) throw new NotFoundError('topic', t)
  }
  for (const s of q.sources ?? []) if (!sourceIds.has(s)) throw new NotFoundError('source', s)
  const notTopics = [...(fixed.excludeTopics ?? []), ...(q.notTopics ?? [])]
  return {
    ...q,
    topics: narrow(fixed.topics, q.topics),
    sources: narrow(fixed.sources, q.sources),
    notTopics: notTopics.length > 0 ? [...new Set(notTopics)] : undefined,
    limit: 'limit' in params ? q.limit : (fixed.limit ?? q.limit),
  }
}

/**
 * With `server.feed_token` set, every feed, API read and `/metrics` needs `?token=`
 * (constant-time compare); missing or wrong: UnauthorizedError (401).
 */
export const checkFeedToken = (config: AppConfig, params: RawParams): void => {
  const want = config.server.feedToken
  if (!want) return
  const token = params.token
  const got = Buffer.from((typeof token === 'string' ? token : token?.at(-1)) ?? '')
  const expected = Buffer.from(want)
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
    throw new UnauthorizedError('token', 'a valid "token" parameter is required for this feed')
  }
}

/**
 * A normalised query with the feed token added last, when one is configured: the query of the
 * links a document gives out (self, next), which must work for whoever follows them.
 * @example withToken('limit=5', 's3cret') // 'limit=5&token=s3cret'
 */
export const withToken = (query: string, token: string | undefined): string => {
  if (!token) return query
  const pair = `token=${encodeURIComponent(token)}`
  return query ? `${query}&${pair}` : pair
}

/** A feed request's query string reduced to what decides the document (see normaliseFeedQuery). */
export interface NormalisedQuery {
  /** Sorted, without `token`: the query the self links carry and the cache key holds. */
  selfQuery: string
  /** `since` or `until` counts back from now (`24h`): the document depends on the clock. */
  relative: boolean
}

/**
 * Normalises the query string of a request target (`/topics/x.rss?b=1&a=2`, or a whole URL):
 * parameters sorted by name (stable for equal names), the feed token dropped, values re-encoded.
 * @example normaliseFeedQuery('/search.rss?q=kabul&since=24h&token=t') // { selfQuery: 'q=kabul&since=24h', relative: true }
 */
export const normaliseFeedQuery = (target: string): NormalisedQuery => {
  const { selfQuery, relative } = readFeedQuery(target)
  return { selfQuery, relative }
}

/** A feed request's query, parsed once: the raw parameters (token included) and their normal form. */
export interface FeedQuery extends NormalisedQuery {
  /** Every parameter as sent; a repeated name keeps all its values (the grammar rejects it). */
  params: RawParams
}

/** Parses a request target's query string once into {@link FeedQuery} (see normaliseFeedQuery). */
export const readFeedQuery = (target: string): FeedQuery => {
  const mark = target.indexOf('?')
  if (mark < 0 || mark === target.length - 1) return { params: {}, selfQuery: '', relative: false }
  const search = new URLSearchParams(target.slice(mark + 1))
  // No prototype: a parameter named `__proto__` is a parameter like any other (and rejected).
  const params: Record<string, string | string[]> = Object.create(null)
  for (const [name, value] of search) {
    const seen = params[name]
    if (seen === undefined) params[name] = value
    else params[name] = typeof seen === 'string' ? [seen, value] : [...seen, value]
  }
  search.delete('token')
  search.sort()
  const relative = ['since', 'until'].some((p) =>
    search.getAll(p).some((v) => parseDuration(v) !== undefined),
  )
  return { params, selfQuery: search.toString(), relative }
}
