/** capXmlDepth and the parser under deeply nested markup: no stack overflow, the cut said in "recovered from". */
import { describe, expect, it } from 'vitest'
import { parseFeed } from '../../../src/ingest/parse/parse-feed.js'
import { capXmlDepth, MAX_XML_DEPTH } from '../../../src/ingest/parse/xml-depth.js'

const URL_ = 'https://feeds.example/feed'
const nested = (depth: number, tag = 'div'): string =>
  `${`<${tag}>`.repeat(depth)}deep text${`</${tag}>`.repeat(depth)}`
const rss = (description: string): string =>
  `<?xml version="1.0"?>\n<rss version="2.0"><channel><title>T</title>` +
  `<item><title>Nested</title><link>https://feeds.example/1</link>` +
  `<description>${description}</description></item>` +
  `<item><title>After</title><link>https://feeds.example/2</link></item></channel></rss>`
const atom = (content: string): string =>
  `<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><title>Nested</title>` +
  `<id>urn:x:1</id><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">${content}</div></content></entry></feed>`

/** The deepest element nesting of a document, counted as a lenient parser would. */
const depthOf = (xml: string): number => {
  let depth = 0
  let max = 0
  for (const m of xml.matchAll(/<(\/?)[A-Za-z][^>]*?(\/?)>/g)) {
    if (m[1]) depth--
    else if (!m[2]) max = Math.max(max, ++depth)
  }
  return max
}

describe('capXmlDepth', () => {
  it('returns the same string when nothing nests past the cap', () => {
    const xml = rss(nested(20))
    const out = capXmlDepth(xml)
    expect(out.xml).toBe(xml)
    expect(out.note).toBeUndefined()
  })

  it('removes tags below the cap and keeps their text', () => {
    expect(capXmlDepth('<a><b><c x="1>">x<d/></c>y</b></a>', 2)).toEqual({
      xml: '<a><b>xy</b></a>',
      note: 'markup nested deeper than 2 elements: 3 tags below that depth removed, their text kept (from line 1)',
    })
  })

  it('leaves comments, CDATA and processing instructions alone', () => {
    const xml = '<a><b><!-- <c><d> --><![CDATA[<c><d><e>]]><?pi <c>?></b></a>'
    expect(capXmlDepth(xml, 2).xml).toBe(xml)
  })

  it('follows end tags that close nothing, or several elements, as a lenient parser does', () => {
    // </x> matches no open element: it must not let the next <a> count as shallower.
    const stray = `<r>${'<a></x>'.repeat(50)}</r>`
    const out = capXmlDepth(stray, 10)
    expect(depthOf(out.xml.replace(/<\/x>/g, ''))).toBeLessThanOrEqual(10)
    // </a> closes <b> inside it too: the following <c> is at depth 2, its <d> at 3.
    expect(capXmlDepth('<r><a><b></a><c><d>t</d></c></r>', 2).xml).toBe('<r><a></a><c>t</c></r>')
  })

  it('names the line of the first cut', () => {
    expect(capXmlDepth('<a>\n<b>\n<c>x</c></b></a>', 2).note).toMatch(/from line 3\)$/)
  })
})

describe('parseFeed with deeply nested unescaped markup', () => {
  it.each([50, MAX_XML_DEPTH + 1, 2_000, 16_000, 200_000])(
    'reads a description nested %i levels, and the entry after it',
    async (depth) => {
      const feed = await parseFeed(rss(nested(depth)), URL_)
      expect(feed.entries.map((e) => e.title)).toEqual(['Nested', 'After'])
      expect(feed.entries[0]?.summary).toContain('deep text')
      const cut = feed.recovered.find((r) => r.startsWith('markup nested deeper than'))
      // The channel and item take 4 levels: the description's markup starts below them.
      if (depth + 4 > MAX_XML_DEPTH) expect(cut).toMatch(/tags below that depth removed/)
      else expect(cut).toBeUndefined()
      expect(depthOf(feed.entries[0]?.summary ?? '')).toBeLessThanOrEqual(MAX_XML_DEPTH)
    },
  )

  it.each([2_000, 50_000])('reads Atom xhtml content nested %i levels', async (depth) => {
    const feed = await parseFeed(atom(nested(depth, 'span')), URL_)
    expect(feed.entries).toHaveLength(1)
    expect(feed.entries[0]?.contentHtml).toContain('deep text')
    expect(feed.recovered.join()).toMatch(/markup nested deeper than/)
  })

  it('reads nesting that is never closed (a lenient parse)', async () => {
    const feed = await parseFeed(rss('<b>'.repeat(30_000)), URL_)
    expect(feed.entries.length).toBeGreaterThanOrEqual(1)
    expect(feed.recovered.join()).toMatch(/markup nested deeper than/)
  })
})
