/** Feed routes: /feeds/{feed}, /topics/{topic}, /sources/{source}, /search — RSS, Atom, JSON Feed. */
import { type Context, Hono } from 'hono'
import { intervalMs } from '../../ingest/plan.js'
import { NotFoundError } from '../../model/errors.js'
import type { AppConfig, Deps, FeedFormat } from '../../model/types.js'
import { renderAtom } from '../../publish/atom.js'
import { buildFeedDocument, FEED_CONTENT_TYPES, type FeedDocument } from '../../publish/feed.js'
import { renderJsonFeed } from '../../publish/json-feed.js'
import { renderRss } from '../../publish/rss.js'
import { sha256Hex } from '../../util/hash.js'
import { computeValidators, isNotModified } from '../conditional.js'
import { negotiateFormat, splitNameExt } from '../params.js'
import { type FixedScope, scopedQuery } from '../scope.js'

const RENDERERS: Record<FeedFormat, (doc: FeedDocument) => string> = {
  rss: renderRss,
  atom: renderAtom,
  json: renderJsonFeed,
}

/** What a feed route resolved its name to. */
interface FeedTarget {
  id: string
  title: string
  description?: string
  path: string
  scope: FixedScope
}

/** Routes of SPEC §3 "Feeds". */
export const feedRoutes = (deps: Deps): Hono => {
  const app = new Hono()
  const serveFeed = async (c: Context, segment: string, resolve: (name: string) => FeedTarget) => {
    const { name, ext, unknownExt } = splitNameExt(segment)
    if (unknownExt !== undefined) throw new NotFoundError('route', c.req.path)
    const target = resolve(name)
    const format = negotiateFormat(ext, c.req.header('accept'))
    const now = deps.clock.now()
    const query = scopedQuery(deps.config, c.req.queries(), now, target.scope)
    const page = await deps.store.queryItems(query)
    const search = selfQuery(c.req.url)
    // Titles of topics and sources are in the body: a reload that renames one changes the ETag.
    const key = `${configFingerprint(deps.config)}:${format}:${target.path}?${search}`
    const validators = computeValidators(page.items, key, { now })
    const headers = {
      ETag: validators.etag,
      'Last-Modified': validators.lastModified,
      'Cache-Control': `public, max-age=${maxAgeSeconds(deps)}`,
      Vary: 'Accept',
    }
    if (
      isNotModified(
        {
          ifNoneMatch: c.req.header('if-none-match'),
          ifModifiedSince: c.req.header('if-modified-since'),
        },
        validators,
      )
    ) {
      return c.body(null, 304, headers)
    }
    const doc = buildFeedDocument(
      {
        id: target.id,
        title: target.title,
        description: target.description,
        path: target.path,
        query: search,
        nextCursor: page.nextCursor,
      },
      page.items,
      {
        baseUrl: deps.config.server.baseUrl,
        sources: deps.config.sources,
        topics: deps.config.topics,
      },
    )
    const body = RENDERERS[format](doc)
    return c.body(body, 200, { ...headers, 'Content-Type': FEED_CONTENT_TYPES[format] })
  }

  app.get('/feeds/:name', (c) =>
    serveFeed(c, c.req.param('name'), (name) => {
      const def = deps.config.feeds.find((f) => f.id === name)
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
    serveFeed(c, c.req.param('name'), (name) => {
      const topic = deps.config.topics.find((t) => t.id === name)
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
    serveFeed(c, c.req.param('name'), (name) => {
      const source = deps.config.sources.find((s) => s.id === name)
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
      title: searchTitle(c.req.query()),
      path: '/search',
      scope: {},
    })),
  )
  return app
}

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

/** The request's query string for self links, without the feed token. */
const selfQuery = (url: string): string => {
  const params = new URL(url).searchParams
  params.delete('token')
  params.sort()
  return params.toString()
}

const searchTitle = (params: Record<string, string>): string => {
  const parts = Object.entries(params)
    .filter(([k]) => k !== 'token')
    .map(([k, v]) => `${k}=${v}`)
  return parts.length > 0 ? `topicwire search: ${parts.join(', ')}` : 'topicwire: all items'
}

/** Readers should not cache longer than we poll (SPEC §4); at most the default interval. */
const maxAgeSeconds = (deps: Deps): number =>
  Math.max(60, Math.floor(intervalMs(deps.config.fetch.every, deps.clock.now()) / 1000))
