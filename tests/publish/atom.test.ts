import Parser from 'rss-parser'
import { describe, expect, it } from 'vitest'
import type { Item } from '../../src/model/types.js'
import { renderAtom } from '../../src/publish/atom.js'
import { buildFeedDocument } from '../../src/publish/feed.js'
import { feedparse, feedparserMissing } from './feedparser.js'
import { BASE_URL, sampleContext, sampleDocument, sampleInput, sampleItems } from './sample.js'

const xml = renderAtom(sampleDocument())
const [dawn, urdu, xss] = sampleItems as [Item, Item, Item, Item]
/** Why the feedparser checks are skipped here, if they are. */
const FEEDPARSER_MISSING = feedparserMissing()
const seconds = (iso: string): number => Date.parse(iso) / 1000
const SELF = `${BASE_URL}/topics/pakistan-afghanistan.atom?since=7d&q=%22transit+trade%22`

describe('renderAtom', () => {
  it('matches the golden file', async () => {
    await expect(xml).toMatchFileSnapshot('../fixtures/expected/render-sample.atom.xml')
  })

  it('is deterministic', () => {
    expect(renderAtom(sampleDocument())).toBe(xml)
  })

  it('parses back with rss-parser: ids, links, titles, dates', async () => {
    const feed = await new Parser().parseString(xml)
    expect(feed.title).toBe('Pakistan–Afghanistan relations & <more>')
    expect(feed.feedUrl).toBe(SELF)
    expect(feed.items.map((i) => i.id)).toStrictEqual(sampleItems.map((i) => `urn:uuid:${i.id}`))
    expect(feed.items.map((i) => i.link)).toStrictEqual([
      dawn.url,
      urdu.url,
      'https://example.org/posts/xss?x=%3Cy%3E&z=%22q%22',
      undefined,
    ])
    expect(feed.items[2]?.title).toBe(xss.title)
    expect(feed.items.map((i) => i.isoDate)).toStrictEqual(sampleItems.map((i) => i.publishedAt))
  })

  describe.skipIf(FEEDPARSER_MISSING !== undefined)(
    `feedparser${FEEDPARSER_MISSING ? ` (skipped: ${FEEDPARSER_MISSING})` : ''}`,
    () => {
      it('reads it as Atom 1.0 without any error (bozo 0): ids, links, titles, dates, tags', () => {
        const fp = feedparse(xml)
        expect(fp.bozo_exception).toBe('')
        expect(fp.bozo).toBe(0)
        expect(fp.version).toBe('atom10')
        expect(fp.feed.links).toContainEqual({ rel: 'self', href: SELF })
        expect(fp.entries.map((e) => e.id)).toStrictEqual(
          sampleItems.map((i) => `urn:uuid:${i.id}`),
        )
        expect(fp.entries.map((e) => e.title)).toStrictEqual([
          dawn.title,
          urdu.title,
          xss.title,
          'An item without a link or content',
        ])
        expect(fp.entries.slice(0, 3).map((e) => e.link)).toStrictEqual([
          dawn.url,
          urdu.url,
          'https://example.org/posts/xss?x=%3Cy%3E&z=%22q%22',
        ])
        expect(fp.entries.map((e) => e.published)).toStrictEqual(
          sampleItems.map((i) => seconds(i.publishedAt)),
        )
        expect(fp.entries.map((e) => e.updated)).toStrictEqual(
          sampleItems.map((i) => seconds(i.updatedAt ?? i.publishedAt)),
        )
        expect(fp.entries[0]?.tags).toStrictEqual([
          {
            term: 'border-trade',
            scheme: `${BASE_URL}/topics`,
            label: 'Border crossings & trade <Torkham>',
          },
          {
            term: 'pakistan-afghanistan',
            scheme: `${BASE_URL}/topics`,
            label: 'Pakistan–Afghanistan relations',
          },
        ])
        expect(fp.entries.map((e) => e.author)).toStrictEqual([
          'Staff Reporter',
          null,
          'Ann <ann@example.org> & Bob',
          null,
        ])
        expect(fp.entries.map((e) => e.source)).toStrictEqual([
          { title: 'Dawn', href: 'https://www.dawn.com/feeds/home' },
          { title: 'BBC اردو', href: 'https://feeds.bbci.co.uk/urdu/rss.xml' },
          { title: 'Tests & <More>', href: 'https://example.org/feed?a=1&b=2' },
          { title: 'removed-source', href: `${BASE_URL}/sources/removed-source.rss` },
        ])
        expect(fp.entries[0]?.enclosures).toStrictEqual([
          { href: 'https://images.dawn.com/torkham.jpg', type: 'image/jpeg', length: '48213' },
          { href: 'https://images.dawn.com/map.png', type: 'image/png', length: null },
        ])
        expect(fp.entries[0]?.content).toStrictEqual([dawn.contentHtml])
        expect(fp.entries[0]?.summary).toBe(dawn.summary)
        expect(fp.entries[3]?.content).toStrictEqual(['Only a summary here.'])
      })

      it('reads an empty feed with a next page and a language without error', () => {
        const doc = buildFeedDocument(
          { ...sampleInput, nextCursor: 'n1', language: 'ur' },
          [],
          sampleContext,
        )
        const fp = feedparse(renderAtom(doc))
        expect(fp.bozo).toBe(0)
        expect(fp.feed.language).toBe('ur')
        expect(fp.feed.links).toContainEqual({
          rel: 'next',
          href: `${BASE_URL}/topics/pakistan-afghanistan.atom?since=7d&q=%22transit+trade%22&cursor=n1`,
        })
      })
    },
  )

  it('writes each entry with id, published and updated (= updated ?? published) in RFC 3339', () => {
    expect(xml).toContain(`<id>urn:uuid:${dawn.id}</id>`)
    expect(xml).toContain('<published>2025-07-01T08:00:00.000Z</published>')
    expect(xml).toContain('<updated>2025-07-01T10:30:00.000Z</updated>')
    expect(xml).toContain(
      '<published>2025-06-30T21:15:00.000Z</published>\n        <updated>2025-06-30T21:15:00.000Z</updated>',
    )
  })

  it('writes topic categories with term, scheme and label', () => {
    expect(xml).toContain(
      '<category term="border-trade" scheme="http://localhost:8080/topics" label="Border crossings &amp; trade &lt;Torkham&gt;"/>',
    )
  })

  it('passes enclosures through as rel="enclosure" links with their own type', () => {
    expect(xml).toContain(
      '<link rel="enclosure" href="https://images.dawn.com/torkham.jpg" type="image/jpeg" length="48213"/>',
    )
    expect(xml).toContain(
      '<link rel="enclosure" href="https://www.bbc.com/urdu/audio/c0001.mp3" type="audio/mpeg"/>',
    )
  })

  it('names the source in <source> with id, title, self link, updated and author', () => {
    expect(xml).toContain(
      [
        '<source>',
        '            <id>https://www.dawn.com/feeds/home</id>',
        '            <title>Dawn</title>',
        '            <link rel="self" href="https://www.dawn.com/feeds/home"/>',
        '            <updated>2025-07-01T10:30:00.000Z</updated>',
        '            <author><name>Dawn</name></author>',
        '        </source>',
      ].join('\n'),
    )
  })

  it('escapes titles as text and HTML content as escaped type="html"', () => {
    expect(xml).not.toMatch(/<script/i)
    expect(xml).not.toContain('CDATA')
    expect(xml).toContain(
      '<title>&lt;script&gt;alert("x")&lt;/script&gt; &amp; ]]&gt; ]]&gt; Türkiye — naïve café</title>',
    )
    expect(xml).toContain(
      '<content type="html">&lt;p&gt;a ]]&gt; b ]]&gt; c &amp;amp; d&lt;/p&gt;</content>',
    )
    expect(xml).not.toMatch(/<title type=/)
  })

  it('gives an entry without link or HTML a text content (RFC 4287 §4.1.2)', () => {
    expect(xml).toContain('<content>Only a summary here.</content>')
  })

  it('marks entry languages with xml:lang', () => {
    expect(xml).toContain('<entry xml:lang="ur">')
  })

  it('puts a feed-level author only on a feed without entries', () => {
    expect(xml).not.toMatch(/^ {4}<author>/m)
    const empty = renderAtom(buildFeedDocument(sampleInput, [], sampleContext))
    expect(empty).toMatch(
      /^ {4}<author>\n {8}<name>Pakistan–Afghanistan relations &amp; &lt;more&gt;<\/name>/m,
    )
  })

  it('writes the next link before the first entry (feed metadata precedes entries)', () => {
    const out = renderAtom(
      buildFeedDocument({ ...sampleInput, nextCursor: 'n1' }, sampleItems, sampleContext),
    )
    const next = out.indexOf('<link rel="next"')
    expect(next).toBeGreaterThan(0)
    expect(next).toBeLessThan(out.indexOf('<entry'))
  })
})
