import { describe, expect, it } from 'vitest'
import type { XmlFormat } from '../../../src/ingest/parse/detect.js'
import {
  FEED_FIELDS,
  ITEM_FIELDS,
  parseXmlFeed,
  readFeedFields,
} from '../../../src/ingest/parse/xml.js'
import { readDirect } from '../../../src/ingest/parse/xml-direct.js'
import { repairXml } from '../../../src/ingest/parse/xml-repair.js'
import { declarations, xml2jsOptions } from '../../../src/ingest/parse/xml-shape.js'
import { corpusPresent } from '../../helpers/corpus.js'
import { seeded } from '../../helpers/random.js'
import { corpusXmlDocuments, mutated, PLAIN_RSS } from '../../helpers/xml-documents.js'

/**
 * xml-direct.ts reads a plain RSS 2.0 document's items from the scanner's events instead of the
 * xml2js tree: for every document both readings must give the same feed and item fields (or the
 * same error), strict and lenient, and the parsed feed must be the same.
 */
type Outcome = { error: string } | { value: unknown }

const outcome = (read: () => unknown): Outcome => {
  try {
    return { value: read() }
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) }
  }
}

/** Whether the direct reading took the document (rather than leaving it to the tree). */
const direct = (xml: string, format: XmlFormat): boolean =>
  (format === 'rss' || format === 'atom') &&
  readDirect(xml, format, xml2jsOptions(xml, format, false), FEED_FIELDS, ITEM_FIELDS) !== undefined

/** Both readings of one document agree; returns whether the direct one read it. */
const compare = async (xml: string, format: XmlFormat, label: string): Promise<boolean> => {
  for (const lenient of [false, true])
    expect(
      outcome(() => readFeedFields(xml, format, lenient, true)),
      label,
    ).toStrictEqual(outcome(() => readFeedFields(xml, format, lenient, false)))
  const parsed = await parseXmlFeed(xml, format, 'https://e.test/feed.xml', []).then(
    (feed) => ({ value: feed }),
    (err: Error) => ({ error: err.message }),
  )
  expect(parsed, label).toStrictEqual(
    await parseXmlFeed(xml, format, 'https://e.test/feed.xml', [], false).then(
      (feed) => ({ value: feed }),
      (err: Error) => ({ error: err.message }),
    ),
  )
  return direct(xml, format)
}

/** Pieces of generated documents: texts with references, CDATA, whitespace, markup, non-ASCII. */
const TEXTS = [
  '',
  ' ',
  '\n  ',
  '\u00a0',
  'Talks resume',
  ' Doha &amp; Kabul ',
  '&lt;b&gt;bold&lt;/b&gt;',
  '&#8212;&#x4E2D;',
  '<![CDATA[<p>Trade <a href="/x">resumed</a></p>]]>',
  '<![CDATA[   ]]>',
  '<![CDATA[]]>',
  'a<![CDATA[ <b> ]]>b',
  'https://e.test/a/1',
  '/relative/link',
  'jane@e.test (Jane Doe)',
  'Thu, 19 Nov 2026 23:59:00 GMT',
  '\u0627\u0644\u0639\u0631\u0628\u064a\u0629 😀',
  '<!-- a comment -->x',
  // xml2js's Builder, which rss-parser ran on a description with child elements, rejects it.
  'x\u0001y',
]

/** Item children: the fields read (in several spellings and prefixes) and others. */
const FIELD_NAMES = [
  'title',
  'TITLE',
  'Title',
  'link',
  'guid',
  'description',
  'author',
  'category',
  'pubDate',
  'pubdate',
  'dc:creator',
  'dc:date',
  'x:creator',
  'content:encoded',
  'c:encoded',
  'enclosure',
  'media:content',
  'media:group',
  'atom:link',
  'comments',
  'source',
  'item',
  'entry',
  'cdata',
  'constructor',
  '__proto__',
  'hasOwnProperty',
  'length',
  '_',
]

const ATTRS = [
  ' isPermaLink="false"',
  ' ISPERMALINK="true"',
  ' url="https://e.test/a.mp3" length="5" type="audio/mpeg"',
  ' url="/v.mp4" fileSize="10" Type="video/mp4" type="x"',
  ' href="/h" rel="alternate"',
  ' xml:base="/base/"',
  ' rdf:about="https://e.test/about"',
  ' _="u"',
  ' type="html"',
  " k='&amp;&#233;'",
]

const pick = <T>(next: () => number, list: readonly T[]): T => list[next() % list.length] as T

const field = (next: () => number): string => {
  const name = pick(next, FIELD_NAMES)
  const attrs = next() % 4 === 0 ? pick(next, ATTRS) : ''
  const r = next() % 10
  if (r === 0) return `<${name}${attrs}/>`
  let body = ''
  for (let n = 1 + (next() % 2); n > 0; n--) body += pick(next, TEXTS)
  // Now and then a child element: xhtml, an author's name, media:group's media:content.
  if (r === 1) body = `${next() % 2 ? body : ''}<b>${pick(next, TEXTS)}</b>`
  if (r === 2) body = `<name>${pick(next, TEXTS)}</name>${body}`
  if (r === 3) body = `<media:content url="https://e.test/${next() % 9}.jpg"/>`
  return `<${name}${attrs}>${body}</${name}>`
}

