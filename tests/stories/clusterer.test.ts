import { describe, expect, it } from 'vitest'
import { refreshSource } from '../../src/ingest/refresh.js'
import type { Item, Store } from '../../src/model/types.js'
import { createTagger, wirePollDeps } from '../../src/runtime.js'
import { createMemoryStore } from '../../src/store/memory.js'
import {
  CATCH_UP_EVERY_MS,
  CATCH_UP_OVERLAP_MS,
  type ClusterStore,
  createClusterer,
} from '../../src/stories/clusterer.js'
import { silentLogger } from '../../src/util/logger.js'
import { createMetrics } from '../../src/util/metrics.js'
import { fixedClock } from '../helpers/clock.js'
import { fakeFetch } from '../helpers/fake-fetch.js'
import { makeItem } from '../helpers/items.js'
import { makeSource, testConfig } from '../helpers/runtime.js'

describe('createClusterer: canonical URLs', () => {
  // Unrelated texts: only the URL can join them.
  const TEXTS = [
    ['Cricket board names a new selection panel', 'Three former captains join the panel.'],
    ['Gold prices rise for a third day', 'Jewellers in Karachi report brisk sales.'],
    ['Wheat harvest begins early in Punjab', 'Farmers cite a warm spring.'],
    ['Metro line opens to commuters in Lahore', 'The first trains ran on time.'],
  ] as const
  const now = new Date('2026-11-20T12:00:00.000Z')
  const item = (id: string, n: number, over: Partial<Item> = {}) =>
    makeItem({
      id,
      clusterId: id,
      title: TEXTS[n]?.[0],
      summary: TEXTS[n]?.[1],
      publishedAt: '2026-11-20T10:00:00.000Z',
      fetchedAt: '2026-11-20T10:00:00.000Z',
      ...over,
    })
  const storeOf = (stored: Item[]): ClusterStore => ({
    recentItems: async () => stored,
    getItem: async (id) => stored.find((i) => i.id === id),
  })

  it('joins an item to the story of a stored item with the same canonical URL', async () => {
    const stored = item('a', 0, { sourceId: 'dawn', canonicalUrl: 'https://x.test/story' })
    const incoming = item('b', 1, { sourceId: 'wire', canonicalUrl: 'https://x.test/story' })
    const [out] = await createClusterer(storeOf([stored]))([incoming], now)
    expect(out).toMatchObject({ clusterId: 'a', clusterReason: { via: 'url', matchedId: 'a' } })
  })

  it('keeps a stored item in its story even if an earlier copy appears later', async () => {
    const url = 'https://x.test/s'
    const stored = item('b', 0, { canonicalUrl: url, publishedAt: '2026-11-20T10:00:00.000Z' })
    const earlier = item('a', 1, {
      sourceId: 'wire',
      canonicalUrl: url,
      publishedAt: '2026-11-20T09:00:00.000Z',
    })
    const out = await createClusterer(storeOf([stored]))([stored, earlier], now)
    expect(out.map((i) => i.clusterId)).toEqual(['b', 'b'])
  })

  it('clusters copies within one batch and leaves different URLs alone', async () => {
    const one = item('a', 0, { sourceId: 's1', canonicalUrl: 'https://x.test/1' })
    const two = item('b', 1, { sourceId: 's2', canonicalUrl: 'https://x.test/1' })
    const other = item('c', 2, { sourceId: 's2', canonicalUrl: 'https://x.test/2' })
    const noUrl = item('d', 3, { canonicalUrl: undefined, url: undefined })
    const out = await createClusterer(storeOf([]))([one, two, other, noUrl], now)
    expect(out.map((i) => i.clusterId)).toEqual(['a', 'a', 'c', 'd'])
  })
})

