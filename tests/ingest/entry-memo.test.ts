import { describe, expect, it } from 'vitest'
import { createEntryMemo, freshEntries } from '../../src/ingest/entry-memo.js'
import type { ParsedFeed } from '../../src/ingest/parse.js'
import { refreshSource } from '../../src/ingest/refresh.js'
import { fakeFetch } from '../helpers/fake-fetch.js'
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

describe('freshEntries', () => {
  it('skips entries the last stored poll saw unchanged, and only those', () => {
    const memo = createEntryMemo()
    const first = freshEntries(feed([entry('a', 'A'), entry('b', 'B')]), source, 'u', memo)
    expect(first.skipped).toBe(0)
    memo.set('dawn', first.keys)
    const second = freshEntries(
      feed([entry('a', 'A'), entry('b', 'B2'), entry('c', 'C')]),
      source,
      'u',
      memo,
    )
    expect(second.entries.map((e) => e.guid)).toEqual(['b', 'c'])
    expect(second.skipped).toBe(1)
  })

  it('processes everything when the source settings or the feed context change', () => {
    const memo = createEntryMemo()
    const first = freshEntries(feed([entry('a', 'A')]), source, 'u', memo)
    memo.set('dawn', first.keys)
    const zoned = { ...source, timezone: 'Asia/Karachi' }
    expect(freshEntries(feed([entry('a', 'A')]), zoned, 'u', memo).skipped).toBe(0)
    expect(freshEntries(feed([entry('a', 'A')]), source, 'moved', memo).skipped).toBe(0)
    expect(
      freshEntries(feed([entry('a', 'A')]), makeSource({ id: 'geo' }), 'u', memo).skipped,
    ).toBe(0)
  })

  it('processes a feed that reuses a guid as a whole', () => {
    const memo = createEntryMemo()
    const reused = feed([entry('a', 'A'), { ...entry('a', 'Other'), link: 'https://t.test/x' }])
    memo.set('dawn', freshEntries(reused, source, 'u', memo).keys)
    expect(freshEntries(reused, source, 'u', memo).skipped).toBe(0)
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
    const deps = {
      ...createTestDeps(testConfig({ sources: [dawn] }), fake),
      entryMemo: createEntryMemo(),
    }
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