const item = (next: () => number): string => {
  const attrs = next() % 6 === 0 ? pick(next, ATTRS) : ''
  if (next() % 25 === 0) return `<item${attrs}/>`
  let body = ''
  for (let n = next() % 9; n > 0; n--)
    body += (next() % 3 === 0 ? pick(next, ['\n', ' ', '', 'stray']) : '') + field(next)
  return `<item${attrs}>${body}</item>`
}

const NAMESPACES = [
  '',
  ' xmlns:dc="http://purl.org/dc/elements/1.1/"',
  ' xmlns:x="http://purl.org/dc/elements/1.1/"',
  ' xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/"',
  ' xmlns:c="http://purl.org/rss/1.0/modules/content/"',
  ' xmlns:atom="http://www.w3.org/2005/Atom"',
  ' xml:base="https://e.test/root/"',
]

/** A random RSS document: mostly plain, now and then of a shape the direct reading leaves to the tree. */
const document = (next: () => number): string => {
  const ns = pick(next, NAMESPACES) + (next() % 3 === 0 ? pick(next, NAMESPACES) : '')
  const channelAttrs = next() % 8 === 0 ? ' xml:base="/c/"' : ''
  let channel = ''
  if (next() % 10 !== 0) channel += `<title>${pick(next, TEXTS)}</title>`
  if (next() % 2 === 0) channel += `<link>${pick(next, TEXTS)}</link>`
  if (next() % 3 === 0) channel += `<ttl> ${next() % 90} </ttl>`
  if (next() % 4 === 0) channel += `<language>en</language>`
  for (let n = next() % 7; n > 0; n--) channel += (next() % 2 ? '\n' : '') + item(next)
  const r = next() % 30
  const tail =
    r === 0
      ? '<channel><item><title>second channel</title></item></channel>'
      : r === 1
        ? '<item><title>outside</title></item>'
        : ''
  const root = next() % 40 === 0 ? 'RSS' : 'rss'
  return `<?xml version="1.0"?>\n<${root} version="2.0"${ns}><channel${channelAttrs}>${channel}</channel>${tail}</${root}>\n`
}

/** Atom entry children: the fields read, with the shapes Atom gives them, and others. */
const ATOM_FIELDS = [
  () => '<title>Talks &amp; trade</title>',
  () => '<title type="html">A &lt;b&gt;B&lt;/b&gt;</title>',
  () => '<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">X <b>y</b></div></title>',
  () => '<link href="/e/1"/>',
  () => '<link rel="alternate" type="text/html" href="https://e.test/1"/>',
  () => '<link rel="enclosure" type="audio/mpeg" length="9" href="/a.mp3"/>',
  () => '<link>https://e.test/text-link</link>',
  () => '<link rel="x">y</link>',
  () => '<link rel="related">https://e.test/r <b>x</b></link>',
  () => '<link href="/h">text<b>bold</b></link>',
  () => '<id>tag:e.test,2026:1</id>',
  () => '<id>https://e.test/id/1</id>',
  () => '<published>2026-11-19T10:00:00Z</published>',
  () => '<published>garbage</published>',
  () => '<updated> 2026-11-19T11:00:00+01:00 </updated>',
  () => '<published><length>1</length></published>',
  () => '<issued>2026-11-19</issued>',
  () => '<author><name>Jane</name><email>j@e.test</email></author>',
  () => '<author>plain author</author>',
  () => '<author><name> </name></author>',
  () => '<content type="html">&lt;p&gt;Body&lt;/p&gt;</content>',
  () =>
    '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi <a href="/x">x</a></p></div></content>',
  () => '<content type="xhtml"><div>x\u0001y</div></content>',
  () => '<content src="https://e.test/out"/>',
  () => '<content type="text">a &lt; b</content>',
  () => '<content xml:base="/c/" type="html"><![CDATA[<p>cdata <img src="i.png"></p>]]></content>',
  () => '<summary>Short</summary>',
  () => '<summary type="xhtml"><div>S</div></summary>',
  () => '<category term="t1" label="L1"/>',
  () => '<category term="t2"/>',
  () => '<dc:subject>subj</dc:subject>',
  () => '<media:group><media:content url="https://e.test/v.mp4"/></media:group>',
  () => '<media:content url="/m.jpg" type="image/jpeg"/>',
  () => '<source><title>Elsewhere</title><entry><title>inner</title></entry></source>',
  () => '<rights>r</rights>',
  () => '<_>x</_>',
  () => '<entry><title>nested</title></entry>',
  () => '<item>an item in an entry</item>',
]

