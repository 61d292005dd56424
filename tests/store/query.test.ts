/** Pure query logic: term matching, cursors, ordering, collapsing and the presorted fast path. */
import { describe, expect, it } from 'vitest'
import { InvalidParamError } from '../../src/model/errors.js'
import type { Item, ItemQuery } from '../../src/model/types.js'
import {
  applyQuery,
  decodeCursor,
  encodeCursor,
  matchesTerms,
  type QueryOptions,
  searchTextOf,
  sortNewestFirst,
} from '../../src/store/query.js'
import { makeItem } from '../helpers/items.js'
import { hoursAfter } from './contract.js'

const q = (extra: Partial<ItemQuery> = {}): ItemQuery => ({ limit: 50, clusters: 'all', ...extra })
const titles = (items: Item[], extra: Partial<ItemQuery> = {}): string[] =>
  applyQuery(items, q(extra)).items.map((i) => i.title)

describe('matchesTerms', () => {
  const text = searchTextOf(
    makeItem({
      title: 'Pakistan–Afghanistan talks at Torkham',
      summary: 'Khawaja Asif met Taliban envoys in پاكستان.',
      contentHtml: '<p>Re<b>open</b>ing the <a href="/x">Durand&nbsp;Line</a> crossing.</p>',
      categories: ['Türkiye'],
    }),
  )
  it.each<[string[], string[], boolean]>([
    [['pakistan'], [], true],
    [['PAKISTAN', 'torkham'], [], true],
    [['pak'], [], false],
    [['afghanistan talks'], [], true],
    [['talks afghanistan'], [], false],
    [['khawaja asif'], [], true],
    [['reopening', 'durand line'], [], true],
    [['turkiye'], [], true],
    [['پاکستان'], [], true],
    [['torkham'], ['taliban'], false],
    [['torkham'], ['cricket'], true],
    [[], ['cricket'], true],
    [['--'], [], true],
    [['torkham'], ['--'], true],
  ])('include %j exclude %j → %s', (include, exclude, expected) => {
    expect(matchesTerms(text, { include, exclude })).toBe(expected)
  })

  it('never matches a phrase across two fields', () => {
    const t = searchTextOf(makeItem({ title: 'Talks in Kabul', summary: 'Torkham reopens' }))
    expect(matchesTerms(t, { include: ['kabul torkham'], exclude: [] })).toBe(false)
    expect(matchesTerms(t, { include: ['kabul', 'torkham'], exclude: [] })).toBe(true)
  })
})

describe('cursors', () => {
  it('round-trips a position', () => {
    const pos = { publishedAt: hoursAfter(3), id: 'abc-1' }
    const c = encodeCursor(pos)
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(decodeCursor(c)).toEqual(pos)
  })

  it.each([
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['wrong shape', Buffer.from('{"p":1}').toString('base64url')],
    ['empty id', Buffer.from(JSON.stringify([hoursAfter(1), ''])).toString('base64url')],
    ['bad date', Buffer.from(JSON.stringify(['soon', 'x'])).toString('base64url')],
    ['empty', ''],
  ])('rejects %s as InvalidParamError(cursor)', (_label, cursor) => {
    const run = () => applyQuery([], q({ cursor }))
    expect(run).toThrow(InvalidParamError)
    expect(run).toThrow(/cursor/)
  })
})

