/** Format detection by content: JSON Feed or an XML root element; names what non-feeds are. */
import { ParseError } from '../../model/errors.js'
import { isRecord } from './xml-nodes.js'

/** What `detectDocument` found: a JSON Feed object, or text to be read as XML. */
export type DetectedDocument =
  | { kind: 'json'; value: Record<string, unknown> }
  | { kind: 'xml'; text: string }

/** The XML feed dialects we read; `atom-entry` is a lone Atom entry document. */
export type XmlFormat = 'rss' | 'rdf' | 'atom' | 'atom-entry'

const notAFeed = (what: string): ParseError => new ParseError(`not a feed: ${what}`)

const preview = (s: string): string =>
  JSON.stringify(s.slice(0, 40).replace(/\s+/g, ' ') + (s.length > 40 ? '…' : ''))

/**
 * Splits JSON from XML by the first character. JSON must be a JSON Feed (a `version` naming
 * jsonfeed.org, or an object with `items` and a `title`/`home_page_url`/`feed_url`); anything else is a `ParseError` that says what the document is.
 */
export const detectDocument = (text: string): DetectedDocument => {
  const t = text.replace(/^\uFEFF/, '').trimStart()
  if (!t) throw notAFeed('the document is empty')
  const first = t[0]
  if (first === '{' || first === '[') return { kind: 'json', value: readJsonFeed(t) }
  if (t.charCodeAt(0) === 0x1f && [0x8b, 0x2039].includes(t.charCodeAt(1)))
    throw notAFeed('the document is compressed (gzip) data, not decompressed')
  if (first !== '<' && !/<[A-Za-z?!]/.test(t.slice(0, 2048)))
    throw notAFeed(`the document is neither XML nor JSON (it starts with ${preview(t)})`)
  return { kind: 'xml', text: t }
}

const readJsonFeed = (t: string): Record<string, unknown> => {
  let value: unknown
  try {
    value = JSON.parse(t)
  } catch (cause) {
    const msg = cause instanceof Error ? cause.message : String(cause)
    throw new ParseError(`not a feed: the document is invalid JSON (${msg})`, { cause })
  }
  if (!isRecord(value)) throw notAFeed('the document is JSON but not an object')
  const version = value.version
  const official = typeof version === 'string' && /jsonfeed\.org\/version\//i.test(version)
  // Some producers write `"version": "1.1"`; a feed-shaped object (items plus a title or home
  // page) is accepted as well, random JSON is not.
  const feedShaped =
    Array.isArray(value.items) &&
    ['title', 'home_page_url', 'feed_url'].some((k) => typeof value[k] === 'string')
  if (!official && !feedShaped) {
    const keys = Object.keys(value).slice(0, 5).join(', ')
    throw notAFeed(`the document is JSON without a jsonfeed.org version (keys: ${keys || 'none'})`)
  }
  return value
}

/** The root element's name and offset, skipping the declaration, comments, PIs and the DOCTYPE. */
export const rootElement = (xml: string): { name: string; index: number } | undefined => {
  const re =
    /<\?[\s\S]*?\?>|<!--[\s\S]*?(?:-->|$)|<!DOCTYPE(?:[^[>]|\[[\s\S]*?\])*>|\s+|<([A-Za-z_][\w:.-]*)/giy
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    if (m[1]) return { name: m[1], index: m.index }
  }
  return undefined
}

/** The name of the root element (see `rootElement`). */
export const rootElementName = (xml: string): string | undefined => rootElement(xml)?.name

/** The RSS 1.1 namespace, declared on an RSS 1.1 document's root `<Channel>`. */
export const RSS11_NAMESPACE = 'http://purl.org/net/rss1.1#'

/** Whether the root element's start tag (at `index`) declares the RSS 1.1 namespace. */
const isRss11 = (xml: string, index: number): boolean => {
  const end = xml.indexOf('>', index)
  return xml.slice(index, end < 0 ? index + 4096 : end).includes(RSS11_NAMESPACE)
}

/**
 * The dialect of an XML feed from its root element: `rss`, `rdf:RDF` or an RSS 1.1 `Channel`
 * (both `rdf`), Atom `feed` (any prefix), or a lone Atom `entry`. Throws `ParseError` naming HTML pages and foreign roots.
 */
export const detectXmlFormat = (xml: string): XmlFormat => {
  const root = rootElement(xml)
  if (root === undefined) {
    if (/<!DOCTYPE\s+html/i.test(xml))
      throw notAFeed('the document is an HTML page (<!DOCTYPE html>)')
    throw notAFeed(
      /^\s*</.test(xml)
        ? 'the XML document has no root element'
        : `the document is neither XML nor JSON (it starts with ${preview(xml)})`,
    )
  }
  const local = root.name.replace(/^[\w.-]+:/, '').toLowerCase()
  switch (local) {
    case 'rss':
      return 'rss'
    case 'rdf':
      return 'rdf'
    case 'feed':
      return 'atom'
    case 'entry':
      return 'atom-entry'
    case 'html':
    case 'head':
    case 'body':
      throw notAFeed(`the document is an HTML page (<${root.name}>)`)
    case 'channel':
      // RSS 1.1 is RSS 1.0 with the channel as the root and the items in a collection.
      if (isRss11(xml, root.index)) return 'rdf'
      throw notAFeed(
        `the root element <${root.name}> is a Channel Definition Format document, not a feed`,
      )
    case 'opml':
      throw notAFeed(
        `the document is an OPML outline (<${root.name}>), a list of feeds rather than a feed`,
      )
    default:
      throw notAFeed(`the XML root element <${root.name}> is not RSS, RDF or Atom`)
  }
}
