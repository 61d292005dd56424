import Parser from 'rss-parser'
import { describe, expect, it } from 'vitest'
import type { Item } from '../../src/model/types.js'
import { alsoReportedHtml, loadStoryMembers } from '../../src/publish/also-reported.js'
import { renderAtom } from '../../src/publish/atom.js'
import { buildFeedDocument } from '../../src/publish/feed.js'
import { type JsonFeed, renderJsonFeed } from '../../src/publish/json-feed.js'
import { renderRss } from '../../src/publish/rss.js'
import { feedparse, feedparserMissing } from './feedparser.js'
import { BASE_URL, sampleContext, sampleInput, sampleItems } from './sample.js'

const FEEDPARSER_MISSING = feedparserMissing()

/** The four sample items as one story, led by Dawn (priority 10). */
const members: Item[] = sampleItems.map((i) => ({ ...i, clusterId: 'story' }))
const [dawn, urdu, xss, orphan] = members as [Item, Item, Item, Item]
const ctx = { ...sampleContext, members: (id: string) => (id === 'story' ? members : []) }
const doc = buildFeedDocument(sampleInput, [dawn], ctx)

/** The others, preferred sources first, then the earliest: orphan (06-28), xss (06-29), urdu (06-30). */
const EXPECTED = [
  {
    source: { id: 'removed-source', title: 'removed-source' },
    title: 'An item without a link or content',
    url: `${BASE_URL}/sources/removed-source.rss`,
  },
  {
    source: { id: 'tests-and-more', title: 'Tests & <More>' },
    title: xss.title,
    url: 'https://example.org/posts/xss?x=%3Cy%3E&z=%22q%22',
  },
  { source: { id: 'bbc-urdu', title: 'BBC اردو' }, title: urdu.title, url: urdu.url! },
]

describe('buildFeedDocument with story members', () => {
  it('lists the other reports, preferred sources first, and appends them to the content', () => {
    const [item] = doc.items
    expect(item?.alsoReportedBy).toEqual(EXPECTED)
    expect(item?.contentHtml).toBe(`${dawn.contentHtml}${alsoReportedHtml(EXPECTED)}`)
    expect(alsoReportedHtml(EXPECTED)).toBe(
      '<p class="topicwire-also-reported">Also reported by: ' +
        `<a href="${BASE_URL}/sources/removed-source.rss" title="An item without a link or content">removed-source</a>, ` +
        '<a href="https://example.org/posts/xss?x=%3Cy%3E&amp;z=%22q%22" title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; ]]&gt; ]]&gt; Türkiye — naïve café">Tests &amp; &lt;More&gt;</a>, ' +
        `<a href="${urdu.url}" title="${urdu.title}">BBC اردو</a></p>`,
    )
  })

  it('puts a summary-only item in a paragraph before the links', () => {
    const [item] = buildFeedDocument(sampleInput, [orphan], ctx).items
    expect(item?.contentHtml).toMatch(
      /^<p>Only a summary here\.<\/p><p class="topicwire-also-reported">/,
    )
  })

  it('changes nothing for a story of one, or without members (clusters=all)', () => {
    const plain = buildFeedDocument(sampleInput, sampleItems, sampleContext)
    expect(
      buildFeedDocument(sampleInput, sampleItems, { ...sampleContext, members: () => [] }),
    ).toEqual(plain)
    expect(plain.items.every((i) => i.alsoReportedBy === undefined)).toBe(true)
  })

  it('leaves out the item itself and other copies from its own source', () => {
    const twin = { ...dawn, id: 'dawn-2', url: 'https://www.dawn.com/news/1002' }
    const [item] = buildFeedDocument(sampleInput, [dawn], {
      ...sampleContext,
      members: () => [...members, twin],
    }).items
    expect(item?.alsoReportedBy?.map((o) => o.source.id)).toEqual([
      'removed-source',
      'tests-and-more',
      'bbc-urdu',
    ])
  })
})

describe('loadStoryMembers', () => {
  it('asks once per story on the page', async () => {
    const asked: string[] = []
    const members = await loadStoryMembers(
      [dawn, urdu, { ...xss, clusterId: 'other' }],
      async (id) => {
        asked.push(id)
        return id === 'story' ? [dawn, urdu] : []
      },
    )
    expect(asked.sort()).toEqual(['other', 'story'])
    expect(members('story')).toEqual([dawn, urdu])
    expect(members('unknown')).toEqual([])
  })
})

describe('"Also reported by" in each format', () => {
  it('RSS: in content:encoded, parsed back by rss-parser', async () => {
    const feed = await new Parser<object, { 'content:encoded'?: string }>().parseString(
      renderRss(doc),
    )
    const content = feed.items[0]?.['content:encoded'] ?? ''
    expect(content).toContain('Also reported by: ')
    expect(content).toContain(`<a href="${urdu.url}" title="${urdu.title}">BBC اردو</a>`)
    expect(content).toContain('href="https://example.org/posts/xss?x=%3Cy%3E&amp;z=%22q%22"')
  })

  it('Atom: in the HTML content and as rel="related" links, parsed back by rss-parser', async () => {
    const xml = renderAtom(doc)
    expect(xml).toContain(
      `<link rel="related" href="${urdu.url}" title="BBC اردو: ${urdu.title}"/>`,
    )
    expect(xml).toContain(
      '<link rel="related" href="https://example.org/posts/xss?x=%3Cy%3E&amp;z=%22q%22" title="Tests &amp; &lt;More&gt;: &lt;script&gt;',
    )
    const feed = await new Parser().parseString(xml)
    expect(feed.items[0]?.content).toContain('Also reported by: ')
  })

  it('JSON Feed: as _topicwire.also_reported_by and in content_html', () => {
    const feed = JSON.parse(renderJsonFeed(doc)) as JsonFeed
    const [item] = feed.items
    expect(item?._topicwire.also_reported_by).toEqual(EXPECTED)
    expect(item?.content_html).toContain('Also reported by: ')
  })

  describe.skipIf(FEEDPARSER_MISSING !== undefined)('with feedparser', () => {
    it.each([
      ['rss20', renderRss],
      ['atom10', renderAtom],
    ] as const)('%s stays well-formed and carries the links', (version, render) => {
      const fp = feedparse(render(doc))
      expect(fp.bozo_exception).toBe('')
      expect(fp.bozo).toBe(0)
      expect(fp.version).toBe(version)
      const html = fp.entries[0]?.content.join('') ?? ''
      expect(html).toContain('Also reported by: ')
      expect(html).toContain(`href="${urdu.url}"`)
    })
  })
})
