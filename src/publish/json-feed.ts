/** JSON Feed 1.1 rendering of a FeedDocument: a typed object passed to JSON.stringify. */
import type { Enclosure } from '../model/types.js'
import type { DocItem, FeedDocument } from './document.js'

/** JSON Feed 1.1 author (https://www.jsonfeed.org/version/1.1/). */
export interface JsonFeedAuthor {
  name: string
  url?: string
}

/** JSON Feed 1.1 attachment. */
export interface JsonFeedAttachment {
  url: string
  mime_type: string
  size_in_bytes?: number
}

/** topicwire's extension object on each item (JSON Feed allows `_`-prefixed keys). */
export interface TopicwireExtension {
  /** Where the item came from; `url` is the source's feed URL. */
  source: { id: string; title: string; url: string }
  /** Topic ids, in the order of `tags` (which holds their titles). */
  topics: string[]
  /** The other outlets' reports of this story (collapsed feeds), preferred sources first. */
  also_reported_by?: { source: { id: string; title: string }; title: string; url: string }[]
}

/** JSON Feed 1.1 item, as topicwire writes it. */
export interface JsonFeedItem {
  id: string
  url?: string
  title: string
  /** One of `content_html` / `content_text` is always present. */
  content_html?: string
  content_text?: string
  summary?: string
  date_published: string
  date_modified?: string
  tags?: string[]
  authors?: JsonFeedAuthor[]
  attachments?: JsonFeedAttachment[]
  language?: string
  _topicwire: TopicwireExtension
}

/** JSON Feed 1.1 document, as topicwire writes it. */
export interface JsonFeed {
  version: 'https://jsonfeed.org/version/1.1'
  title: string
  home_page_url: string
  feed_url: string
  description: string
  next_url?: string
  language?: string
  items: JsonFeedItem[]
}

/** Renders JSON Feed 1.1 (pure, deterministic; pretty-printed with two spaces). */
export const renderJsonFeed = (doc: FeedDocument): string => {
  const feed: JsonFeed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: doc.title,
    home_page_url: doc.homeUrl,
    feed_url: doc.selfUrls.json,
    description: doc.description,
    ...(doc.nextUrls ? { next_url: doc.nextUrls.json } : {}),
    ...(doc.language ? { language: doc.language } : {}),
    items: doc.items.map(toJsonItem),
  }
  return `${JSON.stringify(feed, null, 2)}\n`
}

// --- Internal helpers ---

const toJsonItem = (item: DocItem): JsonFeedItem => ({
  id: item.id,
  ...(item.url ? { url: item.url } : {}),
  title: item.title,
  ...(item.contentHtml
    ? { content_html: item.contentHtml }
    : { content_text: item.summary ?? item.title }),
  ...(item.summary ? { summary: item.summary } : {}),
  date_published: new Date(item.published).toISOString(),
  ...(item.updated ? { date_modified: new Date(item.updated).toISOString() } : {}),
  ...(item.categories.length > 0 ? { tags: item.categories.map((c) => c.label) } : {}),
  ...(item.author ? { authors: [{ name: item.author }] } : {}),
  ...(item.enclosures.length > 0 ? { attachments: item.enclosures.map(toAttachment) } : {}),
  ...(item.language ? { language: item.language } : {}),
  _topicwire: {
    source: item.source,
    topics: item.categories.map((c) => c.term),
    ...(item.alsoReportedBy?.length ? { also_reported_by: item.alsoReportedBy } : {}),
  },
})

const toAttachment = (e: Enclosure): JsonFeedAttachment => ({
  url: e.url,
  mime_type: e.type ?? 'application/octet-stream',
  ...(e.length ? { size_in_bytes: e.length } : {}),
})
