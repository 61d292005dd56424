/** The item index's newest-first view: patched after a few changes, always equal to a full sort. */
import { describe, expect, it } from 'vitest'
import type { Item } from '../../src/model/types.js'
import { createItemIndex } from '../../src/store/item-index.js'
import { sortNewestFirst } from '../../src/store/query.js'
import { makeItem } from '../helpers/items.js'
import { mulberry32 as rng } from '../helpers/random.js'

const at = (minute: number): string =>
  new Date(Date.UTC(2026, 2, 10) + minute * 60_000).toISOString()

/**
 * One round of random changes: 1 to `most` of them, each a new item (40%), a stored one put
 * again (replaced, or stored again after its removal) up to `replaced`, else a removal.
 */
const churn = (o: {
  random: () => number
  ids: string[]
  put: (id: string) => void
  remove: (id: string) => unknown
  round: number
  most: number
  replaced: number
}) => {
  const pick = () => o.ids[Math.floor(o.random() * o.ids.length)]!
  const changes = 1 + Math.floor(o.random() * o.most)
  for (let c = 0; c < changes; c++) {
    const r = o.random()
    if (r < 0.4) {
      const id = `n${o.round}-${c}`
      o.ids.push(id)
      o.put(id)
    } else if (r < o.replaced) {
      o.put(pick())
    } else {
      o.remove(pick())
    }
  }
}

describe('createItemIndex sorted()', () => {
  it('equals a full sort after every batch of puts, replacements and removals (ties by id included)', () => {
    const random = rng(7)
    const index = createItemIndex()
    const ids: string[] = []
    const put = (id: string) =>
      // Few distinct minutes: many items share a publication time, so ties are ordered by id.
      index.put(makeItem({ id, guid: id, publishedAt: at(Math.floor(random() * 40)) }))
    for (let i = 0; i < 300; i++) {
      ids.push(`i${i}`)
      put(`i${i}`)
    }
    expect(index.sorted()).toEqual(sortNewestFirst(index.values()))
    for (let round = 0; round < 60; round++) {
      const before = index.sorted()
      const copy = [...before]
      churn({ random, ids, put, remove: index.remove, round, most: 12, replaced: 0.7 })
      const now = index.sorted()
      expect(now.map((i: Item) => i.id)).toEqual(sortNewestFirst(index.values()).map((i) => i.id))
      expect(now).toHaveLength(index.size)
      // Callers holding the view they were given keep it as it was.
      expect(before).toEqual(copy)
    }
  })

  it('re-sorts whole after more changes than patching pays for', () => {
    const index = createItemIndex()
    for (let i = 0; i < 50; i++)
      index.put(makeItem({ id: `a${i}`, guid: `a${i}`, publishedAt: at(i) }))
    expect(index.sorted()).toHaveLength(50)
    for (let i = 0; i < 500; i++)
      index.put(makeItem({ id: `b${i}`, guid: `b${i}`, publishedAt: at(i % 97) }))
    expect(index.sorted().map((i) => i.id)).toEqual(
      sortNewestFirst(index.values()).map((i) => i.id),
    )
  })
})

describe('createItemIndex sortedByTopic() and sortedBySource()', () => {
  it('equal a full sort of their items after every batch of changes, topics and sources moving too', () => {
    const random = rng(11)
    const index = createItemIndex()
    const ids: string[] = []
    const TOPICS = ['t1', 't2', 't3']
    const SOURCES = ['s1', 's2']
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!
    const put = (id: string) =>
      index.put(
        makeItem({
          id,
          guid: id,
          sourceId: pick(SOURCES),
          // an item may gain, keep or lose each topic from one version to the next
          topics: TOPICS.filter(() => random() < 0.5),
          publishedAt: at(Math.floor(random() * 40)),
        }),
      )
    for (let i = 0; i < 400; i++) {
      ids.push(`i${i}`)
      put(`i${i}`)
    }
    const expected = (keep: (i: Item) => boolean) =>
      sortNewestFirst([...index.values()].filter(keep)).map((i) => i.id)
    for (let round = 0; round < 80; round++) {
      // read every view (so each is cached and the next changes are patched into it)
      const views = [
        ...TOPICS.map((t) => index.sortedByTopic(t)),
        ...SOURCES.map((s) => index.sortedBySource(s)),
      ]
      const copies = views.map((v) => [...v])
      churn({ random, ids, put, remove: index.remove, round, most: 10, replaced: 0.75 })
      for (const t of TOPICS) {
        const now = index.sortedByTopic(t)
        expect(now.map((i) => i.id)).toEqual(expected((i) => i.topics.includes(t)))
      }
      for (const s of SOURCES) {
        expect(index.sortedBySource(s).map((i) => i.id)).toEqual(expected((i) => i.sourceId === s))
      }
      // Callers holding a view they were given keep it as it was.
      views.forEach((v, k) => {
        expect(v).toEqual(copies[k])
      })
    }
  })
})

