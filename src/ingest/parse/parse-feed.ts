/** Feed text → ParsedFeed: detects the format by content, hands it to the XML or JSON reader. */
import { detectDocument, detectXmlFormat, type XmlFormat } from './detect.js'
import { parseJsonFeed } from './json-feed.js'
import type { ParsedFeed } from './types.js'
import { parseXmlFeed } from './xml.js'
import { capXmlDepth } from './xml-depth.js'
import { prepareXml } from './xml-repair.js'

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
 * DOCTYPE, no element nested deeper than parse/xml-depth.ts allows). Throws `ParseError` for a
 * document that is not a feed.
 */
export const readDocument = (text: string): ReadDocument => {
  const doc = detectDocument(text)
  if (doc.kind === 'json') return doc
  const prepared = prepareXml(doc.text)
  const format = detectXmlFormat(prepared.xml)
  const capped = capXmlDepth(prepared.xml)
  return {
    kind: 'xml',
    xml: capped.xml,
    format,
    recovered: capped.note ? [...prepared.recovered, capped.note] : prepared.recovered,
  }
}
