import { createRequire } from 'node:module'
import Parser from 'rss-parser'
import { describe, expect, it } from 'vitest'
import type { XmlFormat } from '../../../src/ingest/parse/detect.js'
import { feedOfTree } from '../../../src/ingest/parse/feed-of-tree.js'
import { FEED_FIELDS, ITEM_FIELDS } from '../../../src/ingest/parse/xml.js'
import { repairXml } from '../../../src/ingest/parse/xml-repair.js'
import { scanPlainXml } from '../../../src/ingest/parse/xml-scan.js'
import { xml2jsOptions } from '../../../src/ingest/parse/xml-shape.js'
import { readXmlTree } from '../../../src/ingest/parse/xml-tree.js'
import { corpusPresent } from '../../helpers/corpus.js'
import { seeded } from '../../helpers/random.js'
import { corpusXmlDocuments, mutated, PLAIN_RSS, preparedXml } from '../../helpers/xml-documents.js'

/**
 * xml-tree.ts + feed-of-tree.ts replaced rss-parser's parseString (xml2js over sax, then its feed
 * readers). Here rss-parser itself, configured as xml.ts configured it, is the reference: for every
 * document, strict and lenient, both must fail with the same message or give the same `tw:*`
 * fields of the feed and of every item (what xml-entry.ts reads).
 */
type Outcome = { error: string } | { feed: Record<string, unknown>; items: unknown[] }

const keep = (name: string): [string, string, { keepArray: boolean }] => [
  name,
  `tw:${name}`,
  { keepArray: true },
]

/** Only our fields: rss-parser adds its own (snippets, dates) that nothing reads. */
const ours = (raw: unknown): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(raw as Record<string, unknown>))
    if (k.startsWith('tw:')) out[k] = v
  return out
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err))

const viaRssParser = async (xml: string, format: XmlFormat, lenient: boolean): Promise<Outcome> => {
  const parser = new Parser({
    defaultRSS: 2,
    xml2js: xml2jsOptions(xml, format, lenient),
    customFields: {
      feed: FEED_FIELDS.map(keep) as unknown as string[],
      item: ITEM_FIELDS.map(keep),
    },
  })
  try {
    const out = (await parser.parseString(xml)) as unknown as Record<string, unknown>
    return { feed: ours(out), items: (out.items as unknown[]).map(ours) }
  } catch (err) {
    return { error: message(err) }
  }
}

const viaTree = (xml: string, format: XmlFormat, lenient: boolean): Outcome => {
  try {
    const out = feedOfTree(
      readXmlTree(xml, xml2jsOptions(xml, format, lenient)),
      FEED_FIELDS,
      ITEM_FIELDS,
    )
    const { items, ...feed } = out
    return { feed, items: (items as unknown[]).map(ours) }
  } catch (err) {
    return { error: message(err) }
  }
}

/** Both readers, strict and lenient, on the document as parse-feed.ts prepares it. */
const compare = async (xml: string, format: XmlFormat, label: string): Promise<number> => {
  let compared = 0
  for (const text of new Set([xml, repairXml(xml).xml]))
    for (const lenient of [false, true]) {
      const expected = await viaRssParser(text, format, lenient)
      expect(
        viaTree(text, format, lenient),
        `${label} (${lenient ? 'lenient' : 'strict'})`,
      ).toEqual(expected)
      compared++
    }
  return compared
}

const ATOM = 'xmlns="http://www.w3.org/2005/Atom"'

