/** The format-neutral feed document (RSSHub's `Data`): what feed.ts builds and every renderer reads. */
import type { Enclosure, FeedFormat } from '../model/types.js'

/** One item of a published feed, ready for any renderer. All URLs are absolute. */
export interface DocItem {
  /** `urn:uuid:` + the stored item id: the same in RSS `guid`, Atom `id` and JSON Feed `id`. */
  id: string
  url?: string
  /** Plain text, never empty (falls back to the summary, the URL, then `(untitled)`). */
  title: string
  /** Plain text. */
  summary?: string
  /** Sanitised HTML (sanitised upstream, by `ingest/sanitize.ts`). */
  contentHtml?: string
  author?: string
  /** ISO 8601 UTC. */
  published: string
  /** ISO 8601 UTC; only when the source changed the item. */
  updated?: string
  /** The item's topics: `term` is the topic id, `label` its title. */
  categories: { term: string; label: string }[]
  /** The source the item came from; `url` is the source's feed URL. */
  source: { id: string; title: string; url: string }
  /** Only http(s) URLs; `type` only when it is a valid MIME type (renderers add a default). */
  enclosures: Enclosure[]
  language?: string
  /** The other reports of this story (collapsed feeds), preferred sources first. */
  alsoReportedBy?: AlsoReported[]
}

/** Another outlet's report of the same story. */
export interface AlsoReported {
  source: { id: string; title: string }
  /** Plain text. */
  title: string
  /** Absolute http(s): the report itself, else the source's feed. */
  url: string
}

/** A whole feed, independent of RSS / Atom / JSON Feed. */
export interface FeedDocument {
  /** Stable feed id (a `tag:` or `urn:` IRI): Atom `<id>`. */
  id: string
  title: string
  description: string
  /** Absolute: the HTML index of this topicwire instance. */
  homeUrl: string
  /** Absolute self links, one per format, with the request's query kept. */
  selfUrls: Record<FeedFormat, string>
  /** ISO 8601 UTC: the newest item's date (never "now"), so output is deterministic. */
  updated: string
  language?: string
  generator: string
  /** Scheme (Atom) / domain (RSS) of the topic categories: `${baseUrl}/topics`. */
  categoryScheme: string
  items: DocItem[]
  /** Next page per format (RFC 5005 `rel="next"`), with the cursor added to the self query. */
  nextUrls?: Record<FeedFormat, string>
}
