import Parser from 'rss-parser'
import { describe, expect, it } from 'vitest'
import type { Item } from '../../src/model/types.js'
import { buildFeedDocument } from '../../src/publish/feed.js'
import { renderRss } from '../../src/publish/rss.js'
import { feedparse, feedparserMissing } from './feedparser.js'
import { BASE_URL, sampleContext, sampleDocument, sampleInput, sampleItems } from './sample.js'

const xml = renderRss(sampleDocument())
const [dawn, urdu] = sampleItems as [Item, Item, Item, Item]
/** Why the feedparser checks are skipped here, if they are. */
const FEEDPARSER_MISSING = feedparserMissing()
const seconds = (iso: string): number => Date.parse(iso) / 1000

type ExtraFields = { source?: string; 'content:encoded'?: string }

describe('renderRss', () => {
  it('matches the golden file', async () => {
    await expect(xml).toMatchFileSnapshot('../fixtures/expected/render-sample.rss.xml')
  })

  it('is deterministic', () => {
    expect(renderRss(sampleDocument())).toBe(xml)
  })

  it('parses back with rss-parser: guids, links, titles, dates, categories, creators', async () => {
    const feed = await new Parser<object, ExtraFields>({
      customFields: { item: ['source'] },
    }).parseString(xml)
    expect(feed.title).toBe('Pakistan–Afghanistan relations & <more>')
    expect(feed.link).toBe(`${BASE_URL}/`)
    expect(feed.feedUrl).toBe(
      `${BASE_URL}/topics/pakistan-afghanistan.rss?since=7d&q=%22transit+trade%22`,
    )
    const items = feed.items
    expect(items.map((i) => i.guid)).toStrictEqual(sampleItems.map((i) => `urn:uuid:${i.id}`))
    expect(items.map((i) => i.link)).toStrictEqual([
      'https://www.dawn.com/news/1001?ref=rss&utm=x',
      'https://www.bbc.com/urdu/articles/c0001',
      'https://example.org/posts/xss?x=%3Cy%3E&z=%22q%22',
      undefined,
    ])
    expect(items.map((i) => i.title)).toStrictEqual([
      dawn.title,
      urdu.title,
      '<script>alert("x")</script> & ]]> ]]> Türkiye — naïve café',
      'An item without a link or content',
    ])
    expect(items.map((i) => i.isoDate)).toStrictEqual(sampleItems.map((i) => i.publishedAt))
    // xml2js objects have no prototype: compare by value.
    expect(items[0]?.categories).toEqual([
      { _: 'Border crossings & trade <Torkham>', $: { domain: `${BASE_URL}/topics` } },
      { _: 'Pakistan–Afghanistan relations', $: { domain: `${BASE_URL}/topics` } },
    ])
    expect(items.map((i) => i.creator)).toStrictEqual([
      'Staff Reporter',
      undefined,
      'Ann <ann@example.org> & Bob',
      undefined,
    ])
    expect(items.map((i) => i.source)).toStrictEqual([
      'Dawn',
      'BBC اردو',
      'Tests & <More>',
      'removed-source',
    ])
    expect(items[0]?.enclosure).toEqual({
      url: 'https://images.dawn.com/torkham.jpg',
      type: 'image/jpeg',
      length: '48213',
    })
    expect(items[1]?.enclosure).toEqual({
      url: 'https://www.bbc.com/urdu/audio/c0001.mp3',
      type: 'audio/mpeg',
      length: '0',
    })
    expect(items[0]?.['content:encoded']).toBe(dawn.contentHtml)
  })

  describe.skipIf(FEEDPARSER_MISSING !== undefined)(
    `feedparser${FEEDPARSER_MISSING ? ` (skipped: ${FEEDPARSER_MISSING})` : ''}`,
    () => {
      it('reads it as RSS 2.0 without any error (bozo 0), with ids, links, dates and tags', () => {
        const fp = feedparse(xml)
        expect(fp.bozo_exception).toBe('')
        expect(fp.bozo).toBe(0)
        expect(fp.version).toBe('rss20')
        expect(fp.feed.links).toContainEqual({
          rel: 'self',
          href: `${BASE_URL}/topics/pakistan-afghanistan.rss?since=7d&q=%22transit+trade%22`,
        })
        expect(fp.entries.map((e) => e.id)).toStrictEqual(
          sampleItems.map((i) => `urn:uuid:${i.id}`),
        )
        expect(fp.entries.map((e) => e.title)).toStrictEqual([
          dawn.title,
          urdu.title,
          '<script>alert("x")</script> & ]]> ]]> Türkiye — naïve café',
          'An item without a link or content',
        ])
        expect(fp.entries.map((e) => e.link)).toStrictEqual([
          dawn.url,
          urdu.url,
          'https://example.org/posts/xss?x=%3Cy%3E&z=%22q%22',
          null,
        ])
        expect(fp.entries.map((e) => e.published)).toStrictEqual(
          sampleItems.map((i) => seconds(i.publishedAt)),
        )
        expect(fp.entries[0]?.tags).toStrictEqual([
          { term: 'Border crossings & trade <Torkham>', scheme: `${BASE_URL}/topics`, label: null },
          { term: 'Pakistan–Afghanistan relations', scheme: `${BASE_URL}/topics`, label: null },
        ])
        expect(fp.entries[0]?.author).toBe('Staff Reporter')
        expect(fp.entries[0]?.source).toStrictEqual({
          title: 'Dawn',
          href: 'https://www.dawn.com/feeds/home',
        })
        expect(fp.entries[0]?.content).toStrictEqual([dawn.contentHtml])
        expect(fp.entries[2]?.content).toStrictEqual(['<p>a ]]&gt; b ]]&gt; c &amp; d</p>'])
      })

      it('reads an empty feed and a feed with a next page without error', () => {
        const empty = renderRss(
          buildFeedDocument({ ...sampleInput, nextCursor: 'n1' }, [], sampleContext),
        )
        const fp = feedparse(empty)
        expect(fp.bozo).toBe(0)
        expect(fp.entries).toStrictEqual([])
        expect(fp.feed.links).toContainEqual({
          rel: 'next',
          href: `${BASE_URL}/topics/pakistan-afghanistan.rss?since=7d&q=%22transit+trade%22&cursor=n1`,
        })
      })
    },
  )

  it('puts names in dc:creator, never in <author> (which must be an e-mail address)', () => {
    expect(xml).not.toMatch(/<author>/)
    expect(xml).toContain('<dc:creator>Staff Reporter</dc:creator>')
    expect(xml).toMatch(/<rss [^>]*xmlns:dc="http:\/\/purl.org\/dc\/elements\/1.1\/"/)
  })

  it('declares the dc namespace even when no item has HTML content', () => {
    const doc = buildFeedDocument(sampleInput, [{ ...dawn, contentHtml: undefined }], sampleContext)
    const out = renderRss(doc)
    expect(out).not.toContain('content:encoded')
    expect(out.match(/xmlns:dc=/g)).toHaveLength(1)
  })

  it('writes non-permalink urn:uuid guids, the self link and topic categories', () => {
    expect(xml).toContain(`<guid isPermaLink="false">urn:uuid:${dawn.id}</guid>`)
    expect(xml).toContain(
      '<atom:link href="http://localhost:8080/topics/pakistan-afghanistan.rss?since=7d&amp;q=%22transit+trade%22" rel="self" type="application/rss+xml"/>',
    )
    expect(xml).toContain(
      '<category domain="http://localhost:8080/topics">Border crossings &amp; trade &lt;Torkham&gt;</category>',
    )
    expect(xml).toContain(
      '<source url="https://example.org/feed?a=1&amp;b=2">Tests &amp; &lt;More&gt;</source>',
    )
  })

  it('writes RFC 822 dates', () => {
    expect(xml).toContain('<pubDate>Tue, 01 Jul 2025 08:00:00 GMT</pubDate>')
    expect(xml).toContain('<lastBuildDate>Tue, 01 Jul 2025 10:30:00 GMT</lastBuildDate>')
  })

  it('keeps the first enclosure only (RSS allows one), with length 0 when unknown', () => {
    expect(xml.match(/<enclosure /g)).toHaveLength(3)
    expect(xml).not.toContain('map.png')
    expect(xml).toContain(
      '<enclosure length="0" type="audio/mpeg" url="https://www.bbc.com/urdu/audio/c0001.mp3"/>',
    )
  })

  it('escapes titles as text: no markup from a title reaches the output', () => {
    expect(xml).not.toMatch(/<script/i)
    expect(xml).toContain(
      '<title>&lt;script&gt;alert("x")&lt;/script&gt; &amp; ]]&gt; ]]&gt; Türkiye — naïve café</title>',
    )
    // Every CDATA section is closed exactly where it should be.
    expect(xml.match(/<!\[CDATA\[/g)?.length).toBe(xml.match(/]]>/g)?.length)
  })

  it('escapes a plain-text summary as HTML in <description>', () => {
    expect(xml).toContain(
      '<description><![CDATA[Use &amp;amp; in XML; &lt;b&gt;not bold&lt;/b&gt;.]]></description>',
    )
  })

  it('uses the HTML content as description when there is no summary', () => {
    const out = renderRss(
      buildFeedDocument(sampleInput, [{ ...dawn, summary: undefined }], sampleContext),
    )
    expect(out).toContain(`<description><![CDATA[${dawn.contentHtml}]]></description>`)
    expect(out).not.toContain('content:encoded>')
  })
})
