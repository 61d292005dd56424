/** renderItemsPage: one /api/items page from the store, as cached bytes with their validators. */
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { InvalidParamError } from '../model/errors.js'
import type { AppConfig, Deps, Item, Topic } from '../model/types.js'
import { loadStoryMembers } from '../publish/also-reported.js'
import { explainCluster, storyOf } from '../stories/explain.js'
import { compileTopics } from '../topics/compile.js'
import type { CompiledTopics } from '../topics/compiled.js'
import { type Explanation, explainItem } from '../topics/explain.js'
import { echo } from '../util/echo.js'
import { computeValidators, maxAgeSeconds } from './conditional.js'
import { configFingerprint } from './config-fingerprint.js'
import { type CachedFeed, cachedDocument } from './feed-cache.js'
import type { RawParams } from './params.js'
import { scopedQuery, withToken } from './scope.js'

/** The route this file renders. */
export const ITEMS_PATH = '/api/items'

/**
 * Most milliseconds of page building between two yields to the event loop: a page of 500 items
 * with their bodies is built in slices, so a reader of a cached feed or `/healthz` waits for one
 * slice, not a page.
 */
const SLICE_MS = 2

/** One /api/items request, reduced to what decides its bytes. */
export interface ItemsRender {
  config: AppConfig
  params: RawParams
  /** The query string: sorted, without `token` (see readFeedQuery). */
  selfQuery: string
  now: Date
  /** The time relative `since`/`until` count back from. */
  queryNow: Date
}

/** Explains items against a configuration's topics; compiled once per configuration. */
export type Explainer = (config: AppConfig, item: Item) => Explanation

/**
 * An explainer that compiles the topic rules once per configuration (again after a reload).
 * @example const explain = createExplainer(); explain(deps.config, item)
 */
export const createExplainer = (): Explainer => {
  let cache: { topics: Topic[]; compiled: CompiledTopics } | undefined
  return (config, item) => {
    const { topics, sources } = config
    if (cache?.topics !== topics) cache = { topics, compiled: compileTopics(topics) }
    const tags = sources.find((s) => s.id === item.sourceId)?.tags ?? []
    return explainItem(
      item,
      cache.compiled,
      tags,
      topics.map((t) => t.id),
    )
  }
}

/**
 * Validates the query (the rules of every feed route, plus `explain`), queries the store and
 * writes the page `{ items, nextCursor, next }` as JSON bytes with the validators and headers
 * of a 200 and a 304: the same ETag rule as the feeds (over the items and their story members,
 * the query and the configuration), so a 304 costs a comparison. The JSON is written item by
 * item in slices, yielding between them (see SLICE_MS).
 */
export const renderItemsPage = async (
  deps: Deps,
  explain: Explainer,
  r: ItemsRender,
): Promise<CachedFeed> => {
  const { config, params, selfQuery } = r
  const query = scopedQuery(config, params, r.queryNow, {}, ['explain'])
  const explaining = parseExplainParam(params.explain)
  const page = await deps.store.queryItems(query)
  const priorities = new Map(config.sources.map((s) => [s.id, s.priority ?? 0]))
  const priorityOf = (id: string): number => priorities.get(id) ?? 0
  const clusterMembers = deps.store.clusterMembers?.bind(deps.store)
  const membersOf = clusterMembers
    ? await loadStoryMembers(page.items, clusterMembers, deps.store.storyMembers?.bind(deps.store))
    : undefined
  const memberLists = page.items.map((i) => {
    const members = membersOf?.(i.clusterId)
    return members?.length ? [...members] : [i]
  })
  const others = page.items.flatMap((i, n) => (memberLists[n] ?? []).filter((m) => m.id !== i.id))
  const { etag, lastModified } = computeValidators(
    [...page.items, ...others],
    `${configFingerprint(config)}:${ITEMS_PATH}?${selfQuery}`,
    { now: r.now },
  )
  const token = config.server.feedToken
  const next = page.nextCursor
    ? `${config.server.baseUrl}${ITEMS_PATH}?${withToken(withCursor(selfQuery, page.nextCursor), token)}`
    : undefined
  const parts: string[] = []
  let sliceStart = performance.now()
  for (let n = 0; n < page.items.length; n++) {
    if (performance.now() - sliceStart >= SLICE_MS) {
      await yieldToLoop()
      sliceStart = performance.now()
    }
    const i = page.items[n] as Item
    const members = memberLists[n] ?? [i]
    const story = storyOf(i, members, priorityOf)
    // explain=1: per topic, the terms that matched; per story, why its members were merged.
    const out = explaining
      ? {
          ...toApiItem(i),
          story: { ...story, why: explainCluster(i, members, priorityOf) },
          explain: explain(config, i),
        }
      : { ...toApiItem(i), story }
    parts.push(JSON.stringify(out))
  }
  const tail = JSON.stringify({ nextCursor: page.nextCursor ?? null, next }).slice(1)
  const body = Buffer.from(`{"items":[${parts.join(',')}],${tail}`, 'utf8')
  return cachedDocument(body, 'application/json', {
    etag,
    lastModified,
    cacheControl: `${token ? 'private' : 'public'}, max-age=${maxAgeSeconds(config, query.sources, r.now)}`,
    vary: 'Accept-Encoding',
  })
}

// --- Internal helpers ---

/** `explain` on /api/items: 1/true adds `explain` to every item, 0/false or absent does not. */
const parseExplainParam = (raw: string | readonly string[] | undefined): boolean => {
  const value = typeof raw === 'string' ? raw : raw?.[0]
  const v = (value ?? '').trim().toLowerCase()
  if (v === '' || v === '0' || v === 'false') return false
  if (v === '1' || v === 'true') return true
  throw new InvalidParamError(
    'explain',
    `"explain" must be 1 or 0 (or true/false), got ${echo(value ?? '')}`,
  )
}

/** A normalised query with `cursor` set to the next page's, still sorted. */
const withCursor = (selfQuery: string, cursor: string): string => {
  const p = new URLSearchParams(selfQuery)
  p.set('cursor', cursor)
  p.sort()
  return p.toString()
}

/** The public JSON shape of an item (stable field names; `contentHash` is internal). */
const toApiItem = (item: Item) => {
  const { contentHash: _hash, ...rest } = item
  return rest
}
