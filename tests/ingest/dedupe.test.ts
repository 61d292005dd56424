import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { dedupeWithinSource, findReusedGuids } from '../../src/ingest/dedupe.js'
import { normalizeEntries } from '../../src/ingest/normalize.js'
import { decodeBody } from '../../src/ingest/parse/decode.js'
import { parseFeed } from '../../src/ingest/parse/parse-feed.js'
import type { Item } from '../../src/model/types.js'
import { stableUuid } from '../../src/util/hash.js'
import { makeItem } from '../helpers/items.js'
import { belowOf } from '../helpers/random.js'

const titles = (items: { title: string }[]): string[] => items.map((i) => i.title)

describe('findReusedGuids', () => {
  it('flags a guid shared by different stories, not an exact duplicate', () => {
    expect(
      findReusedGuids([
        { guid: 'home', key: 'https://e.org/a' },
        { guid: 'home', key: 'https://e.org/b' },
        { guid: 'dup', key: 'https://e.org/c' },
        { guid: 'dup', key: 'https://e.org/c' },
        { key: 'https://e.org/d' },
      ]),
    ).toEqual(new Set(['home']))
  })
})

describe('dedupeWithinSource', () => {
  it('keeps the first of items with the same guid', () => {
    const a = makeItem({ title: 'First', guid: 'g-1', url: 'https://e.org/a' })
    const b = makeItem({ title: 'First again', guid: 'g-1', url: 'https://e.org/a', id: a.id })
    const c = makeItem({ title: 'Other', guid: 'g-2' })
    expect(titles(dedupeWithinSource([a, b, c]))).toEqual(['First', 'Other'])
  })

  it('keeps the first of items with the same canonical URL under different guids', () => {
    const a = makeItem({ title: 'Tracked', guid: 'g-1', canonicalUrl: 'https://e.org/a' })
    const b = makeItem({ title: 'Clean', guid: 'g-2', canonicalUrl: 'https://e.org/a' })
    expect(titles(dedupeWithinSource([a, b]))).toEqual(['Tracked'])
  })

  it('keeps every story of a feed that reuses one guid for different links', () => {
    // normalizeEntries gives such items guid+URL ids; the guid alone must not collapse them.
    const items = ['a', 'b', 'c'].map((p) =>
      makeItem({
        title: `Story ${p}`,
        guid: 'https://e.org/',
        url: `https://e.org/${p}`,
        id: stableUuid(['dawn', 'https://e.org/', `https://e.org/${p}`]),
      }),
    )
    expect(titles(dedupeWithinSource(items))).toEqual(['Story a', 'Story b', 'Story c'])
  })

  it('drops items whose ids collide even without guid or URL', () => {
    const a = makeItem({ title: 'Untitled note', guid: undefined, url: undefined })
    const b = makeItem({ title: 'Untitled note', guid: undefined, url: undefined })
    expect(dedupeWithinSource([a, b])).toEqual([a])
  })

  it('is pure and keeps order', () => {
    const items = [makeItem({ title: 'B' }), makeItem({ title: 'A' }), makeItem({ title: 'C' })]
    const copy = structuredClone(items)
    expect(titles(dedupeWithinSource(items))).toEqual(['B', 'A', 'C'])
    expect(items).toEqual(copy)
  })

  it('reduces the duplicate-guids fixture to its four stories', async () => {
    const url = 'https://feeds.example/duplicate-guids.rss'
    const text = decodeBody(
      readFileSync(new URL('../fixtures/feeds/duplicate-guids.rss', import.meta.url)),
    ).text
    const source = { id: 'chaman', title: 'Chaman', url, tags: [], priority: 0, enabled: true }
    const items = normalizeEntries(
      await parseFeed(text, url),
      source,
      new Date('2026-03-10T13:00:00Z'),
      url,
    )
    const kept = dedupeWithinSource(items)
    expect(titles(kept)).toEqual([
      'Chaman traders end sit-in after talks with the district administration',
      'Friendship Gate reopens for pedestrians from Spin Boldak',
      'Levies post near Qila Abdullah comes under attack',
      'Pomegranate season brings long queues at the border',
    ])
    expect(new Set(kept.map((i) => i.id)).size).toBe(4)
  })
})

describe('findReusedGuids and dedupeWithinSource against their first versions', () => {
  /** findReusedGuids as it was: every key of each guid in a set. */
  const reusedBefore = (uses: readonly { guid?: string; key: string }[]): Set<string> => {
    const keys = new Map<string, Set<string>>()
    for (const { guid, key } of uses) {
      if (guid === undefined) continue
      const set = keys.get(guid) ?? new Set<string>()
      set.add(key)
      keys.set(guid, set)
    }
    return new Set([...keys].filter(([, set]) => set.size > 1).map(([guid]) => guid))
  }
  /** dedupeWithinSource as it was: prefixed keys in one set. */
  const dedupeBefore = (items: Item[]): Item[] => {
    const reused = reusedBefore(
      items.map((i) => ({ guid: i.guid, key: i.canonicalUrl ?? `${i.title}|${i.publishedAt}` })),
    )
    const seen = new Set<string>()
    const out: Item[] = []
    for (const item of items) {
      const keys = [`id:${item.id}`]
      if (item.guid !== undefined && !reused.has(item.guid)) keys.push(`guid:${item.guid}`)
      if (item.canonicalUrl !== undefined) keys.push(`url:${item.canonicalUrl}`)
      if (keys.some((k) => seen.has(k))) continue
      for (const k of keys) seen.add(k)
      out.push(item)
    }
    return out
  }

  it('agree on 5,000 random batches drawn from a few ids, guids, URLs and titles', () => {
    const below = belowOf(5)
    // Values shared between kinds too ('x' as an id, a guid and a URL): the kinds stay apart.
    const pool = ['x', 'y', 'z', 'https://e.org/a', 'https://e.org/b']
    const maybe = () => (below(3) === 0 ? undefined : pool[below(pool.length)])
    let dropped = 0
    for (let n = 0; n < 5_000; n++) {
      const items = Array.from({ length: below(8) }, () =>
        makeItem({
          id: pool[below(pool.length)] as string,
          guid: maybe(),
          url: undefined,
          canonicalUrl: maybe(),
          title: pool[below(3)] as string,
        }),
      )
      const uses = items.map((i) => ({ guid: i.guid, key: i.canonicalUrl ?? i.title }))
      expect(findReusedGuids(uses)).toEqual(reusedBefore(uses))
      const out = dedupeWithinSource(items)
      const at = (list: Item[]) => list.map((i) => items.indexOf(i))
      expect(at(out)).toEqual(at(dedupeBefore(items)))
      dropped += items.length - out.length
    }
    expect(dropped).toBeGreaterThan(1_000)
  })
})