/** Documents written to find where two readers of one tree could part: odd shapes, hostile input. */
const ODD: Record<string, string> = {
  'rss2 with CDATA, entities and namespaces': `<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:m="http://search.yahoo.com/mrss/">
<channel><title>A &amp; B</title><link>https://e.test/</link><ttl> 30 </ttl>
<item><title><![CDATA[Talks <b>resume</b>]]> in Doha</title><link>/a</link><guid isPermaLink="false">x1</guid>
<dc:creator>Jane</dc:creator><content:encoded><![CDATA[<p>Body &amp; more</p>]]></content:encoded>
<m:content url="https://e.test/v.mp4" fileSize="10"/><category>A</category><category>B</category></item>
<item/><item>   </item><item><description><p>naked <b>markup</b></p></description></item>
</channel></rss>`,
  'rss 0.91 and a version-less rss': `<rss version="0.91"><channel><title>T</title><item><title>a</title></item></channel></rss>`,
  'rss without a channel': `<rss><item><title>a</title></item><item><title>b</title></item></rss>`,
  'empty rss and empty channel': `<rss version="2.0"><channel/></rss>`,
  'rdf with items in the channel': `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>R</title><item rdf:about="https://e.test/1"><title>one</title></item></channel></rdf:RDF>`,
  'rss 1.1': `<Channel xmlns="http://purl.org/net/rss1.1#" rdf:about="https://e.test/"><title>T</title><items><item rdf:about="https://e.test/1"><title>one</title></item></items></Channel>`,
  'atom with xhtml, typed text and links': `<feed ${ATOM} xml:base="https://e.test/"><title type="html">A &lt;b&gt;B&lt;/b&gt;</title><link href="/"/><link rel="self" href="/f"/>
<entry><id>u1</id><title type="text">t</title><link>https://e.test/1</link><published>garbage</published>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi <a href="/x">x</a></p></div></content>
<summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">S</div></summary><author><name>N</name></author></entry>
<entry/><entry>  </entry></feed>`,
  'prefixed atom': `<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:title>T</a:title><a:entry><a:title>e</a:title><a:link href="/e"/></a:entry></a:feed>`,
  'atom entries called item': `<feed ${ATOM}><title>T</title><item><title>e</title></item></feed>`,
  'feed with only whitespace': `<feed ${ATOM}>   </feed>`,
  'empty feed element': `<feed ${ATOM}/>`,
  'atom published with a child named length': `<feed ${ATOM}><entry><published><length>1</length></published></entry></feed>`,
  'atom link without attributes among others': `<feed ${ATOM}><link rel="self" href="/s"/><link>https://e.test/</link><entry><link rel="x">y</link></entry></feed>`,
  'a child named _ and an attribute named _': `<rss version="2.0"><channel _="u"><title>T<_>x</_>after</title><item _="v"><_/><title>a</title></item></channel></rss>`,
  'children named $, cdata and constructor': `<rss version="2.0"><channel><item><cdata>c</cdata><constructor>k</constructor><__proto__>p</__proto__><title>a</title></item></channel></rss>`,
  'text and a second root after the root': `<rss version="2.0"><channel><title>T</title></channel></rss> trailing <rss><channel><title>U</title></channel></rss>`,
  'unclosed root': `<rss version="2.0"><channel><title>T</title><item><title>a</title>`,
  'mismatched tags': `<rss version="2.0"><channel><title>T</b></title><item><title>a</item></channel></rss>`,
  'unknown entity': `<rss version="2.0"><channel><title>T&nbsp;U &copy;</title></channel></rss>`,
  'numeric entities and astral characters': `<rss version="2.0"><channel><title>&#x1F600; &#233; 😀 \u0627\u0644\u0639\u0631\u0628\u064a\u0629</title></channel></rss>`,
  'upper-case names': `<RSS VERSION="2.0"><CHANNEL><TITLE>T</TITLE><ITEM><PUBDATE>x</PUBDATE><TITLE>a</TITLE></ITEM></CHANNEL></RSS>`,
  'byte order mark': `\uFEFF<rss version="2.0"><channel><title>T</title></channel></rss>`,
  'only whitespace': ' \n\t ',
  'not a feed': '<html><body><p>hello</p></body></html>',
  'text only': 'just some words',
  'deep nesting': `<rss version="2.0"><channel><item><description>${'<d>'.repeat(3000)}x${'</d>'.repeat(3000)}</description></item></channel></rss>`,
  'CDATA split and mixed with text': `<rss version="2.0"><channel><item><title>a<![CDATA[ <b> ]]>b<![CDATA[]]></title><description>  <![CDATA[   ]]>  </description></item></channel></rss>`,
  'processing instruction, comment and doctype-like text': `<?xml version="1.0"?><!-- c --><?pi x?><rss version="2.0"><channel><!-- <item> --><title>T<!-- x --></title></channel></rss>`,
  'attribute without value and unquoted (lenient only)': `<rss version=2.0><channel><item><enclosure url=https://e.test/a.mp3 length=5 /><guid isPermaLink>g</guid></item></channel></rss>`,
  // xml2js's Builder, which rss-parser ran on content with child elements, rejects control
  // characters: the whole strict parse failed on them.
  'markup in a description with a control character': `<rss version="2.0"><channel><item><title>a</title><description><p>x\u0001y</p></description></item></channel></rss>`,
  'xhtml content with a control character': `<feed ${ATOM}><entry><title>e</title><content type="xhtml"><div>x\u0001y</div></content></entry></feed>`,
  'namespaced attributes and xml:base on items': `<rss version="2.0" xml:base="https://e.test/x/"><channel><item xml:base="/y/"><link>z</link></item></channel></rss>`,
}

/** Whether xml-scan.ts reads the document itself (else it goes to sax). */
const plain = (xml: string): boolean =>
  scanPlainXml(xml, { open() {}, close() {}, text() {}, cdata() {}, settled: () => true })

/** The plain document, with a comment before its root (the scan reads comments itself). */
const PLAIN = PLAIN_RSS.replace('\n<rss', '\n<!-- generated -->\n<rss')

/** What a mutation inserts: markup characters, references, names, whitespace, non-ASCII. */
const PIECES = [
  '<',
  '>',
  '&',
  ';',
  '"',
  "'",
  '/',
  '!',
  '?',
  '-',
  '[',
  ']',
  '=',
  ' ',
  '\n',
  '&amp;',
  '&#0;',
  '&#x110000;',
  '&nbsp;',
  '&AMP;',
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  '<?x?>',
  '<!DOCTYPE x>',
  '<b>',
  '</b>',
  '<b/>',
  ' x="1"',
  ' x=1',
  '\u00e9',
  '\u0627',
  '\uFEFF',
  '\u0001',
  'é:é',
]

