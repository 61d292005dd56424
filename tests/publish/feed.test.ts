import Parser from 'rss-parser'
import { describe, expect, it } from 'vitest'
import type { Item } from '../../src/model/types.js'
import { renderAtom } from '../../src/publish/atom.js'
import { stripInvalidXmlChars } from '../../src/publish/escape.js'
import { buildFeedDocument, EPOCH_ISO, FEED_CONTENT_TYPES } from '../../src/publish/feed.js'
import { renderJsonFeed } from '../../src/publish/json-feed.js'
import { renderRss } from '../../src/publish/rss.js'
import { BASE_URL, sampleContext, sampleDocument, sampleInput, sampleItems } from './sample.js'

const [dawn, urdu, xss, orphan] = sampleItems as [Item, Item, Item, Item]

const deepFreeze = <T>(value: T): T => {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

describe('buildFeedDocument', () => {
  const doc = sampleDocument()

  it('makes absolute self links for every format, keeping the query', () => {
    expect(doc.selfUrls).toStrictEqual({
      rss: `${BASE_URL}/topics/pakistan-afghanistan.rss?since=7d&q=%22transit+trade%22`,
      atom: `${BASE_URL}/topics/pakistan-afghanistan.atom?since=7d&q=%22transit+trade%22`,
      json: `${BASE_URL}/topics/pakistan-afghanistan.json?since=7d&q=%22transit+trade%22`,
    })
    expect(doc.homeUrl).toBe(`${BASE_URL}/`)
    expect(doc.categoryScheme).toBe(`${BASE_URL}/topics`)
  })

  it('tolerates a trailing slash in baseUrl and a missing query', () => {
    const d = buildFeedDocument({ ...sampleInput, query: undefined }, [], {
      ...sampleContext,
      baseUrl: `${BASE_URL}/`,
    })
    expect(d.selfUrls.rss).toBe(`${BASE_URL}/topics/pakistan-afghanistan.rss`)
  })

  it("dates the feed by its newest item's updated ?? published date, not by now", () => {
    expect(doc.updated).toBe('2025-07-01T10:30:00.000Z')
    expect(buildFeedDocument(sampleInput, [urdu, orphan], sampleContext).updated).toBe(
      '2025-06-30T21:15:00.000Z',
    )
    expect(buildFeedDocument(sampleInput, [], sampleContext).updated).toBe(EPOCH_ISO)
    const checked = { ...sampleInput, emptyUpdated: '2026-11-20T12:00:00.000Z' }
    expect(buildFeedDocument(checked, [], sampleContext).updated).toBe('2026-11-20T12:00:00.000Z')
    // Items date the feed themselves; the empty-feed date is only a fallback.
    expect(buildFeedDocument(checked, [urdu, orphan], sampleContext).updated).toBe(
      '2025-06-30T21:15:00.000Z',
    )
  })

  it('gives each item a urn:uuid id from its stored id', () => {
    expect(doc.items.map((i) => i.id)).toStrictEqual(sampleItems.map((i) => `urn:uuid:${i.id}`))
  })

  it('labels topics with their titles, keeping the id as term (unknown id: label = id)', () => {
    expect(doc.items[0]?.categories).toStrictEqual([
      { term: 'border-trade', label: 'Border crossings & trade <Torkham>' },
      { term: 'pakistan-afghanistan', label: 'Pakistan–Afghanistan relations' },
    ])
    const d = buildFeedDocument(sampleInput, [{ ...urdu, topics: ['gone'] }], sampleContext)
    expect(d.items[0]?.categories).toStrictEqual([{ term: 'gone', label: 'gone' }])
  })

  it('names the source; a source no longer configured points at our own feed of it', () => {
    expect(doc.items[0]?.source).toStrictEqual({
      id: 'dawn',
      title: 'Dawn',
      url: 'https://www.dawn.com/feeds/home',
    })
    expect(doc.items[3]?.source).toStrictEqual({
      id: 'removed-source',
      title: 'removed-source',
      url: `${BASE_URL}/sources/removed-source.rss`,
    })
  })

  it('keeps only http(s) enclosures and only valid MIME types', () => {
    expect(doc.items[2]?.enclosures).toStrictEqual([
      { url: 'https://example.org/v.mp4', type: 'video/mp4', length: 1000 },
      { url: 'https://example.org/file.bin' },
    ])
  })

  it('copies the optional fields only when present', () => {
    const [first, , , last] = doc.items
    expect(first).toMatchObject({
      url: 'https://www.dawn.com/news/1001?ref=rss&utm=x',
      author: 'Staff Reporter',
      published: '2025-07-01T08:00:00.000Z',
      updated: '2025-07-01T10:30:00.000Z',
      language: 'en',
    })
    expect(Object.keys(last ?? {}).sort()).toStrictEqual(
      ['categories', 'enclosures', 'id', 'published', 'source', 'summary', 'title'].sort(),
    )
  })

  it('removes characters XML forbids', () => {
    expect(doc.items[3]?.title).toBe('An item without a link or content')
    expect(stripInvalidXmlChars('a\u0000b\u0008c\td\ne\uFFFEf\uD800g😀')).toBe('abc\td\nefg😀')
  })

  it.each<[string, Partial<Item>, string]>([
    ['the summary', { title: '  ', summary: 'A summary' }, 'A summary'],
    ['a long summary, shortened', { title: '', summary: 'x'.repeat(150) }, `${'x'.repeat(99)}…`],
    [
      'the URL',
      { title: '', summary: undefined, url: 'https://a.example/x' },
      'https://a.example/x',
    ],
    ['(untitled)', { title: '', summary: undefined, url: undefined }, '(untitled)'],
  ])('never leaves a title empty: falls back to %s', (_name, patch, title) => {
    const d = buildFeedDocument(sampleInput, [{ ...orphan, ...patch }], sampleContext)
    expect(d.items[0]?.title).toBe(title)
  })

  it('sets the language shared by all items, or the one given', () => {
    expect(doc.language).toBeUndefined()
    expect(buildFeedDocument(sampleInput, [urdu], sampleContext).language).toBe('ur')
    expect(
      buildFeedDocument({ ...sampleInput, language: 'en' }, [urdu], sampleContext).language,
    ).toBe('en')
  })

  it('drops a language that is not a language tag (xml:lang and <language> must be one)', () => {
    const d = buildFeedDocument(
      { ...sampleInput, language: 'Urdu' },
      [{ ...urdu, language: 'Urdu' }],
      sampleContext,
    )
    expect(d.language).toBeUndefined()
    expect(d.items[0]).not.toHaveProperty('language')
  })

  it('falls back for corrupt stored dates instead of failing the whole feed', () => {
    const d = buildFeedDocument(
      sampleInput,
      [{ ...urdu, publishedAt: 'garbage', updatedAt: 'also garbage' }],
      sampleContext,
    )
    expect(d.items[0]?.published).toBe(urdu.fetchedAt)
    expect(d.items[0]).not.toHaveProperty('updated')
  })

  it('builds a next link per format with the cursor added to the query', () => {
    expect(doc.nextUrls).toBeUndefined()
    const d = buildFeedDocument({ ...sampleInput, nextCursor: 'abc/+=' }, [], sampleContext)
    const query = 'since=7d&q=%22transit+trade%22&cursor=abc%2F%2B%3D'
    expect(d.nextUrls).toEqual({
      rss: `${BASE_URL}/topics/pakistan-afghanistan.rss?${query}`,
      atom: `${BASE_URL}/topics/pakistan-afghanistan.atom?${query}`,
      json: `${BASE_URL}/topics/pakistan-afghanistan.json?${query}`,
    })
  })

  it('defaults the description and is pure (frozen inputs, same output twice)', () => {
    const items = deepFreeze(structuredClone(sampleItems))
    const input = { id: 'tag:x,2025:feeds/all', title: 'All', path: '/feeds/all' }
    const a = buildFeedDocument(input, items, sampleContext)
    expect(a.description).toBe('All, collected by topicwire')
    expect(buildFeedDocument(input, items, sampleContext)).toStrictEqual(a)
  })
})

describe('FEED_CONTENT_TYPES', () => {
  it('names each format with charset=utf-8', () => {
    expect(FEED_CONTENT_TYPES).toStrictEqual({
      rss: 'application/rss+xml; charset=utf-8',
      atom: 'application/atom+xml; charset=utf-8',
      json: 'application/feed+json; charset=utf-8',
    })
  })
})

describe('the same item has the same id in all three formats', () => {
  it('RSS guid = Atom id = JSON Feed id = urn:uuid:<item id>', async () => {
    const doc = sampleDocument()
    const parser = new Parser()
    const rss = await parser.parseString(renderRss(doc))
    const atom = await parser.parseString(renderAtom(doc))
    const json = JSON.parse(renderJsonFeed(doc)) as { items: { id: string }[] }
    const expected = [dawn, urdu, xss, orphan].map((i) => `urn:uuid:${i.id}`)
    expect(rss.items.map((i) => i.guid)).toStrictEqual(expected)
    expect(atom.items.map((i) => i.id)).toStrictEqual(expected)
    expect(json.items.map((i) => i.id)).toStrictEqual(expected)
  })
})
