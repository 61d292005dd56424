/** RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 text → ParsedFeed: sax's events as xml2js's tree, read as rss-parser read it. */
import { ParseError } from '../../model/errors.js'
import { rootElement, rootElementName, type XmlFormat } from './detect.js'
import { feedOfTree } from './feed-of-tree.js'
import type { ParsedFeed } from './types.js'
import { readDirect } from './xml-direct.js'
import { toFeedMeta, toParsedEntry } from './xml-entry.js'
import { isRecord } from './xml-nodes.js'
import { repairXml } from './xml-repair.js'
import { xml2jsOptions } from './xml-shape.js'
import { readXmlTree } from './xml-tree.js'

/**
 * Elements we read from the raw tree (author names, media:content, xml:base, typed titles). Each
 * lands on the item as `tw:<name>`, as a list (rss-parser's custom fields, when it read the tree).
 */
export const ITEM_FIELDS: readonly string[] = [
  '$',
  'link',
  'atom:link',
  'title',
  'dc:title',
  'guid',
  'id',
  'author',
  'dc:creator',
  'category',
  'dc:subject',
  'enclosure',
  'media:content',
  'media:group',
  'pubDate',
  'dc:date',
  'dcterms:issued',
  'dcterms:modified',
  'atom:published',
  'atom:updated',
  'published',
  'updated',
  'issued',
  'modified',
  'created',
  'description',
  'dc:description',
  'summary',
  'content',
  'content:encoded',
]

export const FEED_FIELDS: readonly string[] = [
  '$',
  'link',
  'atom:link',
  'title',
  'dc:title',
  'description',
  'subtitle',
  'tagline',
  'language',
  'dc:language',
  'author',
  'ttl',
]

/** Turns a sax/xml2js error ("Unexpected close tag\nLine: 4\nColumn: 9\nChar: >") into one line. */
const describe = (err: unknown): string => {
  const msg = err instanceof Error ? err.message : String(err)
  const m = msg.match(/^([^\n]*)\nLine: (\d+)\nColumn: (\d+)/)
  return m ? `${m[1]} (line ${Number(m[2]) + 1}, column ${m[3]})` : (msg.split('\n')[0] ?? msg)
}

/** A lone Atom entry document read as a one-entry feed. */
const wrapEntry = (xml: string): string => {
  const start = rootElement(xml)?.index ?? 0
  return `${xml.slice(0, start)}<feed xmlns="http://www.w3.org/2005/Atom">${xml.slice(start)}</feed>`
}

/**
 * One parse: the feed's `tw:*` fields and its items', where rss-parser found them. A plain RSS
 * 2.0 or Atom document's entries are read from the scanner's events (xml-direct.ts); anything
 * else, and every document when `direct` is false (the tests compare the two), through the tree
 * xml2js would build (xml-tree.ts) and feed-of-tree.ts. Both were once rss-parser's
 * `parseString`, whose own per-entry work (snippets, dates) we never used;
 * tests/ingest/parse/xml-tree.test.ts compares them.
 */
export const readFeedFields = (
  xml: string,
  format: XmlFormat,
  lenient: boolean,
  direct = true,
): Record<string, unknown> => {
  const options = xml2jsOptions(xml, format, lenient)
  const read =
    direct && (format === 'rss' || format === 'atom')
      ? readDirect(xml, format, options, FEED_FIELDS, ITEM_FIELDS)
      : undefined
  return read ?? feedOfTree(readXmlTree(xml, options), FEED_FIELDS, ITEM_FIELDS)
}

/**
 * Parses XML feed text of a known dialect (see `readWithRepairs` for the fallbacks). What was
 * repaired is appended to `recovered`. `direct` false reads every document through the xml2js
 * tree (see readFeedFields; for the tests that compare the two).
 * Throws `ParseError` with the parser's message, line and column when nothing helps.
 */
export const parseXmlFeed = async (
  prepared: string,
  format: XmlFormat,
  url: string,
  recovered: string[],
  direct = true,
): Promise<ParsedFeed> => {
  const notes = [...recovered]
  let xml = prepared
  if (format === 'atom-entry') {
    xml = wrapEntry(xml)
    notes.push('Atom entry document read as a one-entry feed')
  }
  const out = await readWithRepairs(xml, format, notes, direct)
  const kind = format === 'atom-entry' ? 'atom' : format
  const meta = toFeedMeta(out, kind, url)
  const items = (out.items as unknown[]).filter(isRecord)
  return {
    format: kind,
    ...meta.fields,
    entries: items.map((item) => toParsedEntry(item, kind, meta.context, url)),
    recovered: notes,
  }
}

/**
 * Strict parse; then strict after cheap repairs; then lenient (non-strict sax, with the root
 * closed if the document was cut off), which reads mismatched tags and unknown entities the way
 * feedparser's loose parser does. Each fallback is recorded in `notes`.
 */
const readWithRepairs = async (
  xml: string,
  format: XmlFormat,
  notes: string[],
  direct: boolean,
): Promise<Record<string, unknown>> => {
  let firstError: unknown
  try {
    return readFeedFields(xml, format, false, direct)
  } catch (err) {
    firstError = err
  }
  const repaired = repairXml(xml)
  if (repaired.recovered.length) {
    try {
      const out = readFeedFields(repaired.xml, format, false, direct)
      notes.push(...repaired.recovered)
      return out
    } catch {
      // fall through to the lenient parse; the first error is the one worth reporting
    }
  }
  try {
    const out = readFeedFields(closeRoot(repaired.xml), format, true, direct)
    notes.push(...repaired.recovered, `lenient XML parse (${describe(firstError)})`)
    return out
  } catch {
    throw new ParseError(`unreadable ${label(format)} XML: ${describe(firstError)}`, {
      cause: firstError,
    })
  }
}

/** Ends an open CDATA section and appends the root's end tag when a truncated document lacks them. */
const closeRoot = (xml: string): string => {
  const root = rootElementName(xml)
  if (!root) return xml
  if (new RegExp(`</${root.replace(/[.]/g, '\\.')}\\s*>\\s*$`).test(xml)) return xml
  if (xml.lastIndexOf('<![CDATA[') > xml.lastIndexOf(']]>')) return `${xml}]]>\n</${root}>`
  const partial = xml.lastIndexOf('<') > xml.lastIndexOf('>') ? xml.lastIndexOf('<') : xml.length
  return `${xml.slice(0, partial)}\n</${root}>`
}

const label = (format: XmlFormat): string =>
  format === 'rss' ? 'RSS' : format === 'rdf' ? 'RSS 1.0 (RDF)' : 'Atom'
