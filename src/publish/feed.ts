/** Builds the format-neutral feed document (RSSHub's `Data`, see document.ts) that every renderer consumes. */
import type { Enclosure, FeedFormat, Item, Source, Topic } from '../model/types.js'
import { httpHref } from '../util/url.js'
import { alsoReported, withAlsoReported } from './also-reported.js'
import type { DocItem, FeedDocument } from './document.js'
import { stripInvalidXmlChars } from './escape.js'

/** What the route knows about the feed it is serving. */
export interface FeedInput {
  /** Stable feed id, e.g. `tag:example.org,2025:topics/pakistan-afghanistan`. */
  id: string
  title: string
  description?: string
  /** Route path without extension, e.g. `/topics/pakistan-afghanistan`. */
  path: string
  /** Raw query string to keep in self links, without `?` (e.g. `since=24h&token=…`). */
  query?: string
  /** Feed language; default: the language shared by every item, if they all have one. */
  language?: string
  /** Cursor of the next page, when there is one: becomes `nextUrls`. */
  nextCursor?: string
  /** ISO date a feed without items says it was updated (when it was last checked); else the epoch. */
  emptyUpdated?: string
}

/** Context from the configuration, used to name sources and topics. */
export interface FeedContext {
  /** Absolute, e.g. `http://localhost:8080` (a trailing slash is tolerated). */
  baseUrl: string
  sources: readonly Source[]
  topics: readonly Topic[]
  /**
   * The stored members of a story, for collapsed feeds: each item then lists the others as "Also
   * reported by" (see {@link loadStoryMembers}). Leave it out for `clusters=all`.
   */
  members?: (clusterId: string) => readonly Item[]
}

/** `Content-Type` of each published format. */
export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
}

/** Generator name written into every feed. */
const GENERATOR = 'topicwire'

/** The fixed fallback date (the Unix epoch): an item without any date, an empty feed never checked. */
export const EPOCH_ISO = '1970-01-01T00:00:00.000Z'

/**
 * Builds the format-neutral document for a list of items (pure).
 * Topic ids become categories labelled with the topic title; each item names its source.
 * @example
 * buildFeedDocument(
 *   { id: 'tag:example.org,2025:topics/pak-afghan', title: 'Pak–Afghan', path: '/topics/pak-afghan', query: 'since=24h' },
 *   page.items,
 *   { baseUrl: config.server.baseUrl, sources: config.sources, topics: config.topics },
 * )
 */
export const buildFeedDocument = (
  input: FeedInput,
  items: readonly Item[],
  ctx: FeedContext,
): FeedDocument => {
  const base = ctx.baseUrl.replace(/\/+$/, '')
  const query = input.query?.replace(/^\?/, '') ?? ''
  const selfUrl = (suffix: string, q: string): string =>
    new URL(`${base}${input.path}${suffix}${q ? `?${q}` : ''}`).href
  const topicTitles = new Map(ctx.topics.map((t) => [t.id, t.title]))
  const sources = new Map(ctx.sources.map((s) => [s.id, s]))
  const docItems = items.map((item) => {
    const doc = toDocItem(item, base, topicTitles, sources)
    const others = ctx.members ? alsoReported(item, ctx.members(item.clusterId), sources, base) : []
    return others.length > 0 ? withAlsoReported(doc, others) : doc
  })
  const language = languageTag(input.language) ?? sharedLanguage(items)
  const doc: FeedDocument = {
    id: input.id,
    title: clean(input.title),
    description: clean(input.description ?? `${input.title}, collected by ${GENERATOR}`),
    homeUrl: `${base}/`,
    selfUrls: {
      rss: selfUrl('.rss', query),
      atom: selfUrl('.atom', query),
      json: selfUrl('.json', query),
    },
    updated: newestDate(items) ?? input.emptyUpdated ?? EPOCH_ISO,
    generator: GENERATOR,
    categoryScheme: `${base}/topics`,
    items: docItems,
  }
  if (language) doc.language = language
  if (input.nextCursor) {
    const next = withCursor(query, input.nextCursor)
    doc.nextUrls = {
      rss: selfUrl('.rss', next),
      atom: selfUrl('.atom', next),
      json: selfUrl('.json', next),
    }
  }
  return doc
}

