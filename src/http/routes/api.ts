/** JSON API: /api/sources (health), /api/topics, /api/feeds (/api/items is answered by the feed layer: items-render.ts). */
import { Hono } from 'hono'
import type { Deps, Source, SourceState } from '../../model/types.js'
import { checkParams, type RawParams } from '../params.js'
import { checkFeedToken } from '../scope.js'
import { notModifiedShare, sourceStatus } from '../source-health.js'

const DAY_MS = 86_400_000

/** Routes of SPEC §3 "JSON and pages" under /api (admin routes live in admin.ts). */
export const apiRoutes = (deps: Deps): Hono => {
  const app = new Hono()
  const base = () => deps.config.server.baseUrl

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

const subscribeUrls = (base: string, path: string) => ({
  rss: `${base}${path}.rss`,
  atom: `${base}${path}.atom`,
  json: `${base}${path}.json`,
})

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
