import { readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  cappedNote,
  futureDatesNote,
  ITEM_CAPS,
  normalizeEntries,
  normalizeFeed,
  SUMMARY_MAX,
} from '../../src/ingest/normalize.js'
import { decodeBody } from '../../src/ingest/parse/decode.js'
import { parseFeed } from '../../src/ingest/parse/parse-feed.js'
import type { ParsedEntry, ParsedFeed } from '../../src/ingest/parse/types.js'
import type { Item, Source } from '../../src/model/types.js'
import { sha256Hex, stableUuid } from '../../src/util/hash.js'

const FEEDS = new URL('../fixtures/feeds/', import.meta.url)
const EXPECTED = new URL('../fixtures/expected/', import.meta.url)
const FETCHED = new Date('2026-03-10T13:00:00.000Z')
const FEED_URL = 'https://feeds.example/news/feed.xml'

const source = (over: Partial<Source> = {}): Source => ({
  id: 'ledger',
  title: 'Ledger',
  url: FEED_URL,
  tags: [],
  priority: 0,
  enabled: true,
  ...over,
})
const feedOf = (entries: Partial<ParsedEntry>[], over: Partial<ParsedFeed> = {}): ParsedFeed => ({
  format: 'rss',
  entries: entries.map((e) => ({ categories: [], enclosures: [], ...e })),
  recovered: [],
  ...over,
})
const one = (entry: Partial<ParsedEntry>, over: Partial<ParsedFeed> = {}, src = source()): Item => {
  const [item] = normalizeEntries(feedOf([entry], over), src, FETCHED, FEED_URL)
  if (!item) throw new Error('no item')
  return item
}

describe('normalizeEntries golden files', () => {
  const names = [
    'pk-daily.rss',
    'kabul-wire.atom',
    'region-digest.rdf',
    'wire-service.json',
    'urdu-service.rss',
    'legacy.atom03',
    'cp1251.rss',
    'duplicate-guids.rss',
    'broken-ampersand.rss',
  ]
  it.each(names)('%s matches tests/fixtures/expected/<name>.items.json', async (name) => {
    const url = `https://feeds.example/${name}`
    const feed = await parseFeed(decodeBody(readFileSync(new URL(name, FEEDS))).text, url)
    const id = name.replace(/\.[^.]+$/, '')
    const items = normalizeEntries(feed, source({ id, title: id, url }), FETCHED, url)
    const golden = new URL(`${name}.items.json`, EXPECTED)
    // UPDATE_GOLDEN=1 rewrites the twins; read the diff before committing them.
    if (process.env.UPDATE_GOLDEN === '1')
      writeFileSync(golden, `${JSON.stringify(items, null, 2)}\n`)
    expect(items).toEqual(JSON.parse(readFileSync(golden, 'utf8')))
  })
})

describe('normalizeEntries identity', () => {
  it('derives the id from the source and the guid, else the canonical URL, else title and date', () => {
    expect(one({ guid: 'g-1', link: 'https://e.org/a' }).id).toBe(stableUuid(['ledger', 'g-1']))
    expect(one({ link: 'https://www.e.org/a/?utm_source=x' }).id).toBe(
      stableUuid(['ledger', 'https://e.org/a']),
    )
    expect(one({ title: 'Talks', published: '2026-03-10T09:00:00+05:00' }).id).toBe(
      stableUuid(['ledger', 'Talks|2026-03-10T04:00:00.000Z']),
    )
  })

  it('keeps ids stable across polls and independent of the fetch time', () => {
    const entry = { title: 'No guid, no link' }
    const a = normalizeEntries(feedOf([entry]), source(), FETCHED, FEED_URL)
    const b = normalizeEntries(
      feedOf([entry]),
      source(),
      new Date('2026-03-11T00:00:00Z'),
      FEED_URL,
    )
    expect(b[0]?.id).toBe(a[0]?.id)
    expect(b[0]?.contentHash).toBe(a[0]?.contentHash)
  })

  it('gives each story its own id when a feed reuses one guid for different links', () => {
    const items = normalizeEntries(
      feedOf([
        { guid: 'home', link: 'https://e.org/a' },
        { guid: 'home', link: 'https://e.org/b' },
        { guid: 'home', link: 'https://e.org/b' },
        { guid: 'own', link: 'https://e.org/c' },
      ]),
      source(),
      FETCHED,
      FEED_URL,
    )
    expect(items.map((i) => i.id)).toEqual([
      stableUuid(['ledger', 'home', 'https://e.org/a']),
      stableUuid(['ledger', 'home', 'https://e.org/b']),
      stableUuid(['ledger', 'home', 'https://e.org/b']),
      stableUuid(['ledger', 'own']),
    ])
  })

  it('sets clusterId to the id, no topics and no updatedAt', () => {
    const item = one({ guid: 'g' })
    expect(item.clusterId).toBe(item.id)
    expect(item.topics).toEqual([])
    expect(item.updatedAt).toBeUndefined()
    expect(item.fetchedAt).toBe('2026-03-10T13:00:00.000Z')
    expect(item.sourceId).toBe('ledger')
  })
})

