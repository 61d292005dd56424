import { describe, expect, it } from 'vitest'
import { lazyRecentItems, loadRecentItems } from '../../src/ingest/recent.js'
import type { Item, Store } from '../../src/model/types.js'
import { createMemoryStore } from '../../src/store/memory.js'
import { assignClusters } from '../../src/stories/clusterer.js'
import { makeItem } from '../helpers/items.js'

const NOW = new Date('2026-11-20T12:00:00.000Z')
const HOUR = 3_600_000
const iso = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * HOUR).toISOString()
const id = (n: number) => `00000000-0000-5000-8000-${String(n).padStart(12, '0')}`

const item = (n: number, over: Partial<Item> = {}): Item =>
  makeItem({
    id: id(n),
    clusterId: id(n),
    sourceId: 'dawn',
    title: `Story ${n}`,
    canonicalUrl: `https://news.example/${n}`,
    publishedAt: iso(1),
    fetchedAt: iso(1),
    ...over,
  })

const storeWith = async (items: Item[]): Promise<Store> => {
  const store = createMemoryStore()
  for (const i of items) {
    await store.saveIngest({
      sourceId: i.sourceId,
      items: [i],
      state: { sourceId: i.sourceId, failures: 0, nextPollAt: NOW.toISOString() },
    })
  }
  return store
}

describe('loadRecentItems', () => {
  it('holds the items of the last 72 hours, by id and canonical URL', async () => {
    const store = await storeWith([
      item(1),
      item(2, { sourceId: 'tolo', canonicalUrl: 'https://news.example/1', publishedAt: iso(2) }),
      item(3, { publishedAt: iso(100), fetchedAt: iso(100) }),
    ])
    const recent = await loadRecentItems(store, NOW)
    expect(
      recent
        .list()
        .map((i) => i.id)
        .sort(),
    ).toEqual([id(1), id(2)])
    expect(recent.get(id(3))).toBeUndefined()
    const incoming = [item(9, { canonicalUrl: 'https://news.example/1' }), item(4)]
    expect(
      recent
        .candidatesFor(incoming)
        .map((i) => i.id)
        .sort(),
    ).toEqual([id(1), id(2)])
  })

  it('grows with added items, a later version replacing the earlier', async () => {
    const recent = await loadRecentItems(await storeWith([item(1)]), NOW)
    recent.add([item(1, { canonicalUrl: 'https://news.example/moved' }), item(2)])
    expect(recent.list().map((i) => i.id)).toEqual([id(1), id(2)])
    expect(recent.candidatesFor([item(5, { canonicalUrl: 'https://news.example/1' })])).toEqual([])
    expect(recent.candidatesFor([item(5, { canonicalUrl: 'https://news.example/moved' })])).toEqual(
      [recent.get(id(1))],
    )
  })

  it('gives assignClusters the same answer as the whole window', async () => {
    // Stored: stories with shared URLs across sources, some older than others.
    const stored: Item[] = []
    for (let n = 1; n <= 40; n++) {
      stored.push(
        item(n, {
          sourceId: n % 2 ? 'dawn' : 'tolo',
          canonicalUrl: `https://news.example/${n % 7}`,
          publishedAt: iso(n % 5),
          clusterId: id(n % 3 === 0 ? n : (n % 7) + 1),
        }),
      )
    }
    const recent = await loadRecentItems(await storeWith(stored), NOW)
    const incoming = [
      item(3),
      item(100, { canonicalUrl: 'https://news.example/2' }),
      item(101, { canonicalUrl: 'https://news.example/nowhere' }),
      item(102, { canonicalUrl: undefined }),
      item(103, { canonicalUrl: 'https://news.example/2' }),
    ]
    const out = assignClusters(incoming, recent.candidatesFor(incoming))
    expect(out).toEqual(assignClusters(incoming, recent.list()))
    // …and the case is not trivial: some items joined a stored story.
    expect(out.filter((i) => i.clusterId !== i.id).length).toBeGreaterThanOrEqual(3)
  })
})

describe('lazyRecentItems', () => {
  it('reads the store once, on first use, and never when unused', async () => {
    let reads = 0
    const base = await storeWith([item(1)])
    const store: Store = {
      ...base,
      recentItems: (since) => {
        reads++
        return base.recentItems(since)
      },
    }
    const get = lazyRecentItems(store, NOW)
    expect(reads).toBe(0)
    const [a, b] = await Promise.all([get(), get()])
    expect(a).toBe(b)
    expect(reads).toBe(1)
  })
})
