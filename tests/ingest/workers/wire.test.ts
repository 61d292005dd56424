/**
 * The worker's message (workers/wire.ts): an AnalysedFeed encoded, structured-cloned as postMessage
 * does and decoded is the AnalysedFeed the worker had — the same values, items in the same key
 * order (the store writes them as JSON) — with the object the old message posted as the oracle.
 */
import { deepStrictEqual } from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { serialize } from 'node:v8'
import { describe, expect, it } from 'vitest'
import { feedXml } from '../../../bench/peers.bench.js'
import { parseConfigText } from '../../../src/config/load.js'
import { type AnalysedFeed, analyseFeed } from '../../../src/ingest/analyse.js'
import { cutSummaryOf } from '../../../src/ingest/cut-summary.js'
import { identityOf } from '../../../src/ingest/entry-memo.js'
import { packFeatures } from '../../../src/ingest/workers/packed-features.js'
import { decodeFeed, encodeFeed, type WireFeed } from '../../../src/ingest/workers/wire.js'
import type { Item, Source } from '../../../src/model/types.js'
import { storyFeatures } from '../../../src/stories/features.js'
import { topicTagger } from '../../../src/topics/tag.js'
import { CORPUS_DIR, corpusPresent, filesBelow } from '../../helpers/corpus.js'

const config = parseConfigText(
  `storage: { path: data/db.json }
sources:
  - { id: outlet-0, url: "http://127.0.0.2/0.xml" }
  - { id: outlet-1, url: "http://127.0.0.2/1.xml", language: EN }
topics:
  names: { title: Names, match: Satotora OR Yaritora }
  talks: { title: Talks, match: Doha OR Islamabad OR said }
`,
  'wire.yaml',
)
const tagger = topicTagger(config.topics)
const source = config.sources[0] as Source

/** As the main thread receives it: cloned, the features' buffer transferred. */
const sent = (feed: AnalysedFeed): { wire: WireFeed; back: AnalysedFeed } => {
  const { wire, transfer } = encodeFeed(feed)
  const copy = structuredClone(wire, { transfer })
  return { wire, back: decodeFeed(copy) }
}

/** The old message's copy of `feed` (its objects as they are), what main must keep receiving. */
const oracle = (feed: AnalysedFeed): AnalysedFeed => structuredClone(feed)

const expectSame = (back: AnalysedFeed, feed: AnalysedFeed): void => {
  deepStrictEqual(back, oracle(feed))
  // Key order too: the store writes items as JSON.
  expect(back.items.map((i) => JSON.stringify(i))).toEqual(feed.items.map((i) => JSON.stringify(i)))
  expect([...back.entries]).toEqual([...feed.entries])
}

const analyse = (body: string | Uint8Array, feedUrl: string, extra: Partial<Source> = {}) =>
  analyseFeed(
    {
      body: typeof body === 'string' ? new TextEncoder().encode(body) : body,
      source: { ...source, ...extra },
      feedUrl,
      fetchedAt: '2026-11-20T12:00:00.000Z',
      storyFeatures: true,
      // As the worker analyses: the cut summaries' text kept for the message.
      keepCutSummaries: true,
    },
    tagger,
  )

/** How many items of a wire went whole (the flag F_RAW = 1 on their first int). */
const rawCount = (wire: WireFeed): number => wire.objects.filter((o) => !Array.isArray(o)).length