describe('normalizeEntries URLs', () => {
  it.each([
    [
      'against the feed link',
      { link: '/news/1' },
      { link: 'https://site.example/' },
      'https://site.example/news/1',
    ],
    [
      'against the feed URL without a feed link',
      { link: 'item/1' },
      {},
      'https://feeds.example/news/item/1',
    ],
    [
      'against xml:base first',
      { link: 'x', base: 'https://b.example/dir/' },
      { link: 'https://site.example/' },
      'https://b.example/dir/x',
    ],
    [
      'leaving absolute links alone',
      { link: 'https://other.example/a' },
      { link: 'https://site.example/' },
      'https://other.example/a',
    ],
  ])('resolves item links %s', (_case, entry, feed, expected) => {
    expect(one(entry, feed).url).toBe(expected)
  })

  it('drops links that are not http(s)', () => {
    const item = one({ link: 'javascript:alert(1)', title: 'x' })
    expect(item.url).toBeUndefined()
    expect(item.canonicalUrl).toBeUndefined()
  })

  it('canonicalises the URL for identity', () => {
    expect(one({ link: 'https://www.e.org/a/amp/?utm_medium=rss#top' }).canonicalUrl).toBe(
      'https://e.org/a',
    )
  })

  it('makes enclosure URLs absolute, keeps only http(s), drops repeats', () => {
    const item = one({
      enclosures: [
        { url: '/a.mp3', type: 'audio/mpeg', length: 10 },
        { url: 'https://feeds.example/a.mp3' },
        { url: 'ftp://e.org/b.mp3' },
      ],
    })
    expect(item.enclosures).toEqual([
      { url: 'https://feeds.example/a.mp3', type: 'audio/mpeg', length: 10 },
    ])
  })
})

describe('normalizeEntries text', () => {
  it('decodes entities, strips tags and collapses whitespace in titles', () => {
    expect(one({ title: '  Trade &amp; transit:\n <b>Torkham</b>&nbsp;reopens ' }).title).toBe(
      'Trade & transit: Torkham reopens',
    )
  })

  it('falls back to the first words of the summary, then to (untitled)', () => {
    const long =
      'Delegations from Islamabad and Kabul met for a third round of talks in Istanbul on Tuesday afternoon.'
    const title = one({ summary: long }).title
    expect(title.endsWith('…')).toBe(true)
    expect(title.length).toBeLessThanOrEqual(80)
    expect(long.startsWith(title.slice(0, -1))).toBe(true)
    expect(one({ summary: 'Short note.' }).title).toBe('Short note.')
    expect(one({}).title).toBe('(untitled)')
  })

  it('makes the summary plain text of at most SUMMARY_MAX characters, from content when needed', () => {
    const words = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ')
    const summary = one({ summary: `<p>${words}</p>` }).summary ?? ''
    expect(summary.length).toBeLessThanOrEqual(SUMMARY_MAX)
    expect(summary.endsWith('…')).toBe(true)
    expect(summary).not.toContain('<')
    expect(one({ contentHtml: '<p>Only <em>content</em></p>' }).summary).toBe('Only content')
    expect(one({ title: 'x' }).summary).toBeUndefined()
  })

  it('sanitises content against the item URL and uses a marked-up description as content', () => {
    const item = one({
      link: 'https://e.org/news/1',
      summary: 'Plain text description',
      contentHtml: '<p onclick="x()">See <a href="/more">more</a></p><script>x()</script>',
    })
    expect(item.contentHtml).toBe(
      '<p>See <a href="https://e.org/more" rel="noopener noreferrer">more</a></p>',
    )
    expect(one({ summary: '<p>A <b>marked-up</b> description</p>' }).contentHtml).toBe(
      '<p>A <b>marked-up</b> description</p>',
    )
    expect(one({ summary: 'Plain text only' }).contentHtml).toBeUndefined()
  })

  it('trims and deduplicates categories, case-insensitively keeping the first spelling', () => {
    expect(
      one({ categories: [' Trade ', 'trade', 'Pakistan', '', 'Afghan &amp; border'] }).categories,
    ).toEqual(['Trade', 'Pakistan', 'Afghan & border'])
  })

  it('takes the language from the source, else the feed', () => {
    expect(one({}, { language: 'ur' }).language).toBe('ur')
    expect(one({}, { language: 'ur' }, source({ language: 'en' })).language).toBe('en')
    expect(one({}).language).toBeUndefined()
  })
})

