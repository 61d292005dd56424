import { describe, expect, it } from 'vitest'
import type { Item } from '../../src/model/types.js'
import { type ClusterStore, createClusterer } from '../../src/stories/clusterer.js'
import { makeItem } from '../helpers/items.js'

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
