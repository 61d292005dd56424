/** matchFeedRoute: which feed a request path names (/feeds, /topics, /sources, /search) and what it fixes. */
import { NotFoundError } from '../model/errors.js'
import type { AppConfig } from '../model/types.js'
import type { FixedScope } from './scope.js'

/** What a feed route resolved its name to. */
export interface FeedTarget {
  id: string
  title: string
  description?: string
  path: string
  scope: FixedScope
}

/** A request path that is a feed route: its metrics label, the last segment, how to resolve it. */
export interface FeedRoute {
  /** The route as metrics label it (`/topics/:name`). */
  route: string
  /** The decoded last path segment, extension included (`pakistan-afghanistan.rss`). */
  segment: string
  /** The feed the name stands for in a configuration; NotFoundError when there is none. */
  resolve(config: AppConfig, name: string, selfQuery: string): FeedTarget
}

/**
 * The feed route of a request path (`/topics/x.rss`, without the query), or undefined when the
 * path is not one (the rest of the app answers it). A name is one non-empty segment;
 * `/search` takes only a feed extension.
 * @example matchFeedRoute('/topics/pakistan-afghanistan.atom')?.route // '/topics/:name'
 */
export const matchFeedRoute = (path: string): FeedRoute | undefined => {
  if (SEARCH.test(path)) return { route: '/search', segment: path.slice(1), resolve: searchTarget }
  const slash = path.indexOf('/', 1)
  if (slash < 0 || slash === path.length - 1 || path.indexOf('/', slash + 1) >= 0) return undefined
  const kind = KINDS[path.slice(1, slash)]
  if (!kind) return undefined
  const segment = decodeSegment(path.slice(slash + 1))
  return segment === undefined ? undefined : { route: kind.route, segment, resolve: kind.resolve }
}

// --- Internal helpers ---

/**
 * A feed's Atom `<id>`: a `tag:` URI (RFC 4151) of the route, which is absolute, as the W3C
 * validator wants, and stays the same across restarts and base URLs (a changed base URL must not
 * make readers see a new feed).
 * @example feedId('topics/pakistan-afghanistan') // 'tag:topicwire,2026:topics/pakistan-afghanistan'
 */
export const feedId = (route: string): string => `tag:topicwire,2026:${route}`

const SEARCH = /^\/search(?:\.(?:rss|atom|json|xml))?$/

const KINDS: Record<string, Pick<FeedRoute, 'route' | 'resolve'>> = {
  feeds: {
    route: '/feeds/:name',
    resolve: (config, name) => {
      const def = config.feeds.find((f) => f.id === name)
      if (!def) throw new NotFoundError('feed', name)
      return {
        id: feedId(`feeds/${def.id}`),
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
    },
  },
  topics: {
    route: '/topics/:name',
    resolve: (config, name) => {
      const topic = config.topics.find((t) => t.id === name)
      if (!topic) throw new NotFoundError('topic', name)
      return {
        id: feedId(`topics/${topic.id}`),
        title: topic.title,
        description: `Items tagged “${topic.title}”, from every source`,
        path: `/topics/${topic.id}`,
        scope: { topics: [topic.id] },
      }
    },
  },
  sources: {
    route: '/sources/:name',
    resolve: (config, name) => {
      const source = config.sources.find((s) => s.id === name)
      if (!source) throw new NotFoundError('source', name)
      return {
        id: feedId(`sources/${source.id}`),
        title: source.title,
        description: `${source.title}, deduplicated and tagged by topicwire`,
        path: `/sources/${source.id}`,
        scope: { sources: [source.id] },
      }
    },
  },
}

const searchTarget = (_config: AppConfig, _name: string, selfQuery: string): FeedTarget => ({
  id: feedId(selfQuery ? `search?${selfQuery}` : 'search'),
  title: searchTitle(selfQuery),
  path: '/search',
  scope: {},
})

const searchTitle = (selfQuery: string): string => {
  const parts = [...new URLSearchParams(selfQuery)].map(([k, v]) => `${k}=${v}`)
  return parts.length > 0 ? `topicwire search: ${parts.join(', ')}` : 'topicwire: all items'
}

/** A percent-decoded segment, as a router hands out parameters; undefined when malformed. */
const decodeSegment = (raw: string): string | undefined => {
  if (!raw.includes('%')) return raw
  try {
    return decodeURIComponent(raw)
  } catch {
    return undefined
  }
}