describe('normalizeEntries dates', () => {
  it.each([
    [
      'published',
      { published: 'Tue, 10 Mar 2026 10:00:00 +0500', updated: '2026-03-10T12:00:00Z' },
      '2026-03-10T05:00:00.000Z',
    ],
    ['updated without published', { updated: '2026-03-10T12:00:00Z' }, '2026-03-10T12:00:00.000Z'],
    ['fetchedAt without dates', {}, '2026-03-10T13:00:00.000Z'],
    ['fetchedAt for an unreadable date', { published: 'someday' }, '2026-03-10T13:00:00.000Z'],
    [
      'a date five minutes ahead, kept',
      { published: '2026-03-10T13:05:00Z' },
      '2026-03-10T13:05:00.000Z',
    ],
    [
      'a date an hour ahead, clamped',
      { published: '2026-03-10T14:00:00Z' },
      '2026-03-10T13:00:00.000Z',
    ],
  ])('publishedAt from %s', (_case, entry, expected) => {
    expect(one(entry).publishedAt).toBe(expected)
  })

  it('reads dates without a zone in the source timezone', () => {
    expect(
      one({ published: '2026-03-10 09:00' }, {}, source({ timezone: 'Asia/Kabul' })).publishedAt,
    ).toBe('2026-03-10T04:30:00.000Z')
  })
})

describe('normalizeFeed future dates', () => {
  it('counts the entries whose date was clamped, and only those', () => {
    const feed = feedOf([
      { guid: 'a', published: '2026-03-10T14:00:00Z' },
      { guid: 'b', published: '2031-01-01T00:00:00Z' },
      { guid: 'c', published: '2026-03-10T13:05:00Z' },
      { guid: 'd', updated: '2026-03-11T00:00:00Z' },
      { guid: 'e' },
    ])
    const out = normalizeFeed(feed, source(), FETCHED, FEED_URL)
    expect(out.futureDates).toBe(3)
    expect(out.items.map((i) => i.publishedAt)).toEqual([
      '2026-03-10T13:00:00.000Z',
      '2026-03-10T13:00:00.000Z',
      '2026-03-10T13:05:00.000Z',
      '2026-03-10T13:00:00.000Z',
      '2026-03-10T13:00:00.000Z',
    ])
    expect(normalizeEntries(feed, source(), FETCHED, FEED_URL)).toEqual(out.items)
  })

  it.each([
    [0, undefined],
    [1, '1 future date clamped to the fetch time (more than 10 minutes ahead)'],
    [4, '4 future dates clamped to the fetch time (more than 10 minutes ahead)'],
  ])('notes %i clamped dates as %s', (n, note) => {
    expect(futureDatesNote(n)).toBe(note)
  })
})