describe('createItemIndex load()', () => {
  const TOPICS = ['t1', 't2', 't3']
  const SOURCES = ['s1', 's2', 's3']
  /** `n` items with few distinct minutes (ties by id), random sources and topics. */
  const world = (random: () => number, n: number, prefix = 'i'): Item[] =>
    Array.from({ length: n }, (_, i) =>
      makeItem({
        id: `${prefix}${i}`,
        guid: `${prefix}${i}`,
        sourceId: SOURCES[Math.floor(random() * SOURCES.length)]!,
        topics: TOPICS.filter(() => random() < 0.4),
        publishedAt: at(Math.floor(random() * 30)),
      }),
    )
  const ids = (xs: readonly Item[]) => xs.map((i) => i.id)
  /** Every view of `index` equals a full sort of what it holds. */
  const expectViewsSorted = (index: ReturnType<typeof createItemIndex>) => {
    const all = [...index.values()]
    const sortedOf = (keep: (i: Item) => boolean) => ids(sortNewestFirst(all.filter(keep)))
    expect(ids(index.sorted())).toEqual(sortedOf(() => true))
    for (const t of [...TOPICS, 'none']) {
      expect(ids(index.sortedByTopic(t))).toEqual(sortedOf((i) => i.topics.includes(t)))
      expect(index.countByTopic(t)).toBe(all.filter((i) => i.topics.includes(t)).length)
    }
    for (const s of [...SOURCES, 'none']) {
      expect(ids(index.sortedBySource(s))).toEqual(sortedOf((i) => i.sourceId === s))
      expect(index.countBySource(s)).toBe(all.filter((i) => i.sourceId === s).length)
    }
    expect(index.sourceIds().sort()).toEqual([...new Set(all.map((i) => i.sourceId))].sort())
  }

  it("counts each source's items before any source's view is read, and keeps its views right after", () => {
    const random = rng(5)
    const index = createItemIndex()
    const items = world(random, 300)
    for (const it of items) index.put(it)
    for (const it of items.slice(0, 40)) index.remove(it.id)
    const left = items.slice(40)
    for (const s of SOURCES)
      expect(index.countBySource(s)).toBe(left.filter((i) => i.sourceId === s).length)
    // The first view read makes every source's ids; later changes keep them.
    expectViewsSorted(index)
    for (const it of world(random, 50, 'late')) index.put(it)
    for (const it of left.slice(0, 30)) index.remove(it.id)
    expectViewsSorted(index)
    index.clear()
    expect(index.sourceIds()).toEqual([])
    expect(index.countBySource(SOURCES[0]!)).toBe(0)
    for (const it of items.slice(0, 10)) index.put(it)
    expectViewsSorted(index)
  })

  it('makes views equal to a full sort from items given newest first, shuffled, or with repeated ids', () => {
    const random = rng(23)
    const items = world(random, 500)
    const newest = sortNewestFirst(items)
    const shuffled = [...items].sort(() => random() - 0.5)
    // Two versions of one id: the later one in the list is the one stored.
    const again = makeItem({ ...items[3]!, topics: ['t3'], publishedAt: at(99) })
    for (const list of [newest, shuffled, [...newest, again]]) {
      const index = createItemIndex()
      index.put(makeItem({ id: 'gone', guid: 'gone', topics: ['t1'] }))
      index.sortedByTopic('t1')
      index.load(list)
      expect(index.get('gone')).toBeUndefined()
      expect(index.size).toBe(500)
      expectViewsSorted(index)
    }
    const index = createItemIndex()
    index.load([...newest, again])
    expect(index.get(again.id)).toBe(again)
    expect(index.sorted()[0]).toBe(again)
  })

  it('keeps views equal to a full sort through changes after a load, views first read after them included', () => {
    const random = rng(31)
    const index = createItemIndex()
    index.load(sortNewestFirst(world(random, 400)))
    for (let round = 0; round < 30; round++) {
      const extra = world(random, 1 + Math.floor(random() * 6), `r${round}-`)
      for (const it of extra) index.put(it)
      index.remove(`i${Math.floor(random() * 400)}`)
      // Some rounds read the whole view first, so other views are made by filtering it.
      if (round % 2 === 0) index.sorted()
      expectViewsSorted(index)
    }
  })
})

describe('publishedOf / fetchedOf', () => {
  it('read the times of stored and unstored items, a shared date string parsed once for both', () => {
    const index = createItemIndex()
    const a = makeItem({ title: 'a', publishedAt: at(0), fetchedAt: at(90) })
    const shared = at(30)
    const b = makeItem({ title: 'b', publishedAt: shared, fetchedAt: shared })
    index.put(a)
    index.put(b)
    expect(index.publishedOf(a)).toBe(Date.parse(at(0)))
    expect(index.fetchedOf(a)).toBe(Date.parse(at(90)))
    expect(index.fetchedOf(b)).toBe(Date.parse(shared))
    const loose = makeItem({ title: 'c', publishedAt: at(5), fetchedAt: at(6) })
    expect(index.publishedOf(loose)).toBe(Date.parse(at(5)))
    expect(index.fetchedOf(loose)).toBe(Date.parse(at(6)))
  })
})
