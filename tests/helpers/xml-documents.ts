/** XML documents for the XML readers' tests: a plain RSS document of our own and random damage to it, and the corpus's documents as the parser reads them. */
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { decodeBody } from '../../src/ingest/parse/decode.js'
import type { XmlFormat } from '../../src/ingest/parse/detect.js'
import { readDocument } from '../../src/ingest/parse/parse-feed.js'
import { capXmlDepth } from '../../src/ingest/parse/xml-depth.js'
import { CORPUS_DIR, filesBelow } from './corpus.js'

/** Two items with CDATA, character and entity references, attributes, a namespace and an enclosure. */
export const PLAIN_RSS = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Wire &amp; Co</title><link>https://e.test/</link>
<item><title>Talks &#8212; &#x4E2D; resume</title><link>https://e.test/1?a=1&amp;b=2</link><guid isPermaLink='false'>g-1</guid>
<description><![CDATA[<p>Trade <a href="/x">resumed</a> &amp; more</p>]]></description><dc:creator>A &lt;B&gt;</dc:creator>
<enclosure url="https://e.test/a.mp3" length="5" type="audio/mpeg"/></item>
<item><title>Second</title><description>plain &quot;text&quot; &apos;here&apos;</description></item>
</channel></rss>
`

/**
 * `xml` with one to three of `pieces` inserted at random places, each replacing up to three
 * characters one time in four.
 * @example const next = seeded(21); mutated(PLAIN_RSS, ['<', '&amp;'], next)
 */
export const mutated = (xml: string, pieces: readonly string[], next: () => number): string => {
  let out = xml
  for (let m = 1 + (next() % 3); m > 0; m--) {
    const at = next() % out.length
    const cut = next() % 4 === 0 ? 1 + (next() % 3) : 0
    out = out.slice(0, at) + (pieces[next() % pieces.length] as string) + out.slice(at + cut)
  }
  return out
}

/**
 * A document's XML as parse-feed.ts hands it to the XML readers (repaired, depth-capped), with
 * its format; a text that is not a feed by parse-feed.ts's reckoning is still given, as RSS, its
 * depth-capped text.
 */
export const preparedXml = (text: string): { xml: string; format: XmlFormat } => {
  try {
    const doc = readDocument(text)
    if (doc.kind === 'xml') return { xml: doc.xml, format: doc.format }
  } catch {
    // not a feed: compared as RSS on the depth-capped text
  }
  return { xml: capXmlDepth(text).xml, format: 'rss' }
}

/**
 * Every XML document of the corpus (JSON Feeds left out), decoded and prepared by
 * {@link preparedXml}, with its path in the corpus as its name. Call only when the corpus is
 * present (`corpusPresent()`).
 */
export function* corpusXmlDocuments(): Generator<{ name: string; xml: string; format: XmlFormat }> {
  for (const path of filesBelow(`${CORPUS_DIR}/feeds`)) {
    const { text } = decodeBody(new Uint8Array(readFileSync(path)))
    if (text.trimStart().startsWith('{')) continue // JSON Feed
    yield { name: relative(CORPUS_DIR, path), ...preparedXml(text) }
  }
}
