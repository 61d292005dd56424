import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { dedupeWithinSource, findReusedGuids } from '../../src/ingest/dedupe.js'
import { normalizeEntries } from '../../src/ingest/normalize.js'
import { decodeBody } from '../../src/ingest/parse/decode.js'
import { parseFeed } from '../../src/ingest/parse/parse-feed.js'
import { stableUuid } from '../../src/util/hash.js'
import { makeItem } from '../helpers/items.js'

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
