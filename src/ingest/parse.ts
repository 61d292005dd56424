/** Feed text → ParsedFeed: detects the format by content, hands it to the XML or JSON reader. */
import type { Enclosure } from '../model/types.js'
import { detectDocument, detectXmlFormat, type XmlFormat } from './detect.js'
import { parseJsonFeed } from './parse-json-feed.js'
import { parseXmlFeed } from './parse-xml.js'
import { prepareXml } from './xml-repair.js'

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

/**
 * Parses a feed document of any supported format, chosen by content (never by Content-Type):
 * JSON Feed 1.0/1.1, RSS 0.9x/1.0 (RDF)/2.0 and Atom 0.3/1.0. Throws `ParseError` when the
 * document is not a feed (saying what it is) or cannot be read even after cheap repairs.
 * `url` is the document's address, used in messages and to resolve `xml:base`.
 * @example const feed = await parseFeed(text, 'https://example.org/feed.xml')
 */
export const parseFeed = async (text: string, url: string): Promise<ParsedFeed> => {
  const doc = readDocument(text)
  if (doc.kind === 'json') return parseJsonFeed(doc.value, url)
  return parseXmlFeed(doc.xml, doc.format, url, doc.recovered)
}

/** A document told apart by content: a JSON Feed object, or XML prepared for the parser. */
export type ReadDocument =
  | { kind: 'json'; value: Record<string, unknown> }
  | { kind: 'xml'; xml: string; format: XmlFormat; recovered: string[] }

/**
 * The first half of {@link parseFeed}: detects the format and prepares XML (cheap repairs, no
 * DOCTYPE). Throws `ParseError` for a document that is not a feed.
 */
export const readDocument = (text: string): ReadDocument => {
  const doc = detectDocument(text)
  if (doc.kind === 'json') return doc
  const prepared = prepareXml(doc.text)
  return {
    kind: 'xml',
    xml: prepared.xml,
    format: detectXmlFormat(prepared.xml),
    recovered: prepared.recovered,
  }
}
