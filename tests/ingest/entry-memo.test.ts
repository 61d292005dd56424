import { describe, expect, it } from 'vitest'
import { clashesWithSkipped, identityOf, parsedEntryKeys } from '../../src/ingest/entry-memo.js'
import type { ParsedFeed } from '../../src/ingest/parse/types.js'
import { refreshSource } from '../../src/ingest/refresh.js'
import { fakeFetch } from '../helpers/fake-fetch.js'
import { makeItem } from '../helpers/items.js'
import { createTestDeps, makeSource, testConfig } from '../helpers/runtime.js'

const feed = (entries: ParsedFeed['entries']): ParsedFeed => ({
  format: 'rss',
  title: 'T',
  link: 'https://t.test/',
  entries,
  recovered: [],
})
const entry = (guid: string, title: string) => ({
  guid,
  title,
  link: `https://t.test/${guid}`,
  categories: [],
  enclosures: [],
})
const source = makeSource({ id: 'dawn' })

describe('parsedEntryKeys', () => {
  it('keys an entry by its fields, so an edit changes only its own key', () => {
    const first = parsedEntryKeys(feed([entry('a', 'A'), entry('b', 'B')]), source, 'u')
    const second = parsedEntryKeys(feed([entry('a', 'A'), entry('b', 'B2')]), source, 'u')
    expect(second[0]).toBe(first[0])
    expect(second[1]).not.toBe(first[1])
  })

  it('changes every key when the source settings or the feed context change', () => {
    const [key] = parsedEntryKeys(feed([entry('a', 'A')]), source, 'u')
    const others = [
      parsedEntryKeys(feed([entry('a', 'A')]), { ...source, timezone: 'Asia/Karachi' }, 'u'),
      parsedEntryKeys(feed([entry('a', 'A')]), { ...source, language: 'ur' }, 'u'),
      parsedEntryKeys(feed([entry('a', 'A')]), source, 'moved'),
      parsedEntryKeys(feed([entry('a', 'A')]), makeSource({ id: 'geo' }), 'u'),
      parsedEntryKeys({ ...feed([entry('a', 'A')]), link: 'https://elsewhere.test/' }, source, 'u'),
    ]
    for (const [other] of others) expect(other).not.toBe(key)
  })
})

describe('clashesWithSkipped', () => {
  const item = (id: string, guid?: string, canonicalUrl?: string) => ({
    ...makeItem({ id }),
    guid,
    canonicalUrl,
  })
  it('finds a new item sharing an id, guid or canonical URL with a skipped entry', () => {
    const skipped = [identityOf(item('1', 'g1', 'https://t.test/1')), identityOf(item('2'))]
    expect(clashesWithSkipped([item('3', 'g3', 'https://t.test/3')], skipped)).toBe(false)
    expect(clashesWithSkipped([item('2', 'g3')], skipped)).toBe(true)
    expect(clashesWithSkipped([item('3', 'g1')], skipped)).toBe(true)
    expect(clashesWithSkipped([item('3', undefined, 'https://t.test/1')], skipped)).toBe(true)
  })

  it('counts an identity the memo lacks as a clash, and nothing skipped as none', () => {
    expect(clashesWithSkipped([item('3')], [undefined])).toBe(true)
    expect(clashesWithSkipped([item('3')], [])).toBe(false)
    expect(clashesWithSkipped([], [undefined])).toBe(true)
  })

  it('finds no clash when no entry is new', () => {
    expect(clashesWithSkipped([], [identityOf(item('1', 'g1')), identityOf(item('2'))])).toBe(false)
  })
})

describe('refreshSource with an entry memo', () => {
  const rss = (items: [string, string][]) =>
    `<rss version="2.0"><channel><title>T</title><link>http://feeds.test/</link>${items
      .map(
        ([g, t]) =>
          `<item><guid isPermaLink="false">${g}</guid><title>${t}</title><link>http://feeds.test/${g}</link><pubDate>Thu, 19 Nov 2026 08:00:00 GMT</pubDate></item>`,
      )
      .join('')}</channel></rss>`

  it('counts unchanged entries without reprocessing them, and still sees updates and new items', async () => {
    const fake = fakeFetch()
    const dawn = makeSource({ id: 'dawn', url: 'http://feeds.test/dawn.xml' })
    // The runtime's entry memo (createTestDeps wires it as serve does).
    const deps = createTestDeps(testConfig({ sources: [dawn] }), fake)
    fake.set(dawn.url, {
      body: rss([
        ['a', 'Torkham reopens'],
        ['b', 'Budget'],
      ]),
    })
    expect((await refreshSource(dawn, deps)).summary).toEqual({ new: 2, updated: 0, unchanged: 0 })
    fake.set(dawn.url, {
      body: rss([
        ['a', 'Torkham reopens'],
        ['b', 'Budget (revised)'],
        ['c', 'Talks'],
      ]),
    })
    expect((await refreshSource(dawn, deps)).summary).toEqual({ new: 1, updated: 1, unchanged: 1 })
    expect(await deps.store.countItems()).toBe(3)
    // An item pruned from the store while its feed still lists it is not added back.
    await deps.store.prune({ maxAgeDays: 3650, maxItemsPerSource: 2 }, deps.clock.now())
    expect(await deps.store.countItems()).toBe(2)
    const third = await refreshSource(dawn, deps)
    expect(third.summary).toEqual({ new: 0, updated: 0, unchanged: 3 })
    expect(await deps.store.countItems()).toBe(2)
  })
})
