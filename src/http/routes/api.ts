/** JSON API: /api/items (cursor pages), /api/sources (health), /api/topics, /api/feeds. */
import { Hono } from 'hono'
import { InvalidParamError } from '../../model/errors.js'
import type { Deps, Item, Source, SourceState, Topic } from '../../model/types.js'
import { explainCluster, storyOf } from '../../stories/explain.js'
import { compileTopics } from '../../topics/compile.js'
import type { CompiledTopics } from '../../topics/compiled.js'
import { type Explanation, explainItem } from '../../topics/explain.js'
import { echo } from '../../util/echo.js'
import { createLimiter } from '../../util/limit.js'
import { checkParams, type RawParams } from '../params.js'
import { checkFeedToken, scopedQuery } from '../scope.js'
import { notModifiedShare, sourceStatus } from '../source-health.js'

const DAY_MS = 86_400_000

/** Routes of SPEC §3 "JSON and pages" under /api (admin routes live in admin.ts). */
export const apiRoutes = (deps: Deps): Hono => {
  const app = new Hono()
  const base = () => deps.config.server.baseUrl

  const explain = createExplainer(deps)
  app.get('/items', async (c) => {
    const params = c.req.queries()
    checkFeedToken(deps.config, params)
    const query = scopedQuery(deps.config, params, deps.clock.now(), {}, ['explain'])
    const explaining = parseExplainParam(params.explain?.[0])
    const page = await deps.store.queryItems(query)
    const next = page.nextCursor
      ? nextLink(c.req.url, base(), page.nextCursor, deps.config.server.feedToken)
      : undefined
    const priorityOf = (id: string) => deps.config.sources.find((s) => s.id === id)?.priority ?? 0
    // One read per story, a few at a time: a page of 500 must not queue 500 queries at once on
    // a database pool that the poller and the other requests share.
    const limit = createLimiter(STORY_READS)
    const stories = new Map<string, Promise<Item[] | undefined>>()
    const membersOf = (clusterId: string) => {
      let members = stories.get(clusterId)
      if (!members) {
        members = limit(async () => deps.store.clusterMembers?.(clusterId))
        stories.set(clusterId, members)
      }
      return members
    }
    const items = await Promise.all(
      page.items.map(async (i) => {
        const members = (await membersOf(i.clusterId)) ?? [i]
        const story = storyOf(i, members, priorityOf)
        // explain=1: per topic, the terms that matched; per story, why its members were merged.
        return explaining
          ? {
              ...toApiItem(i),
              story: { ...story, why: explainCluster(i, members, priorityOf) },
              explain: explain(i),
            }
          : { ...toApiItem(i), story }
      }),
    )
    return c.json({ items, nextCursor: page.nextCursor ?? null, next })
  })

  app.get('/sources', async (c) => {
    checkRouteParams(deps, c.req.queries())
    const now = deps.clock.now()
    const since = new Date(now.getTime() - DAY_MS).toISOString()
    const states = new Map((await deps.store.listStates()).map((s) => [s.sourceId, s]))
    const sources = await Promise.all(
      deps.config.sources.map(async (s) => ({
        ...sourceInfo(s, states.get(s.id), base()),
        items: await deps.store.countItems({ sourceId: s.id }),
        itemsLast24h: await deps.store.countItems({ sourceId: s.id, since }),
      })),
    )
    return c.json({ sources })
  })

  app.get('/topics', async (c) => {
    checkRouteParams(deps, c.req.queries())
    const topics = await Promise.all(
      deps.config.topics.map(async (t) => ({
        id: t.id,
        title: t.title,
        items: await deps.store.countItems({ topic: t.id }),
        match: t.match,
        in: t.in,
        subscribe: subscribeUrls(base(), `/topics/${t.id}`),
      })),
    )
    return c.json({ topics })
  })

  app.get('/feeds', (c) => {
    checkRouteParams(deps, c.req.queries())
    return c.json({
      feeds: deps.config.feeds.map((f) => ({
        ...f,
        subscribe: subscribeUrls(base(), `/feeds/${f.id}`),
      })),
    })
  })
  return app
}

/** The query rule of the API's listings: only `token`, once, and a valid one when set. */
const checkRouteParams = (deps: Deps, params: RawParams): void => {
  checkParams(params, ['token'])
  checkFeedToken(deps.config, params)
}

/** Story member reads of one /api/items page running at once. */
const STORY_READS = 4

/** `explain` on /api/items: 1/true adds `explain` to every item, 0/false or absent does not. */
const parseExplainParam = (value: string | undefined): boolean => {
  const v = (value ?? '').trim().toLowerCase()
  if (v === '' || v === '0' || v === 'false') return false
  if (v === '1' || v === 'true') return true
  throw new InvalidParamError(
    'explain',
    `"explain" must be 1 or 0 (or true/false), got ${echo(value ?? '')}`,
  )
}

/**
 * Per item, every configured topic's match result (`explainItem`: one scan of the item). The
 * rules are compiled once per configuration, again after a reload.
 */
const createExplainer = (deps: Deps) => {
  let cache: { topics: Topic[]; compiled: CompiledTopics } | undefined
  return (item: Item): Explanation => {
    const { topics, sources } = deps.config
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

const subscribeUrls = (base: string, path: string) => ({
  rss: `${base}${path}.rss`,
  atom: `${base}${path}.atom`,
  json: `${base}${path}.json`,
})

const nextLink = (
  requestUrl: string,
  base: string,
  cursor: string,
  token: string | undefined,
): string => {
  const url = new URL(requestUrl)
  url.searchParams.set('cursor', cursor)
  // The configured token, not what was sent (that was checked equal): a next page needs it too.
  url.searchParams.delete('token')
  if (token) url.searchParams.set('token', token)
  return `${base}${url.pathname}?${url.searchParams.toString()}`
}

/** The public JSON shape of an item (stable field names; `contentHash` is internal). */
const toApiItem = (item: Item) => {
  const { contentHash: _hash, ...rest } = item
  return rest
}

/** A source with its health, as operators read it. */
const sourceInfo = (s: Source, st: SourceState | undefined, base: string) => ({
  id: s.id,
  title: s.title,
  url: s.url,
  effectiveUrl: st?.effectiveUrl ?? null,
  /** A 301/308 target seen on consecutive polls, adopted once confirmed for a day. */
  pendingRedirect: st?.pendingRedirect ?? null,
  enabled: s.enabled,
  tags: s.tags,
  language: s.language ?? null,
  feed: `${base}/sources/${s.id}.rss`,
  health: {
    status: sourceStatus(s, st),
    lastFetchAt: st?.lastFetchAt ?? null,
    lastSuccessAt: st?.lastSuccessAt ?? null,
    lastStatus: st?.lastStatus ?? null,
    lastError: st?.lastError ?? null,
    consecutiveFailures: st?.failures ?? 0,
    nextPollAt: st?.nextPollAt ?? null,
    gone: st?.gone ?? false,
    recoveredFrom: st?.recovered ?? [],
    /** Polls remembered in the history (at most 100) and the share of them answered 304. */
    polls: st?.history?.length ?? 0,
    notModifiedShare: notModifiedShare(st),
  },
})