describe('applyQuery', () => {
  it('rejects an unparsable since with InvalidParamError(since)', () => {
    let err: unknown
    try {
      applyQuery([], q({ since: 'yesterday' }))
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(InvalidParamError)
    expect((err as InvalidParamError).param).toBe('since')
  })

  it('treats empty filter lists as no filter and matches lang on subtags', () => {
    const items = [
      makeItem({ title: 'a', language: 'en-GB' }),
      makeItem({ title: 'b', language: 'eng' }),
      makeItem({ title: 'c', language: undefined }),
      makeItem({ title: 'd', language: 'EN_us' }),
    ]
    expect(titles(items, { topics: [], sources: [], notTopics: [] })).toHaveLength(4)
    expect(titles(items, { lang: 'en' }).sort()).toEqual(['a', 'd'])
  })

  it('picks the earliest member as a cluster lead, the smallest id on a tie', () => {
    const items = [
      makeItem({ id: 'b', title: 'b', publishedAt: hoursAfter(1), clusterId: 's' }),
      makeItem({ id: 'a', title: 'a', publishedAt: hoursAfter(1), clusterId: 's' }),
      makeItem({ id: 'c', title: 'c', publishedAt: hoursAfter(0.5), clusterId: 't' }),
      makeItem({ id: 'd', title: 'd', publishedAt: hoursAfter(3), clusterId: 's' }),
    ]
    expect(titles(items, { clusters: 'collapse' })).toEqual(['a', 'c'])
    expect(titles(items, { clusters: 'all' })).toEqual(['d', 'b', 'a', 'c'])
  })

  it('sets nextCursor only when more items follow', () => {
    const items = [0, 1, 2].map((h) => makeItem({ title: `i${h}`, publishedAt: hoursAfter(h) }))
    expect(applyQuery(items, q({ limit: 3 })).nextCursor).toBeUndefined()
    const first = applyQuery(items, q({ limit: 2 }))
    expect(first.items.map((i) => i.title)).toEqual(['i2', 'i1'])
    expect(decodeCursor(first.nextCursor ?? '')).toEqual({
      publishedAt: hoursAfter(1),
      id: items[1]!.id,
    })
    const second = applyQuery(items, q({ limit: 2, cursor: first.nextCursor }))
    expect(second).toEqual({ items: [items[0]] })
  })

  it('orders mixed date spellings by instant, not by string', () => {
    const items = [
      makeItem({ title: 'later', publishedAt: '2024-05-01T10:00:00.500Z' }),
      makeItem({ title: 'earlier', publishedAt: '2024-05-01T10:00:00Z' }),
    ]
    expect(titles(items)).toEqual(['later', 'earlier'])
  })

  // A small deterministic generator: the presorted fast path must give the same pages as a sort.
  const items = Array.from({ length: 60 }, (_, i) =>
    makeItem({
      sourceId: ['dawn', 'geo', 'tolo'][i % 3],
      title: `item ${i} ${i % 4 === 0 ? 'torkham' : 'kabul'}`,
      publishedAt: hoursAfter((i * 7) % 23),
      topics: i % 5 === 0 ? ['a'] : ['b'],
      clusterId: i % 6 === 0 ? 'story' : `c${i}`,
    }),
  )
  const sorted = sortNewestFirst(items)
  const shuffled = [...items].reverse()
  const clusterMembers = (id: string) => items.filter((i) => i.clusterId === id)
  it.each<[string, Partial<ItemQuery>]>([
    ['all', {}],
    ['collapse', { clusters: 'collapse' }],
    ['since', { since: hoursAfter(10) }],
    ['until + q', { until: hoursAfter(15), q: { include: ['torkham'], exclude: [] } }],
    ['topic + collapse', { topics: ['b'], clusters: 'collapse', since: hoursAfter(3) }],
  ])('presorted and unsorted input page identically (%s)', (_label, extra) => {
    const walk = (input: Item[], opts: QueryOptions): string[] => {
      const out: string[] = []
      let cursor: string | undefined
      do {
        const page = applyQuery(input, q({ ...extra, limit: 7, cursor }), searchTextOf, opts)
        out.push(...page.items.map((i) => i.id))
        cursor = page.nextCursor
      } while (cursor)
      return out
    }
    const expected = walk(shuffled, {})
    expect(expected.length).toBeGreaterThan(3)
    expect(new Set(expected).size).toBe(expected.length)
    expect(walk(sorted, { presorted: true })).toEqual(expected)
    expect(walk(sorted, { presorted: true, clusterMembers })).toEqual(expected)
    expect(expected).toEqual(
      applyQuery(shuffled, q({ ...extra, limit: 500 })).items.map((i) => i.id),
    )
    // A store that holds dates as numbers (`timeOf`): its items' text dates are never read.
    const times = new Map(items.map((i) => [i.id, Date.parse(i.publishedAt)]))
    const undated = (list: Item[]) => list.map((i) => ({ ...i, publishedAt: 'not read' }))
    const timeOf = (i: Item) => times.get(i.id)!
    const undatedMembers = (id: string) => undated(clusterMembers(id))
    expect(walk(undated(shuffled), { timeOf })).toEqual(expected)
    expect(
      walk(undated(sorted), { presorted: true, clusterMembers: undatedMembers, timeOf }),
    ).toEqual(expected)
  })
})
