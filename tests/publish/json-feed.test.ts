import { describe, expect, it } from 'vitest'
import type { Item } from '../../src/model/types.js'
import { buildFeedDocument } from '../../src/publish/feed.js'
import { type JsonFeed, renderJsonFeed } from '../../src/publish/json-feed.js'
import { BASE_URL, sampleContext, sampleDocument, sampleInput, sampleItems } from './sample.js'

const text = renderJsonFeed(sampleDocument())
const feed = JSON.parse(text) as JsonFeed
const [dawn, urdu, xss, orphan] = sampleItems as [Item, Item, Item, Item]

describe('renderJsonFeed', () => {
  it('matches the golden file', async () => {
    await expect(text).toMatchFileSnapshot('../fixtures/expected/render-sample.json')
  })

  it('is deterministic', () => {
    expect(renderJsonFeed(sampleDocument())).toBe(text)
  })

  it('writes a JSON Feed 1.1 top level with absolute URLs', () => {
    expect(feed.version).toBe('https://jsonfeed.org/version/1.1')
    expect(feed.title).toBe('Pakistan–Afghanistan relations & <more>')
    expect(feed.home_page_url).toBe(`${BASE_URL}/`)
    expect(feed.feed_url).toBe(
      `${BASE_URL}/topics/pakistan-afghanistan.json?since=7d&q=%22transit+trade%22`,
    )
    expect(feed).not.toHaveProperty('next_url')
    expect(feed).not.toHaveProperty('author')
  })

  it('writes every field of a full item', () => {
    expect(feed.items[0]).toStrictEqual({
      id: `urn:uuid:${dawn.id}`,
      url: dawn.url,
      title: dawn.title,
      content_html: dawn.contentHtml,
      summary: dawn.summary,
      date_published: '2025-07-01T08:00:00.000Z',
      date_modified: '2025-07-01T10:30:00.000Z',
      tags: ['Border crossings & trade <Torkham>', 'Pakistan–Afghanistan relations'],
      authors: [{ name: 'Staff Reporter' }],
      attachments: [
        {
          url: 'https://images.dawn.com/torkham.jpg',
          mime_type: 'image/jpeg',
          size_in_bytes: 48213,
        },
        { url: 'https://images.dawn.com/map.png', mime_type: 'image/png' },
      ],
      language: 'en',
      _topicwire: {
        source: { id: 'dawn', title: 'Dawn', url: 'https://www.dawn.com/feeds/home' },
        topics: ['border-trade', 'pakistan-afghanistan'],
      },
    })
  })

  it('keeps titles as plain text, exactly', () => {
    expect(feed.items.map((i) => i.title)).toStrictEqual([
      dawn.title,
      urdu.title,
      xss.title,
      'An item without a link or content',
    ])
  })

  it('gives content_text when there is no HTML (one of the two is required)', () => {
    const last = feed.items[3]
    expect(last?.content_text).toBe(orphan.summary)
    expect(last).not.toHaveProperty('content_html')
    expect(last).not.toHaveProperty('url')
    expect(last).not.toHaveProperty('authors')
    expect(last).not.toHaveProperty('attachments')
    expect(last?._topicwire.source.url).toBe(`${BASE_URL}/sources/removed-source.rss`)
  })

  it('defaults an attachment mime_type and omits unknown sizes', () => {
    expect(feed.items[2]?.attachments).toStrictEqual([
      { url: 'https://example.org/v.mp4', mime_type: 'video/mp4', size_in_bytes: 1000 },
      { url: 'https://example.org/file.bin', mime_type: 'application/octet-stream' },
    ])
  })

  it('omits tags for an item without topics', () => {
    expect(feed.items[2]).not.toHaveProperty('tags')
    expect(feed.items[2]?._topicwire.topics).toStrictEqual([])
  })

  it('writes next_url and language when the document has them', () => {
    const doc = buildFeedDocument({ ...sampleInput, nextCursor: 'n1' }, [urdu], sampleContext)
    const out = JSON.parse(renderJsonFeed(doc)) as JsonFeed
    expect(out.next_url).toBe(
      `${BASE_URL}/topics/pakistan-afghanistan.json?since=7d&q=%22transit+trade%22&cursor=n1`,
    )
    expect(out.language).toBe('ur')
  })
})