describe('normalizeEntries contentHash', () => {
  const base: Partial<ParsedEntry> = {
    guid: 'g',
    link: 'https://e.org/a',
    title: 'T',
    summary: 'S',
    contentHtml: '<p>C</p>',
    categories: ['x'],
    enclosures: [{ url: 'https://e.org/a.mp3' }],
  }
  it.each([
    ['title', { title: 'T2' }],
    ['summary', { summary: 'S2' }],
    ['content', { contentHtml: '<p>C2</p>' }],
    ['url', { link: 'https://e.org/b' }],
    ['categories', { categories: ['y'] }],
    ['enclosures', { enclosures: [{ url: 'https://e.org/b.mp3' }] }],
  ])('changes with the %s', (_field, change) => {
    expect(one({ ...base, ...change }).contentHash).not.toBe(one(base).contentHash)
  })

  it.each([
    ['a cut one-byte summary', 'Torkham talks resume. '.repeat(60), '<p>Caf\u00e9 news</p>'],
    ['a cut summary beyond Latin-1', 'Talks \u201cresume\u201d in Doha. '.repeat(40), '<p>C</p>'],
    ['a short summary', 'Talks resume', '<p>\u0637\u0648\u0631\u062e\u0645 \ud83d\ude00</p>'],
    ['no summary', '', ''],
  ])('is the sha256 of its fields joined, with %s', (_case, summary, contentHtml) => {
    const item = one({ ...base, summary, contentHtml: contentHtml || undefined })
    const fields = [
      item.title,
      item.summary ?? '',
      item.contentHtml ?? '',
      item.url ?? '',
      item.categories.join('\u001e'),
      item.enclosures.map((x) => `${x.url} ${x.type ?? ''} ${x.length ?? ''}`).join('\u001e'),
    ]
    expect(item.contentHash).toBe(sha256Hex(fields.join('\u001f')))
  })

  it('is a sha256 hex digest that ignores the author and dates', () => {
    const hash = one(base).contentHash
    expect(hash).toMatch(/^[0-9a-f]{64}$/)
    expect(one({ ...base, author: 'Someone', published: '2026-03-01T00:00:00Z' }).contentHash).toBe(
      hash,
    )
  })
})

describe('normalizeFeed caps what one item may hold', () => {
  it('cuts a huge title, summary, content, author, categories and enclosures, and counts each', () => {
    const huge = 'Torkham '.repeat(1_200_000) // ~9.6 MB
    const entry: Partial<ParsedEntry> = {
      guid: 'g1',
      title: huge,
      summary: `<p>${huge}</p>`,
      contentHtml: `<div>${'<p>para</p>'.repeat(100_000)}</div>`,
      author: 'A'.repeat(10_000),
      categories: Array.from({ length: 5_000 }, (_, i) => `cat ${i} ${'x'.repeat(i % 400)}`),
      enclosures: Array.from({ length: 500 }, (_, i) => ({ url: `https://cdn.example/${i}.mp3` })),
      link: `https://feeds.example/${'p/'.repeat(5_000)}`,
    }
    const out = normalizeFeed(
      feedOf([entry, { guid: 'g2', title: 'Small' }]),
      source(),
      FETCHED,
      FEED_URL,
    )
    const [item, small] = out.items
    expect(item?.title.length).toBeLessThanOrEqual(ITEM_CAPS.title)
    expect(item?.title.startsWith('Torkham Torkham')).toBe(true)
    expect(item?.summary?.length).toBeLessThanOrEqual(SUMMARY_MAX)
    expect(item?.contentHtml?.length).toBeLessThanOrEqual(ITEM_CAPS.contentHtml)
    expect(item?.contentHtml?.startsWith('<div><p>para</p>')).toBe(true)
    expect(item?.author?.length).toBeLessThanOrEqual(ITEM_CAPS.author)
    expect(item?.categories).toHaveLength(ITEM_CAPS.categories)
    expect(item?.categories.every((c) => c.length <= ITEM_CAPS.category)).toBe(true)
    expect(item?.enclosures).toHaveLength(ITEM_CAPS.enclosures)
    expect(item?.url).toBeUndefined()
    expect(small?.title).toBe('Small')
    expect(out.capped).toEqual({
      title: 1,
      summary: 1,
      content: 1,
      author: 1,
      categories: 1,
      enclosures: 1,
      link: 1,
    })
    expect(cappedNote(out.capped)).toBe(
      'item fields cut to their size caps: title in 1 item, summary in 1 item, content in 1 item, author in 1 item, categories in 1 item, enclosures in 1 item, link in 1 item',
    )
  })

  it('cuts nothing and says nothing for ordinary items', () => {
    const out = normalizeFeed(
      feedOf([
        { guid: 'g', title: 'T'.repeat(ITEM_CAPS.title), summary: 'short', categories: ['a'] },
      ]),
      source(),
      FETCHED,
      FEED_URL,
    )
    expect(out.items[0]?.title).toBe('T'.repeat(ITEM_CAPS.title))
    expect(out.capped).toEqual({})
    expect(cappedNote(out.capped)).toBeUndefined()
  })
})