describe('createClusterer', () => {
  const T0 = Date.parse('2025-11-02T06:00:00.000Z')
  const now = new Date(T0 + 3_600_000)
  const report = (sourceId: string, title: string, summary: string) =>
    makeItem({
      sourceId,
      title,
      summary,
      publishedAt: new Date(T0).toISOString(),
      fetchedAt: new Date(T0).toISOString(),
    })
  const a = report(
    'dawn',
    'Torkham reopens for trade after three-week closure',
    'The Torkham border crossing reopened for trade on Sunday after three weeks, officials said.',
  )
  const b = report(
    'geo-news',
    'Torkham Border Reopens For Trade After Three Weeks',
    'The Torkham border reopened for trade on Sunday after three weeks, officials said.',
  )

  /** A store stub that counts reads. */
  const stub = (recent: Item[], stored: Item[] = recent) => {
    const calls = { recent: [] as string[], get: [] as string[] }
    const store: ClusterStore = {
      recentItems: async (since) => {
        calls.recent.push(since)
        return recent
      },
      getItem: async (id) => {
        calls.get.push(id)
        return stored.find((i) => i.id === id)
      },
    }
    return { store, calls }
  }

  it('seeds its index once from the window of stored items, even for concurrent first calls', async () => {
    const { store, calls } = stub([{ ...a, clusterId: 'story-a' }])
    const cluster = createClusterer(store)
    const [[out], [again]] = await Promise.all([cluster([b], now), cluster([b], now)])
    expect(calls.recent).toEqual([new Date(now.getTime() - 72 * 3_600_000).toISOString()])
    expect(out).toMatchObject({
      clusterId: 'story-a',
      clusterReason: { via: 'similar', matchedId: a.id },
    })
    expect(again?.clusterId).toBe('story-a')
    expect(cluster.index.size).toBe(2)
  })

  it('asks the store only for ids it does not index, and keeps their stored story', async () => {
    const old = {
      ...b,
      clusterId: 'story-from-before',
      publishedAt: new Date(T0 - 10 * 86_400_000).toISOString(),
    }
    const { store, calls } = stub([a], [a, old])
    const cluster = createClusterer(store)
    const [first, second] = await cluster([a, { ...b, clusterId: b.id }], now)
    expect(first?.clusterId).toBe(a.id)
    expect(second?.clusterId).toBe('story-from-before')
    expect(calls.get).toEqual([b.id])
  })

  it('retries the seed on the next call when the store failed', async () => {
    let fail = true
    const store: ClusterStore = {
      recentItems: async () => {
        if (fail) throw new Error('disk unreadable')
        return [a]
      },
      getItem: async () => undefined,
    }
    const cluster = createClusterer(store)
    await expect(cluster([b], now)).rejects.toThrow('disk unreadable')
    fail = false
    const [out] = await cluster([b], now)
    expect(out?.clusterId).toBe(a.id)
  })
})