const atomEntry = (next: () => number): string => {
  const name = next() % 12 === 0 ? 'item' : 'entry'
  const attrs = next() % 6 === 0 ? pick(next, [' xml:base="/b/"', ' xml:lang="fr"', ' _="u"']) : ''
  if (next() % 25 === 0) return `<${name}${attrs}/>`
  let body = ''
  for (let n = next() % 9; n > 0; n--)
    body += (next() % 3 === 0 ? pick(next, ['\n', ' ', 'stray']) : '') + pick(next, ATOM_FIELDS)()
  return `<${name}${attrs}>${body}</${name}>`
}

/** A random Atom document, now and then of a shape the direct reading leaves to the tree. */
const atomDocument = (next: () => number): string => {
  const ns = pick(next, [
    ' xmlns="http://www.w3.org/2005/Atom"',
    ' xmlns="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"',
    ' xmlns="http://www.w3.org/2005/Atom" xml:base="https://e.test/root/"',
    ' xmlns="http://purl.org/atom/ns#" xmlns:m="http://search.yahoo.com/mrss/"',
    '',
  ])
  let feed = ''
  if (next() % 6 !== 0) feed += `<title>${pick(next, TEXTS)}</title>`
  if (next() % 2 === 0) feed += '<link href="/"/><link rel="self" href="/f"/>'
  if (next() % 3 === 0) feed += '<author><name>Feed Author</name></author>'
  if (next() % 4 === 0) feed += '<subtitle type="html">S &amp;amp; T</subtitle>'
  for (let n = next() % 7; n > 0; n--) feed += (next() % 2 ? '\n' : '') + atomEntry(next)
  return `<?xml version="1.0"?>\n<feed${ns}>${feed}</feed>\n`
}

describe('xml-direct reads RSS items and Atom entries as the tree reads them', () => {
  it('on 3,000 generated Atom documents', async () => {
    const next = seeded(29)
    let read = 0
    for (let n = 0; n < 3_000; n++) {
      const xml = atomDocument(next)
      if (await compare(xml, 'atom', xml)) read++
    }
    expect(read).toBeGreaterThan(600)
    expect(read).toBeLessThan(2_900)
  }, 120_000)

  it('on 3,000 generated RSS documents', async () => {
    const next = seeded(19)
    let read = 0
    for (let n = 0; n < 3_000; n++) {
      const xml = document(next)
      if (await compare(xml, 'rss', xml)) read++
    }
    // Both paths were exercised: documents read directly and ones left to the tree.
    expect(read).toBeGreaterThan(600)
    expect(read).toBeLessThan(2_900)
  }, 120_000)

  it('on mutations of a plain document (markup, references, names broken)', async () => {
    const base = PLAIN_RSS
    const pieces = [
      '<',
      '>',
      '&',
      '"',
      '/',
      '<b>',
      '</b>',
      '<_/>',
      '<![CDATA[',
      ']]>',
      '&amp;',
      ' x="1"',
      ' _="2"',
      '<item>',
      '</item>',
      '<channel>',
      '</channel>',
      '\n',
    ]
    expect(await compare(base, 'rss', 'base')).toBe(true)
    const next = seeded(91)
    let read = 0
    for (let n = 0; n < 1_000; n++) {
      const xml = mutated(base, pieces, next)
      if (await compare(xml, 'rss', JSON.stringify(xml))) read++
    }
    expect(read).toBeGreaterThan(100)
  }, 120_000)

  it.skipIf(!corpusPresent())(
    'on every corpus document, as prepared and repaired',
    async () => {
      let documents = 0
      let read = 0
      for (const doc of corpusXmlDocuments()) {
        for (const xml of new Set([doc.xml, repairXml(doc.xml).xml]))
          if (await compare(xml, doc.format, doc.name)) read++
        documents++
      }
      expect(documents).toBeGreaterThan(3000)
      // Nearly every Atom document and every plain RSS one (1,669 and 1,062 of them when written).
      expect(read).toBeGreaterThan(2_500)
    },
    240_000,
  )
})

describe('xml-shape declarations', () => {
  it('finds what matchAll of its regex finds, on random text', () => {
    const pieces = [
      'xmlns:',
      'xmlns',
      'dc',
      'a.b-c',
      '=',
      ' ',
      '\n',
      '"',
      "'",
      'http://x/',
      'xmlns:x="xmlns:y=\'z\'"',
      '<',
      '>',
    ]
    const next = seeded(5)
    for (let n = 0; n < 5_000; n++) {
      let text = ''
      for (let k = next() % 20; k > 0; k--) text += pick(next, pieces)
      const expected = [...text.matchAll(/xmlns:([\w.-]+)\s*=\s*["']([^"']*)["']/g)].map((m) => [
        m.index,
        m[0],
        m[1],
        m[2],
      ])
      const actual = [...declarations(text)].map((m) => [m.index, m[0], m[1], m[2]])
      expect(actual, JSON.stringify(text)).toEqual(expected)
    }
  })
})