describe('xml-tree + feed-of-tree read as rss-parser did', () => {
  it('reads plain documents itself (without sax), and agrees with rss-parser on mutations of one', async () => {
    expect(plain(PLAIN)).toBe(true)
    await compare(PLAIN, 'rss', 'the plain document')
    const next = seeded(21)
    let read = 0
    for (let n = 0; n < 600; n++) {
      const xml = mutated(PLAIN, PIECES, next)
      if (plain(xml)) read++
      const expected = await viaRssParser(xml, 'rss', false)
      expect(viaTree(xml, 'rss', false), JSON.stringify(xml)).toEqual(expected)
    }
    // Both paths were exercised: mutations the scan read itself and ones it left to sax.
    expect(read).toBeGreaterThan(60)
    expect(read).toBeLessThan(540)
  })

  for (const [name, xml] of Object.entries(ODD))
    it(name, async () => {
      const doc = preparedXml(xml)
      await compare(doc.xml, doc.format, name)
      // Also as the raw text, in every dialect: the readers must agree on input parse-feed.ts
      // would never hand them too.
      for (const format of ['rss', 'rdf', 'atom'] as const) await compare(xml, format, name)
    })

  it('gives the tree xml2js gives, null for an empty document', () => {
    const options = xml2jsOptions('', 'rss', false)
    expect(readXmlTree('  \n', options)).toBeNull()
    const tree = readXmlTree('<a x="1"><b>t</b><b/><c> </c>tail</a>', {
      ...options,
      validator: (_xpath, _current, value) => value,
    })
    expect(JSON.parse(JSON.stringify(tree))).toEqual({
      a: { _: 'tail', $: { x: '1' }, b: ['t', ''], c: [' '] },
    })
  })

  it('reports what the validator throws, and sax errors with their position', () => {
    const options = xml2jsOptions('', 'rss', false)
    expect(() =>
      readXmlTree('<a><b/></a>', {
        ...options,
        validator: () => {
          throw new Error('no b here')
        },
      }),
    ).toThrow('no b here')
    expect(() => readXmlTree('<a><b></a>', options)).toThrow(/Unexpected close tag\nLine: 0/)
  })

  it.skipIf(!corpusPresent())(
    'agrees with rss-parser on every corpus document',
    async () => {
      let compared = 0
      let documents = 0
      for (const doc of corpusXmlDocuments()) {
        compared += await compare(doc.xml, doc.format, doc.name)
        documents++
      }
      expect(documents).toBeGreaterThan(3000)
      expect(compared).toBeGreaterThanOrEqual(documents * 2)
    },
    240_000,
  )
})

describe('readXmlTree against xml2js on random documents', () => {
  /** xml2js as rss-parser loads it, parsing with the same options (the validator: identity). */
  const viaXml2js = (() => {
    const require = createRequire(import.meta.url)
    const viaRssParser = createRequire(require.resolve('rss-parser'))
    const xml2js = viaRssParser('xml2js') as {
      Parser: new (
        o: unknown,
      ) => { parseString: (x: string, cb: (e: unknown, r: unknown) => void) => void }
    }
    return (xml: string, options: object): unknown => {
      let out: unknown
      new xml2js.Parser(options).parseString(xml, (err, result) => {
        out = err ? { error: message(err) } : result
      })
      return out
    }
  })()

  // Element names include `_` (xml2js's text key) and `cdata` (the builder's CDATA mark).
  const NAMES = ['a', 'b', 'item', '_', 'cdata', 'x:y']
  const TEXTS = ['', ' ', '\n  ', 't', ' u ', '&amp;']

  const element = (next: () => number, depth: number): string => {
    const name = NAMES[next() % NAMES.length] as string
    const attrs = next() % 3 === 0 ? ` k="${TEXTS[next() % TEXTS.length]}"` : ''
    if (depth === 0 || next() % 4 === 0) return `<${name}${attrs}/>`
    let body = ''
    for (let n = next() % 4; n > 0; n--) {
      const r = next() % 4
      body +=
        r === 0
          ? TEXTS[next() % TEXTS.length]
          : r === 1
            ? `<![CDATA[${TEXTS[next() % TEXTS.length]}x]]>`
            : element(next, depth - 1)
    }
    return `<${name}${attrs}>${body}</${name}>`
  }

  it('gives the tree (or the error) xml2js gives on 3,000 documents', () => {
    const next = seeded(33)
    const identity = (_xpath: string, _current: unknown, value: unknown) => value
    let trees = 0
    for (let n = 0; n < 3_000; n++) {
      const xml = element(next, 3)
      const options = { ...xml2jsOptions(xml, 'rss', false), validator: identity }
      const expected = viaXml2js(xml, options)
      let actual: unknown
      try {
        actual = readXmlTree(xml, options)
      } catch (err) {
        actual = { error: message(err) }
      }
      expect(JSON.parse(JSON.stringify(actual)), xml).toEqual(JSON.parse(JSON.stringify(expected)))
      if (!(expected as { error?: string }).error) trees++
    }
    expect(trees).toBeGreaterThan(2_000)
  })
})