describe('createClusterer: catching up with items other processes store', () => {
  const T0 = Date.parse('2025-11-02T06:00:00.000Z')
  const MIN = 60_000
  const report = (sourceId: string, title: string, summary: string, fetched = T0) =>
    makeItem({
      sourceId,
      title,
      summary,
      publishedAt: new Date(T0).toISOString(),
      fetchedAt: new Date(fetched).toISOString(),
    })
  const a = report(
    'dawn',
    'Torkham reopens for trade after three-week closure',
    'The Torkham border crossing reopened for trade on Sunday after three weeks, officials said.',
  )
  const b = report(
    'geo-news',
    'Torkham Border Reopens For Trade After Three Weeks',
    'The Torkham border reopened for trade on Sunday after three weeks, officials said.',
  )
  const unrelated = report('wire', 'Gold prices rise for a third day', 'Jewellers report sales.')

  /** A store whose contents a test changes, as another process would; counts reads. */
  const live = (shared: boolean) => {
    const items: Item[] = []
    const reads: string[] = []
    const store: ClusterStore = {
      shared,
      recentItems: async (since) => {
        reads.push(since)
        return items.filter((i) => i.fetchedAt >= since || i.publishedAt >= since)
      },
      getItem: async (id) => items.find((i) => i.id === id),
    }
    return { store, items, reads }
  }

  it('reads what was stored since its last look (with an overlap) before each batch of a shared store', async () => {
    const { store, items, reads } = live(true)
    const cluster = createClusterer(store)
    const seedAt = new Date(T0 + MIN)
    await cluster([unrelated], seedAt)
    // Another process stores a report fetched before this one's last look.
    items.push({ ...a, clusterId: 'story-a' })
    const later = new Date(seedAt.getTime() + CATCH_UP_EVERY_MS)
    const [out] = await cluster([b], later)
    expect(reads[1]).toBe(new Date(seedAt.getTime() - CATCH_UP_OVERLAP_MS).toISOString())
    expect(out).toMatchObject({ clusterId: 'story-a', clusterReason: { matchedId: a.id } })
    expect(cluster.caughtUp()).toBe(1)
    // Within the interval no read at all; after it, what it holds already is not taken again.
    await cluster([], new Date(later.getTime() + 1_000))
    expect(reads).toHaveLength(2)
    await cluster([], new Date(later.getTime() + CATCH_UP_EVERY_MS))
    expect(reads).toHaveLength(3)
    expect(cluster.caughtUp()).toBe(1)
  })

  it('reads nothing more than its seed from a store only this process writes', async () => {
    const { store, items, reads } = live(false)
    const cluster = createClusterer(store)
    await cluster([unrelated], new Date(T0 + MIN))
    items.push({ ...a, clusterId: 'story-a' })
    const [out] = await cluster([b], new Date(T0 + 10 * MIN))
    expect(reads).toHaveLength(1)
    expect(out?.clusterId).toBe(b.id)
    // Turned on explicitly, the same store is caught up with.
    const caught = live(false)
    const on = createClusterer(caught.store, { catchUp: true })
    await on([unrelated], new Date(T0 + MIN))
    caught.items.push({ ...a, clusterId: 'story-a' })
    const [joined] = await on([b], new Date(T0 + 10 * MIN))
    expect(joined?.clusterId).toBe('story-a')
  })

  it('does not read before the window, however long it was away', async () => {
    const { store, reads } = live(true)
    const cluster = createClusterer(store, { windowMs: 3_600_000 })
    await cluster([], new Date(T0))
    await cluster([], new Date(T0 + 10 * 3_600_000))
    expect(reads[1]).toBe(new Date(T0 + 9 * 3_600_000).toISOString())
  })

  describe('two pollers (wirePollDeps) on one store', () => {
    const rss = (guid: string, title: string, desc: string) => `<?xml version="1.0"?>
<rss version="2.0"><channel><title>T</title><link>http://feeds.test/</link><description>d</description>
<item><guid isPermaLink="false">${guid}</guid><title>${title}</title><link>http://feeds.test/${guid}</link>
<description>${desc}</description><pubDate>Fri, 20 Nov 2026 08:00:00 GMT</pubDate></item></channel></rss>`
    const dawn = makeSource({ id: 'dawn', url: 'http://feeds.test/dawn.xml' })
    const geo = makeSource({ id: 'geo', url: 'http://feeds.test/geo.xml' })
    const gold = makeSource({ id: 'gold', url: 'http://feeds.test/gold.xml' })

    /** Poller B starts (and seeds) first; A stores a report; B then polls another outlet's. */
    const replay = async (shared: boolean) => {
      const config = testConfig({ sources: [dawn, geo, gold] })
      const fake = fakeFetch()
      fake.set(dawn.url, { body: rss('d1', a.title, a.summary ?? '') })
      fake.set(geo.url, { body: rss('g1', b.title, b.summary ?? '') })
      fake.set(gold.url, { body: rss('x1', unrelated.title, unrelated.summary ?? '') })
      const memory = createMemoryStore()
      const store: Store = shared ? Object.assign(Object.create(memory), { shared }) : memory
      const clock = fixedClock()
      const poller = () =>
        wirePollDeps({
          config,
          tagger: createTagger(config),
          store,
          fetch: fake.fetch,
          clock,
          logger: silentLogger,
          metrics: createMetrics(),
          random: () => 0.5,
        })
      const [first, second] = [poller(), poller()]
      await refreshSource(gold, second)
      clock.advance(MIN)
      await refreshSource(dawn, first)
      clock.advance(MIN)
      await refreshSource(geo, second)
      const stories = await store.recentItems('2026-11-01T00:00:00.000Z')
      const of = (sourceId: string) => stories.find((i) => i.sourceId === sourceId)?.clusterId
      return { dawn: of('dawn'), geo: of('geo'), gold: of('gold') }
    }

    it("find each other's stories when the store is shared", async () => {
      const got = await replay(true)
      expect(got.dawn).toBeDefined()
      expect(got.geo).toBe(got.dawn)
      expect(got.gold).not.toBe(got.dawn)
    })

    it('do not, when the store says nothing (the seed alone came before the report)', async () => {
      const got = await replay(false)
      expect(got.dawn).toBeDefined()
      expect(got.geo).not.toBe(got.dawn)
    })
  })
})
