/** JSON API: /api/items (cursor pages), /api/sources (health), /api/topics, /api/feeds. */
import { Hono } from 'hono'
import type { Deps, Item, Source, SourceState } from '../../model/types.js'
import { checkFeedToken, scopedQuery } from '../scope.js'

const DAY_MS = 86_400_000

/** Routes of SPEC §3 "JSON and pages" under /api (admin routes live in admin.ts). */
export const apiRoutes = (deps: Deps): Hono => {
  const app = new Hono()
  const base = () => deps.config.server.baseUrl

  app.get('/items', async (c) => {
    const query = scopedQuery(deps.config, c.req.query(), deps.clock.now(), {})
    const page = await deps.store.queryItems(query)
    const next = page.nextCursor ? nextLink(c.req.url, base(), page.nextCursor) : undefined
    return c.json({ items: page.items.map(toApiItem), nextCursor: page.nextCursor ?? null, next })
  })

  app.get('/sources', async (c) => {
    checkFeedToken(deps.config, c.req.query())
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
    checkFeedToken(deps.config, c.req.query())
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
    checkFeedToken(deps.config, c.req.query())
    return c.json({
      feeds: deps.config.feeds.map((f) => ({
        ...f,
        subscribe: subscribeUrls(base(), `/feeds/${f.id}`),
      })),
    })
  })
  return app
}

const subscribeUrls = (base: string, path: string) => ({
  rss: `${base}${path}.rss`,
  atom: `${base}${path}.atom`,
  json: `${base}${path}.json`,
})

const nextLink = (requestUrl: string, base: string, cursor: string): string => {
  const url = new URL(requestUrl)
  url.searchParams.set('cursor', cursor)
  url.searchParams.delete('token')
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
  enabled: s.enabled,
  tags: s.tags,
  language: s.language ?? null,
  feed: `${base}/sources/${s.id}.rss`,
  health: {
    status: healthOf(s, st),
    lastFetchAt: st?.lastFetchAt ?? null,
    lastSuccessAt: st?.lastSuccessAt ?? null,
    lastStatus: st?.lastStatus ?? null,
    lastError: st?.lastError ?? null,
    consecutiveFailures: st?.failures ?? 0,
    nextPollAt: st?.nextPollAt ?? null,
    gone: st?.gone ?? false,
    recoveredFrom: st?.recovered ?? [],
  },
})

const healthOf = (s: Source, st: SourceState | undefined): string => {
  if (!s.enabled) return 'disabled'
  if (!st?.lastFetchAt) return 'pending'
  if (st.gone) return 'gone'
  if (st.failures > 0) return 'failing'
  return 'ok'
}