describe('the analysis worker message', () => {
  it('gives back the peers feeds exactly, in about two thirds of the bytes', async () => {
    let before = 0
    let after = 0
    for (let f = 0; f < 20; f++) {
      const feed = await analyse(feedXml(f), `http://127.0.0.2/${f}.xml`)
      expect(feed.items.length).toBe(50)
      const { wire, back } = sent(feed)
      expectSame(back, feed)
      // Every item in the compact form, its cut summary as one-byte text.
      expect(rawCount(wire)).toBe(0)
      expect(wire.text.some((t) => t.endsWith('\u2026'))).toBe(false)
      expect(wire.entryIds.every((x) => typeof x === 'number')).toBe(true)
      // The old message: the items as they are, the features packed alike.
      const { features, ...rest } = feed
      before += serialize({ ...rest, packed: packFeatures(features ?? []) }).length
      after += serialize(encodeFeed(feed).wire).length
    }
    expect(after / before).toBeLessThan(0.72)
  })

  it('gives back entries seen before, duplicates left out, and items without links', async () => {
    const xml = (guids: string[]) =>
      `<rss version="2.0"><channel><title>t</title><link>https://a.test/</link>${guids
        .map(
          (g, i) =>
            `<item><title>Title ${i} … “wide”</title>${g.startsWith('http') ? `<link>${g}</link>` : ''}<guid isPermaLink="false">${g}</guid><description>${'word '.repeat(200 + i)}</description><category>c${i % 2}</category><category>Z</category><enclosure url="https://a.test/${i}.mp3" type="audio/mpeg" length="${i}"/></item>`,
        )
        .join('')}</channel></rss>`
    const first = await analyse(
      xml(['https://a.test/1', 'https://a.test/2', 'g3', 'https://a.test/1']),
      'https://a.test/feed',
    )
    expect(first.items.length).toBe(3)
    expectSame(sent(first).back, first)
    const next = await analyseFeed(
      {
        body: new TextEncoder().encode(xml(['https://a.test/1', 'https://a.test/5', 'g3', 'g6'])),
        source,
        feedUrl: 'https://a.test/feed',
        fetchedAt: '2026-11-21T12:00:00.000Z',
        previous: first.entries,
        storyFeatures: true,
        keepCutSummaries: true,
      },
      tagger,
    )
    const { wire, back } = sent(next)
    expectSame(back, next)
    expect(wire.entryIds.some((x) => typeof x === 'string')).toBe(true)
  })

  it('sends items it cannot describe exactly as they are', async () => {
    const feed = await analyse(feedXml(3), 'http://127.0.0.2/3.xml')
    const items = feed.items.slice(0, 8)
    const odd: Item[] = [
      { ...(items[0] as Item), clusterId: 'another' },
      { ...(items[1] as Item), updatedAt: '2026-11-21T00:00:00.000Z' },
      { ...(items[2] as Item), sourceId: 'outlet-9' },
      { ...(items[3] as Item), fetchedAt: '2026-11-21T00:00:00.000Z' },
      { ...(items[4] as Item), language: 'de' },
      // Keys in another order.
      Object.assign({ title: '' }, items[5] as Item),
      { ...(items[6] as Item), summary: undefined },
      { ...(items[7] as Item), canonicalUrl: 'https://elsewhere.test/' },
    ]
    const mixed = { ...feed, items: [...odd, ...feed.items.slice(8)] }
    const { features, ...noFeatures } = mixed
    const { wire, back } = sent(noFeatures)
    expectSame(back, noFeatures)
    expect(rawCount(wire)).toBe(7)
    expect(features?.length).toBe(50)
  })

  it("keeps the cut summaries' text only when asked to (the worker, until its message is made)", async () => {
    const kept = await analyse(feedXml(5), 'http://127.0.0.2/5.xml')
    expect(kept.items.every((i) => cutSummaryOf(i) !== undefined)).toBe(true)
    const dropped = await analyseFeed(
      {
        body: new TextEncoder().encode(feedXml(5)),
        source,
        feedUrl: 'http://127.0.0.2/5.xml',
        fetchedAt: '2026-11-20T12:00:00.000Z',
        storyFeatures: true,
      },
      tagger,
    )
    expect(dropped.items.some((i) => cutSummaryOf(i) !== undefined)).toBe(false)
    // Without it the summaries go as they are, and come back the same.
    expectSame(sent(dropped).back, dropped)
  })

  it('passes a field of the feed it does not know as it is', async () => {
    const feed = await analyse(feedXml(4), 'http://127.0.0.2/4.xml')
    const more = { ...feed, perItem: feed.items.map((i) => i.title.length) } as AnalysedFeed
    const { back } = sent(more)
    expect((back as unknown as { perItem: number[] }).perItem).toEqual(
      feed.items.map((i) => i.title.length),
    )
    expectSame(back, more)
  })

  it('gives back random items as a structured clone does', () => {
    // Seeded: the same cases every run.
    let seed = 42
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return seed / 2 ** 32
    }
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T
    const words = ['Torkham', 'said', 'Doha', 'naïve', 'Zürich', '…', '“q”', 'كراچی', '😀', 'a b']
    const text = (n: number) => Array.from({ length: n }, () => pick(words)).join(' ')
    const maybe = <T>(v: T) => (random() < 0.5 ? v : undefined)
    for (let round = 0; round < 200; round++) {
      const n = Math.floor(random() * 6)
      const language = maybe(pick(['en', 'ur']))
      const items: Item[] = []
      const features = []
      for (let i = 0; i < n; i++) {
        const id = `id-${round}-${i}`
        const url = maybe(`https://a.test/${pick(words)}/${i}`)
        const guid = maybe(random() < 0.5 && url ? url : `g-${i}`)
        const summary = maybe(random() < 0.5 ? `${text(5)}\u2026` : text(3))
        const item = {
          id,
          sourceId: 's',
          ...(guid ? { guid } : {}),
          ...(url ? { url, canonicalUrl: random() < 0.7 ? url : `${url}/c` } : {}),
          title: text(2),
          ...(summary ? { summary } : {}),
          ...(random() < 0.5 ? { contentHtml: `<p>${text(4)}</p>` } : {}),
          ...(random() < 0.5 ? { author: pick(words) } : {}),
          ...(language && random() < 0.9 ? { language } : {}),
          categories: Array.from({ length: Math.floor(random() * 3) }, () => pick(words)),
          enclosures: random() < 0.2 ? [{ url: 'https://a.test/x.mp3', length: 3 }] : [],
          publishedAt: pick(['2026-11-20T00:00:00.000Z', '2026-11-19T00:00:00.000Z']),
          fetchedAt: '2026-11-20T12:00:00.000Z',
          contentHash: `h${i}`,
          topics: random() < 0.5 ? [] : ['names', 'talks'].slice(Math.floor(random() * 2)),
          clusterId: random() < 0.95 ? id : 'x',
        } as Item
        items.push(item)
        features.push(storyFeatures(item.title, item.summary ?? ''))
      }
      const entries = new Map(
        items.map((item, i) => [`k${i}`, random() < 0.8 ? identityOf(item) : `other ${i}`]),
      )
      const feed: AnalysedFeed = {
        items,
        ...(random() < 0.7 ? { features } : {}),
        entries,
        skipped: n,
        ...(random() < 0.3 ? { ttlMinutes: 60 } : {}),
        recovered: random() < 0.3 ? ['a note'] : [],
      }
      expectSame(sent(feed).back, feed)
    }
  })

  describe.skipIf(!corpusPresent())('on the feed corpus', () => {
    it('gives back every corpus feed that analyses', async () => {
      let feeds = 0
      for (const file of filesBelow(`${CORPUS_DIR}/feeds`)) {
        const url = `https://corpus.test/${relative(CORPUS_DIR, file)}`
        let feed: AnalysedFeed
        try {
          feed = await analyse(readFileSync(file), url, { language: undefined })
        } catch {
          continue
        }
        if (feed.items.length > 0) feeds++
        expectSame(sent(feed).back, feed)
      }
      expect(feeds).toBeGreaterThan(100)
    })
  })
})
