/** Stories in the store: lead by source priority (query.ts), members and reasons (memory, lowdb). */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Item, ItemQuery, Store } from '../../src/model/types.js'
import { createLowdbStore } from '../../src/store/lowdb.js'
import { createMemoryStore } from '../../src/store/memory.js'
import {
  applyQuery,
  type QueryOptions,
  searchTextOf,
  sortNewestFirst,
} from '../../src/store/query.js'
import { makeItem } from '../helpers/items.js'
import { hoursAfter } from './contract.js'

const PRIORITY: Record<string, number> = { dawn: 10, tolo: 10, geo: 6 }
const priorityOf = (sourceId: string): number => PRIORITY[sourceId] ?? 0
const q = (extra: Partial<ItemQuery> = {}): ItemQuery => ({
  limit: 50,
  clusters: 'collapse',
  ...extra,
})

/** One story told by three sources (geo first, dawn last) and an unrelated item in between. */
const story = [
  makeItem({
    id: 's-geo',
    sourceId: 'geo',
    title: 'geo copy',
    publishedAt: hoursAfter(1),
    clusterId: 's',
  }),
  makeItem({
    id: 's-bbc',
    sourceId: 'bbc',
    title: 'bbc copy',
    publishedAt: hoursAfter(2),
    clusterId: 's',
  }),
  makeItem({ id: 'other', sourceId: 'bbc', title: 'other', publishedAt: hoursAfter(3) }),
  makeItem({
    id: 's-dawn',
    sourceId: 'dawn',
    title: 'dawn copy',
    publishedAt: hoursAfter(4),
    clusterId: 's',
  }),
]
const members = (id: string) => story.filter((i) => i.clusterId === id)
const ids = (items: readonly Item[]) => items.map((i) => i.id)

describe('applyQuery: the lead of a story', () => {
  it('is the earliest member without priorities', () => {
    expect(ids(applyQuery(story, q()).items)).toEqual(['other', 's-geo'])
  })

  it('is the member of the preferred source with priorities, on every path', () => {
    const sorted = sortNewestFirst(story)
    const paths: [readonly Item[], QueryOptions][] = [
      [story, { priorityOf }],
      [sorted, { presorted: true, priorityOf }],
      [sorted, { presorted: true, clusterMembers: members, priorityOf }],
    ]
    for (const [input, opts] of paths) {
      expect(ids(applyQuery(input, q(), searchTextOf, opts).items)).toEqual(['s-dawn', 'other'])
    }
  })

  it('among equal priorities is the earliest', () => {
    const tie = [
      ...story,
      makeItem({ id: 's-tolo', sourceId: 'tolo', publishedAt: hoursAfter(5), clusterId: 's' }),
    ]
    expect(ids(applyQuery(tie, q(), searchTextOf, { priorityOf }).items)).toEqual([
      's-dawn',
      'other',
    ])
  })

  it('is chosen among the members that match the query', () => {
    const opts = { priorityOf }
    expect(
      ids(applyQuery(story, q({ sources: ['geo', 'bbc'] }), searchTextOf, opts).items),
    ).toEqual(['other', 's-geo'])
  })

  it.each([1, 2, 3])('pages with no story twice and none lost (limit %i)', (limit) => {
    // The lead (dawn) is the newest copy: later pages must not show the older copies.
    const sorted = sortNewestFirst(story)
    for (const [input, opts] of [
      [story, { priorityOf }],
      [sorted, { presorted: true, clusterMembers: members, priorityOf }],
    ] as const) {
      const seen: string[] = []
      let cursor: string | undefined
      do {
        const page = applyQuery(
          input,
          q({ limit, ...(cursor ? { cursor } : {}) }),
          searchTextOf,
          opts,
        )
        seen.push(...ids(page.items))
        cursor = page.nextCursor
      } while (cursor)
      expect(seen).toEqual(['s-dawn', 'other'])
    }
  })
})

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const drivers: [string, (opts: { priorityOf?: (s: string) => number }) => Promise<Store>][] = [
  ['memory', async (opts) => createMemoryStore(opts)],
  [
    'lowdb',
    async (opts) => {
      const dir = mkdtempSync(join(tmpdir(), 'topicwire-story-'))
      dirs.push(dir)
      return createLowdbStore({ path: join(dir, 'db.json'), ...opts })
    },
  ],
]

const save = (store: Store, items: Item[]) =>
  Promise.all(
    [...new Set(items.map((i) => i.sourceId))].map((sourceId) =>
      store.saveIngest({
        sourceId,
        items: items.filter((i) => i.sourceId === sourceId),
        state: { sourceId, failures: 0, nextPollAt: hoursAfter(100) },
      }),
    ),
  )

describe.each(drivers)('%s store: stories', (_name, make) => {
  it('lists the members of a story', async () => {
    const store = await make({})
    await save(store, story)
    expect(ids(await store.clusterMembers!('s')).sort()).toEqual(['s-bbc', 's-dawn', 's-geo'])
    expect(await store.clusterMembers!('none')).toEqual([])
    await store.close()
  })

  it('collapses to the preferred source given priorityOf, reading it at every query', async () => {
    let prefer = 'dawn'
    const store = await make({ priorityOf: (s) => (s === prefer ? 1 : 0) })
    await save(store, story)
    expect(ids((await store.queryItems(q())).items)).toEqual(['s-dawn', 'other'])
    prefer = 'bbc'
    expect(ids((await store.queryItems(q())).items)).toEqual(['other', 's-bbc'])
    await store.close()
  })

  it('stores why an item joined its story, and replaces the reason when the story changes', async () => {
    const store = await make({})
    const reason = { via: 'similar' as const, matchedId: 's-geo', score: 0.5 }
    const bbc = { ...story[1]!, clusterReason: reason }
    await save(store, [story[0]!, bbc])
    expect((await store.getItem('s-bbc'))?.clusterReason).toEqual(reason)
    // Unchanged content, same story: the stored reason stays.
    await save(store, [{ ...story[1]! }])
    expect((await store.getItem('s-bbc'))?.clusterReason).toEqual(reason)
    // Unchanged content, another story: its reason (here none) replaces the old one.
    await save(store, [{ ...story[1]!, clusterId: 'elsewhere' }])
    const moved = await store.getItem('s-bbc')
    expect(moved?.clusterId).toBe('elsewhere')
    expect(moved && 'clusterReason' in moved).toBe(false)
    await store.close()
  })
})
