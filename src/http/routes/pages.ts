/** Pages for people: `GET /` (the HTML index) and `GET /opml` (every feed for a reader's import). */
import { Hono } from 'hono'
import { InvalidParamError } from '../../model/errors.js'
import type { Deps, Source, SourceState, Store } from '../../model/types.js'
import {
  type IndexFeed,
  type IndexPage,
  type IndexSource,
  renderIndexPage,
} from '../../publish/html.js'
import { INDEX_CSS_HASH } from '../../publish/html-style.js'
import { formatDay } from '../../publish/html-text.js'
import { OPML_CONTENT_TYPE, renderOpml } from '../../publish/opml.js'
import { CHART_DAYS, chartDays, type DayCount } from '../../publish/svg-chart.js'
import { echo } from '../../util/echo.js'
import { sha256Hex } from '../../util/hash.js'
import { EPOCH_HTTP_DATE, isNotModified } from '../conditional.js'
import { configFingerprint } from '../config-fingerprint.js'
import { checkParams } from '../params.js'
import { checkFeedToken } from '../scope.js'
import { sourceStatus } from '../source-health.js'

/** Latest items shown on the index page. */
const INDEX_LATEST = 25

/** No script, no plugins, no framing; only our one inline stylesheet (by hash). */
const INDEX_CSP = `default-src 'none'; style-src ${INDEX_CSS_HASH}; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`

const DAY_MS = 86_400_000