// --- Internal helpers ---

const clean = (text: string): string => stripInvalidXmlChars(text)

const cleanOpt = (text: string | undefined): string | undefined => {
  if (text === undefined) return undefined
  const t = clean(text).trim()
  return t === '' ? undefined : t
}

/** ISO 8601 UTC; a date that does not parse (a corrupt record) becomes the fallback. */
const toIso = (date: string | undefined, fallback: string): string => {
  const t = date === undefined ? Number.NaN : Date.parse(date)
  return Number.isNaN(t) ? fallback : new Date(t).toISOString()
}

/** A BCP 47-looking tag (`en`, `ur`, `pt-BR`), else undefined: `xml:lang` must be one. */
const languageTag = (lang: string | undefined): string | undefined =>
  lang && /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i.test(lang) ? lang : undefined

const toDocItem = (
  item: Item,
  base: string,
  topicTitles: ReadonlyMap<string, string>,
  sources: ReadonlyMap<string, Source>,
): DocItem => {
  const source = sources.get(item.sourceId)
  const url = httpHref(item.url)
  const summary = cleanOpt(item.summary)
  const doc: DocItem = {
    id: `urn:uuid:${item.id}`,
    title: cleanOpt(item.title) ?? shorten(summary) ?? url ?? '(untitled)',
    published: toIso(item.publishedAt, toIso(item.fetchedAt, EPOCH_ISO)),
    categories: item.topics.map((t) => ({ term: t, label: clean(topicTitles.get(t) ?? t) })),
    source: {
      id: item.sourceId,
      title: clean(source?.title ?? item.sourceId),
      // A source removed from the config keeps its items; point at our own feed of it.
      url: httpHref(source?.url) ?? `${base}/sources/${encodeURIComponent(item.sourceId)}.rss`,
    },
    enclosures: item.enclosures.flatMap(toEnclosure),
  }
  if (url) doc.url = url
  if (summary) doc.summary = summary
  const content = cleanOpt(item.contentHtml)
  if (content) doc.contentHtml = content
  const author = cleanOpt(item.author)
  if (author) doc.author = author
  if (item.updatedAt && !Number.isNaN(Date.parse(item.updatedAt))) {
    doc.updated = toIso(item.updatedAt, doc.published)
  }
  const language = languageTag(item.language)
  if (language) doc.language = language
  return doc
}

const toEnclosure = (e: Enclosure): Enclosure[] => {
  const url = httpHref(e.url)
  if (!url) return []
  const out: Enclosure = { url }
  const type = e.type?.trim()
  if (type && MIME_RE.test(type)) out.type = type
  if (e.length !== undefined && Number.isSafeInteger(e.length) && e.length > 0)
    out.length = e.length
  return [out]
}

/** `type/subtype` with optional parameters, as the W3C validator checks it. */
const MIME_RE = /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(\s*;[^<>"]*)?$/

const shorten = (text: string | undefined): string | undefined =>
  text === undefined ? undefined : text.length > 100 ? `${text.slice(0, 99)}…` : text

/** The newest `updatedAt ?? publishedAt` of the items, or the epoch when there are none. */
const newestDate = (items: readonly Item[]): string | undefined => {
  let max = Number.NEGATIVE_INFINITY
  for (const item of items) {
    const t = Date.parse(item.updatedAt ?? item.publishedAt)
    if (t > max) max = t
  }
  return Number.isFinite(max) ? new Date(max).toISOString() : undefined
}

const sharedLanguage = (items: readonly Item[]): string | undefined => {
  const first = languageTag(items[0]?.language)
  return first && items.every((i) => i.language === first) ? first : undefined
}

const withCursor = (query: string, cursor: string): string => {
  const params = new URLSearchParams(query)
  params.set('cursor', cursor)
  return params.toString()
}
