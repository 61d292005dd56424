/** What the parser hands on: a feed and its entries as the document wrote them, before normalisation. */
import type { Enclosure } from '../../model/types.js'

/**
 * One entry as the feed wrote it: raw strings, loosely trusted. `title`, `summary` and
 * `contentHtml` are HTML (plain-text fields are escaped by the reader), `link` is resolved against
 * `xml:base` when the feed had one but may still be relative.
 */
export interface ParsedEntry {
  guid?: string
  link?: string
  title?: string
  summary?: string
  contentHtml?: string
  author?: string
  categories: string[]
  enclosures: Enclosure[]
  published?: string
  updated?: string
  /** The absolute `xml:base` in effect for this entry, when the feed declared one. */
  base?: string
}

/** A parsed feed document before normalisation. */
export interface ParsedFeed {
  format: 'rss' | 'rdf' | 'atom' | 'json'
  /** HTML-ish like entry titles. */
  title?: string
  link?: string
  description?: string
  language?: string
  /** RSS `<ttl>`: minutes the feed may be cached (a whole number above 0); lengthens the poll interval. */
  ttlMinutes?: number
  entries: ParsedEntry[]
  /** Repairs applied to read the document, e.g. `'invalid control characters'`. */
  recovered: string[]
}