/** Routes of SPEC §3 "JSON and pages" meant for people: `/` and `/opml`. */
export const pagesRoutes = (deps: Deps): Hono => {
  const app = new Hono()

  app.get('/', async (c) => {
    const { config, store } = deps
    const params = c.req.queries()
    checkParams(params, ['token'])
    checkFeedToken(config, params)
    const now = deps.clock.now()
    const states = await store.listStates()
    // Cheap validator, before any query: what the page shows changes only with stored items
    // (version: shared by PostgreSQL replicas, so they agree), source states, the configuration and the day (the charts' window).
    const etag = strongTag(
      [
        String(store.version()),
        configFingerprint(config),
        now.toISOString().slice(0, 10),
        JSON.stringify(sortStates(states)),
      ].join('\n'),
    )
    const headers = {
      ETag: etag,
      'Cache-Control': `${config.server.feedToken ? 'private' : 'public'}, max-age=60`,
      'Content-Security-Policy': INDEX_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
    }
    if (notModified(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers)
    const page = await buildIndexPage(deps, states, now)
    return c.body(renderIndexPage(page), 200, {
      ...headers,
      'Content-Type': 'text/html; charset=utf-8',
    })
  })

  app.get('/opml', async (c) => {
    const { config } = deps
    const params = c.req.queries()
    const values = checkParams(params, ['token', 'sources'])
    checkFeedToken(config, params)
    const body = await renderOpml({
      title: 'topicwire feeds',
      baseUrl: config.server.baseUrl,
      token: config.server.feedToken || undefined,
      feeds: config.feeds,
      topics: config.topics,
      sources: flag(values.get('sources')) ? config.sources : undefined,
    })
    const etag = strongTag(body)
    const headers = {
      ETag: etag,
      'Cache-Control': `${config.server.feedToken ? 'private' : 'public'}, max-age=300`,
      'Content-Disposition': 'inline; filename="topicwire.opml"',
      'X-Content-Type-Options': 'nosniff',
    }
    if (notModified(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers)
    return c.body(body, 200, { ...headers, 'Content-Type': OPML_CONTENT_TYPE })
  })
  return app
}

/**
 * Gathers what the index page shows. Bounded work: per topic one count plus 31 range counts for
 * its chart (one more query when the last 30 days are empty), per feed one query of at most its
 * `limit`, per source one count, and the latest INDEX_LATEST items.
 */
export const buildIndexPage = async (
  deps: Deps,
  states: readonly SourceState[],
  now: Date,
): Promise<IndexPage> => {
  const { config, store } = deps
  const topicTitle = new Map(config.topics.map((t) => [t.id, t.title]))
  const sourceTitle = new Map(config.sources.map((s) => [s.id, s.title]))
  const named = (ids: readonly string[]) =>
    ids.map((id) => ({ id, title: topicTitle.get(id) ?? id }))
  const stateOf = new Map(states.map((s) => [s.sourceId, s]))

  const topics = await Promise.all(
    config.topics.map(async (t) => ({
      id: t.id,
      title: t.title,
      itemCount: await store.countItems({ topic: t.id }),
      storyCount: await store.countItems({ topic: t.id, stories: true }),
      ...(await topicChart(store, t.id, now)),
    })),
  )
  const feeds = await Promise.all(
    config.feeds.map(
      async (f): Promise<IndexFeed> => ({
        id: f.id,
        title: f.title,
        description: f.description,
        topics: named(f.topics ?? []),
        itemCount: (
          await store.queryItems({
            topics: f.topics,
            sources: f.sources,
            notTopics: f.excludeTopics.length > 0 ? f.excludeTopics : undefined,
            limit: f.limit,
            clusters: 'collapse',
          })
        ).items.length,
      }),
    ),
  )
  const latest = (await store.queryItems({ limit: INDEX_LATEST, clusters: 'collapse' })).items
  const sources = await Promise.all(
    config.sources.map(async (s) =>
      indexSource(s, stateOf.get(s.id), await store.countItems({ sourceId: s.id })),
    ),
  )
  return {
    title: 'topicwire',
    baseUrl: config.server.baseUrl,
    token: config.server.feedToken || undefined,
    totalItems: await store.countItems(),
    feeds,
    topics,
    latest: latest.map((i) => ({
      id: i.id,
      title: i.title,
      url: i.url,
      sourceId: i.sourceId,
      sourceTitle: sourceTitle.get(i.sourceId) ?? i.sourceId,
      publishedAt: i.publishedAt,
      topics: named(i.topics),
      language: i.language,
    })),
    sources,
  }
}

// --- Internal helpers ---

/**
 * Items per day over the last 30 days. A topic that has been quiet for longer shows the 30 days
 * up to its newest item instead of an empty chart, and says so.
 */
const topicChart = async (
  store: Store,
  topic: string,
  now: Date,
): Promise<{ chart: DayCount[]; chartNote?: string }> => {
  const chart = await countPerDay(store, topic, chartDays(now))
  if (chart.some((d) => d.count > 0)) return { chart }
  const newest = (await store.queryItems({ topics: [topic], limit: 1, clusters: 'all' })).items[0]
  const t = newest ? Date.parse(newest.publishedAt) : Number.NaN
  if (Number.isNaN(t) || t > now.getTime()) return { chart }
  const last = new Date(t)
  return {
    chart: await countPerDay(store, topic, chartDays(last)),
    chartNote: `Nothing in the last ${CHART_DAYS} days; shown: the ${CHART_DAYS} days to its newest item (${formatDay(last.toISOString())} ${last.getUTCFullYear()}).`,
  }
}

/** Counts per UTC day from range counts: items since each midnight, minus those since the next. */
const countPerDay = async (store: Store, topic: string, days: string[]): Promise<DayCount[]> => {
  const starts = days.map((d) => `${d}T00:00:00.000Z`)
  const lastDay = days.at(-1)
  if (lastDay) starts.push(new Date(Date.parse(`${lastDay}T00:00:00.000Z`) + DAY_MS).toISOString())
  const since = await Promise.all(starts.map((s) => store.countItems({ topic, since: s })))
  return days.map((day, i) => ({ day, count: (since[i] ?? 0) - (since[i + 1] ?? 0) }))
}

const indexSource = (s: Source, st: SourceState | undefined, itemCount: number): IndexSource => ({
  id: s.id,
  title: s.title,
  url: st?.effectiveUrl ?? s.url,
  status: sourceStatus(s, st),
  lastFetchAt: st?.lastFetchAt,
  lastSuccessAt: st?.lastSuccessAt,
  lastStatus: st?.lastStatus,
  lastError: st?.lastError?.message,
  failures: st?.failures ?? 0,
  itemCount,
  history: Array.isArray(st?.history) ? st.history : [],
})

const sortStates = (states: readonly SourceState[]): SourceState[] =>
  [...states].sort((a, b) => (a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0))

const strongTag = (text: string): string => `"${sha256Hex(text).slice(0, 32)}"`

/** `If-None-Match` only: these pages have no meaningful Last-Modified. */
const notModified = (ifNoneMatch: string | undefined, etag: string): boolean =>
  ifNoneMatch !== undefined &&
  isNotModified({ ifNoneMatch }, { etag, lastModified: EPOCH_HTTP_DATE })

const flag = (value: string | undefined): boolean => {
  if (value === undefined || value === '' || value === '0' || value === 'false') return false
  if (value === '1' || value === 'true') return true
  throw new InvalidParamError(
    'sources',
    `"sources" must be 1 or 0 (true or false), got ${echo(value)}`,
  )
}
