/** renderFeed: one feed document from the store, as cached bytes with their validators. */
import type { AppConfig, Deps, FeedFormat, SourceState } from '../model/types.js'
import { loadStoryMembers } from '../publish/also-reported.js'
import { renderAtom } from '../publish/atom.js'
import type { FeedDocument } from '../publish/document.js'
import { buildFeedDocument, FEED_CONTENT_TYPES } from '../publish/feed.js'
import { renderJsonFeed } from '../publish/json-feed.js'
import { renderRss } from '../publish/rss.js'
import { computeValidators, maxAgeSeconds } from './conditional.js'
import { configFingerprint } from './config-fingerprint.js'
import { type CachedFeed, cachedDocument } from './feed-cache.js'
import type { FeedTarget } from './feed-target.js'
import type { RawParams } from './params.js'
import { scopedQuery, withToken } from './scope.js'

const RENDERERS: Record<FeedFormat, (doc: FeedDocument) => string> = {
  rss: renderRss,
  atom: renderAtom,
  json: renderJsonFeed,
}

/** One feed request, reduced to what decides its bytes. */
export interface FeedRender {
  config: AppConfig
  target: FeedTarget
  format: FeedFormat
  /** The request's query parameters (validated here). */
  params: RawParams
  /** The query string of the self links: sorted, without `token`. */
  selfQuery: string
  /** The request's time. */
  now: Date
  /** The time relative `since`/`until` count back from: `now`, or the start of its minute. */
  queryNow: Date
}

/**
 * When a feed without items was last found empty: the newest successful poll of the sources it
 * can show (all when `sourceIds` is absent). Read from the store, so it survives restarts and
 * stays put between polls (bytes and strong ETag with it); the epoch only before any success.
 */
const lastCheckedAt = (
  states: readonly SourceState[],
  sourceIds: readonly string[] | undefined,
): string | undefined => {
  const wanted = sourceIds ? new Set(sourceIds) : undefined
  let newest = Number.NEGATIVE_INFINITY
  for (const s of states) {
    if (wanted && !wanted.has(s.sourceId)) continue
    const t = Date.parse(s.lastSuccessAt ?? '')
    if (t > newest) newest = t
  }
  return Number.isFinite(newest) ? new Date(newest).toISOString() : undefined
}

/**
 * Queries the store for the feed, computes its validators and renders it once into bytes with
 * the headers of a 200 and of a 304. `Cache-Control: max-age` is the shortest poll interval of
 * the sources the feed can show (see `maxAgeSeconds`).
 */
export const renderFeed = async (deps: Deps, r: FeedRender): Promise<CachedFeed> => {
  const { config, target, format, selfQuery } = r
  const query = scopedQuery(config, r.params, r.queryNow, target.scope)
  const page = await deps.store.queryItems(query)
  // Collapsed stories link to their other reports; a new report changes the lead's body, so the
  // members take part in the validators too.
  const clusterMembers = deps.store.clusterMembers?.bind(deps.store)
  const members =
    query.clusters === 'collapse' && clusterMembers
      ? await loadStoryMembers(
          page.items,
          clusterMembers,
          deps.store.storyMembers?.bind(deps.store),
        )
      : undefined
  const others = members
    ? page.items.flatMap((i) => members(i.clusterId).filter((m) => m.id !== i.id))
    : []
  const emptyAt =
    page.items.length === 0
      ? lastCheckedAt(await deps.store.listStates(), query.sources)
      : undefined
  // Titles of topics and sources are in the body: a reload that renames one changes the ETag.
  const tagKey = `${configFingerprint(config)}:${format}:${target.path}?${selfQuery}`
  const { etag, lastModified } = computeValidators([...page.items, ...others], tagKey, {
    now: r.now,
    ...(emptyAt ? { emptyAt } : {}),
  })
  const doc = buildFeedDocument(
    {
      id: target.id,
      title: target.title,
      description: target.description,
      path: target.path,
      // The self and next links carry the token: a reader following them must get in too.
      query: withToken(selfQuery, config.server.feedToken),
      nextCursor: page.nextCursor,
      ...(emptyAt ? { emptyUpdated: emptyAt } : {}),
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
  return cachedDocument(body, FEED_CONTENT_TYPES[format], {
    etag,
    lastModified,
    // With a token the document is for its holders: no shared cache may keep it.
    cacheControl: `${config.server.feedToken ? 'private' : 'public'}, max-age=${maxAgeSeconds(config, query.sources, r.now)}`,
    // Every answer names both: the format may follow Accept, the coding Accept-Encoding.
    vary: 'Accept, Accept-Encoding',
  })
}
