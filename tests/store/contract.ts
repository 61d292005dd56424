/** The one Store contract suite, run against every driver (memory, lowdb, postgres). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InvalidParamError } from '../../src/model/errors.js'
import type { Item, ItemQuery, SourceState, Store } from '../../src/model/types.js'
import { makeItem } from '../helpers/items.js'

/** ISO time `h` hours after 2024-05-01T00:00Z. */
export const hoursAfter = (h: number): string =>
  new Date(Date.UTC(2024, 4, 1) + h * 3_600_000).toISOString()

const state = (sourceId: string, extra: Partial<SourceState> = {}): SourceState => ({
  sourceId,
  failures: 0,
  nextPollAt: hoursAfter(100),
  ...extra,
})

/** Saves items (all of one source) with a plain state. */
const save = (store: Store, items: Item[], sourceId = items[0]?.sourceId ?? 'dawn') =>
  store.saveIngest({ sourceId, items, state: state(sourceId) })

const query = (extra: Partial<ItemQuery> = {}): ItemQuery => ({
  limit: 50,
  clusters: 'all',
  ...extra,
})

const titles = async (store: Store, q: Partial<ItemQuery>): Promise<string[]> =>
  (await store.queryItems(query(q))).items.map((i) => i.title)

/** Pages through `q` and returns every title seen, in order. */
const allPages = async (store: Store, q: Partial<ItemQuery>, between?: () => Promise<void>) => {
  const seen: string[] = []
  let cursor: string | undefined
  for (let n = 0; n < 50; n++) {
    const page = await store.queryItems(query({ ...q, ...(cursor ? { cursor } : {}) }))
    seen.push(...page.items.map((i) => i.title))
    if (!page.nextCursor) return seen
    cursor = page.nextCursor
    if (n === 0 && between) await between()
  }
  throw new Error('pagination did not end')
}

/** Runs the Store contract against `makeStore` (a fresh, empty store per test). */
export const describeStore = (name: string, makeStore: () => Promise<Store>): void => {
  describe(`Store contract: ${name}`, () => {
    let store: Store
    beforeEach(async () => {
      store = await makeStore()
    })
    afterEach(async () => {
      await store.close()
    })

    describe('saveIngest', () => {
      it('inserts new items, stores them whole and the state with an item count', async () => {
        const a = makeItem({ title: 'A', categories: ['Politics'], topics: ['t1'] })
        const b = makeItem({ title: 'B', enclosures: [{ url: 'https://x.org/a.mp3', length: 3 }] })
        expect(await save(store, [a, b])).toEqual({ new: 2, updated: 0, unchanged: 0 })
        expect(await store.getItem(a.id)).toEqual(a)
        expect(await store.getItem(b.id)).toEqual(b)
        expect(await store.getState('dawn')).toMatchObject({ sourceId: 'dawn', itemCount: 2 })
        expect(await store.countItems()).toBe(2)
      })

      it('counts an identical item as unchanged, without updatedAt or a version bump', async () => {
        const a = makeItem({ title: 'A' })
        await save(store, [a])
        const v = store.version()
        const again = { ...a, fetchedAt: hoursAfter(30) }
        expect(await save(store, [again])).toEqual({ new: 0, updated: 0, unchanged: 1 })
        expect(store.version()).toBe(v)
        expect(await store.getItem(a.id)).toEqual(a)
      })

      it('updates on a new contentHash: keeps id, first fetchedAt and publishedAt', async () => {
        const a = makeItem({ title: 'A', publishedAt: hoursAfter(1), fetchedAt: hoursAfter(2) })
        await save(store, [a])
        const v = store.version()
        // An undated entry gets publishedAt = fetchedAt from normalize: not a real new date.
        const edited = { ...a, title: 'A2', contentHash: 'h2' }
        edited.fetchedAt = edited.publishedAt = hoursAfter(5)
        expect(await save(store, [edited])).toEqual({ new: 0, updated: 1, unchanged: 0 })
        expect(await store.getItem(a.id)).toMatchObject({
          id: a.id,
          title: 'A2',
          publishedAt: hoursAfter(1),
          fetchedAt: hoursAfter(2),
          updatedAt: hoursAfter(5),
        })
        expect(store.version()).toBeGreaterThan(v)
        const redated = {
          ...a,
          contentHash: 'h3',
          publishedAt: hoursAfter(4),
          fetchedAt: hoursAfter(6),
        }
        await save(store, [redated])
        expect(await store.getItem(a.id)).toMatchObject({
          publishedAt: hoursAfter(4),
          updatedAt: hoursAfter(6),
        })
      })

      it('applies new topics and clusterId to an unchanged item and bumps the version', async () => {
        const a = makeItem({ title: 'A' })
        await save(store, [a])
        const v = store.version()
        const retagged = { ...a, topics: ['x', 'y'], clusterId: 'story-1' }
        expect(await save(store, [retagged])).toEqual({ new: 0, updated: 0, unchanged: 1 })
        const got = await store.getItem(a.id)
        expect(got).toMatchObject({ topics: ['x', 'y'], clusterId: 'story-1' })
        expect(got?.updatedAt).toBeUndefined()
        expect(store.version()).toBeGreaterThan(v)
      })

      it('treats a new id with a stored canonical URL of the same source as that item', async () => {
        const a = makeItem({ title: 'A', guid: 'g-1', canonicalUrl: 'https://dawn.com/n/1' })
        await save(store, [a])
        const sameStory = makeItem({
          title: 'A',
          guid: 'g-2',
          canonicalUrl: 'https://dawn.com/n/1',
        })
        expect(sameStory.id).not.toBe(a.id)
        expect(await save(store, [sameStory])).toEqual({ new: 0, updated: 0, unchanged: 1 })
        const edited = makeItem({
          title: 'A edited',
          guid: 'g-3',
          canonicalUrl: 'https://dawn.com/n/1',
        })
        expect(await save(store, [edited])).toEqual({ new: 0, updated: 1, unchanged: 0 })
        expect(await store.getItem(edited.id)).toBeUndefined()
        expect(await store.getItem(a.id)).toMatchObject({ title: 'A edited', clusterId: a.id })
        expect(await store.countItems()).toBe(1)
        const other = makeItem({
          sourceId: 'geo',
          title: 'A',
          canonicalUrl: 'https://dawn.com/n/1',
        })
        expect(await save(store, [other])).toMatchObject({ new: 1 })
      })

      it("counts the new and updated items into the saved poll's history record", async () => {
        const polled = (at: number, older: SourceState['history'] = []) =>
          state('dawn', {
            lastFetchAt: hoursAfter(at),
            history: [...older, { at: hoursAfter(at), outcome: 'ok', status: 200 }],
          })
        const a = makeItem({ title: 'A' })
        const b = makeItem({ title: 'B' })
        await store.saveIngest({ sourceId: 'dawn', items: [a, b], state: polled(1) })
        const first = (await store.getState('dawn'))?.history ?? []
        expect(first).toEqual([{ at: hoursAfter(1), outcome: 'ok', status: 200, changed: 2 }])
        const c = makeItem({ title: 'C' })
        const a2 = { ...a, summary: 'rewritten', contentHash: 'other' }
        await store.saveIngest({ sourceId: 'dawn', items: [a2, b, c], state: polled(2, first) })
        expect((await store.getState('dawn'))?.history?.map((r) => r.changed)).toEqual([2, 2])
        // A state without a record of this poll (none at lastFetchAt) keeps its history as given.
        await store.saveIngest({
          sourceId: 'dawn',
          items: [makeItem({ title: 'D' })],
          state: { ...polled(2, first), lastFetchAt: hoursAfter(3) },
        })
        expect((await store.getState('dawn'))?.history?.map((r) => r.changed)).toEqual([
          2,
          undefined,
        ])
      })

      it('keeps stored items safe from later changes to the saved objects', async () => {
        const a = makeItem({ title: 'A', topics: ['t'] })
        await save(store, [a])
        const copy = structuredClone(a)
        a.title = 'mutated'
        a.topics.push('u')
        expect(await store.getItem(a.id)).toEqual(copy)
      })

      it('saveState stores a state alone without a version bump', async () => {
        const v = store.version()
        await store.saveState(state('geo', { failures: 2, lastStatus: 503 }))
        expect(await store.getState('geo')).toMatchObject({ failures: 2, lastStatus: 503 })
        expect((await store.listStates()).map((s) => s.sourceId)).toContain('geo')
        expect(store.version()).toBe(v)
      })
    })

    describe('claimDue', () => {
      const now = new Date(hoursAfter(10))

      it('creates a due state for a source without one', async () => {
        expect(await store.claimDue(now, ['new-one'], 5)).toEqual([
          { sourceId: 'new-one', failures: 0, nextPollAt: now.toISOString() },
        ])
        expect(await store.getState('new-one')).toMatchObject({ nextPollAt: now.toISOString() })
      })

      it('returns due, not-gone states of the given sources, oldest first, at most max', async () => {
        await store.saveState(state('a', { nextPollAt: hoursAfter(9) }))
        await store.saveState(state('b', { nextPollAt: hoursAfter(2) }))
        await store.saveState(state('c', { nextPollAt: hoursAfter(10) }))
        await store.saveState(state('d', { nextPollAt: hoursAfter(11) }))
        await store.saveState(state('e', { nextPollAt: hoursAfter(1), gone: true }))
        await store.saveState(state('f', { nextPollAt: hoursAfter(0) }))
        const ids = async (max: number, from = ['a', 'b', 'c', 'd', 'e']) =>
          (await store.claimDue(now, from, max)).map((s) => s.sourceId)
        expect(await ids(10)).toEqual(['b', 'a', 'c'])
        expect(await ids(2)).toEqual(['b', 'a'])
        expect(await ids(0)).toEqual([])
      })
    })

    describe('reads', () => {
      beforeEach(async () => {
        await save(store, [
          makeItem({
            title: 'old',
            publishedAt: hoursAfter(1),
            fetchedAt: hoursAfter(2),
            topics: ['t1'],
          }),
          makeItem({ title: 'late', publishedAt: hoursAfter(1), fetchedAt: hoursAfter(20) }),
          makeItem({
            title: 'new',
            publishedAt: hoursAfter(12),
            fetchedAt: hoursAfter(12),
            topics: ['t1', 't2'],
          }),
        ])
        await save(store, [
          makeItem({ sourceId: 'geo', title: 'geo', publishedAt: hoursAfter(15), topics: ['t2'] }),
        ])
      })

      it('recentItems: fetched or published since', async () => {
        const got = (await store.recentItems(hoursAfter(10))).map((i) => i.title).sort()
        expect(got).toEqual(['geo', 'late', 'new'])
      })

      it.each([
        [{}, 4],
        [{ sourceId: 'dawn' }, 3],
        [{ topic: 't1' }, 2],
        [{ topic: 't2', sourceId: 'geo' }, 1],
        [{ since: hoursAfter(12) }, 2],
        [{ topic: 'none' }, 0],
      ])('countItems(%o) = %i', async (filter, n) => {
        expect(await store.countItems(filter)).toBe(n)
      })

      it('countItems with stories: each story once, however many of its reports match', async () => {
        const lead = (await store.recentItems(hoursAfter(10))).find((i) => i.title === 'new')
        if (!lead) throw new Error('fixture')
        await save(store, [
          makeItem({
            sourceId: 'geo',
            title: 'new, from geo',
            publishedAt: hoursAfter(13),
            topics: ['t2'],
            clusterId: lead.clusterId,
          }),
        ])
        expect(await store.countItems({ topic: 't2' })).toBe(3)
        expect(await store.countItems({ topic: 't2', stories: true })).toBe(2)
        expect(await store.countItems({ stories: true })).toBe(4)
        expect(await store.countItems({ sourceId: 'geo', stories: true })).toBe(2)
        expect(await store.countItems({ since: hoursAfter(12), stories: true })).toBe(2)
      })
    })

    describe('queryItems', () => {
      beforeEach(async () => {
        await save(store, [
          makeItem({
            title: 'Torkham crossing reopens',
            summary: 'Trucks cross again.',
            publishedAt: hoursAfter(1),
            topics: ['border'],
            language: 'en-GB',
          }),
          makeItem({
            title: 'Kabul talks',
            summary: 'Talks on the Durand Line resumed.',
            publishedAt: hoursAfter(2),
            topics: ['pak-afg', 'talks'],
          }),
          makeItem({
            title: 'Cricket: Pakistan win',
            summary: 'A T20 match.',
            publishedAt: hoursAfter(3),
            topics: ['sport'],
            language: 'ur',
          }),
          makeItem({
            title: 'Türkiye hosts envoys',
            summary: 'Envoys meet.',
            contentHtml: '<p>Islamabad and <b>Kabul</b> sent envoys.</p>',
            publishedAt: hoursAfter(4),
            categories: ['World News'],
          }),
        ])
        await save(store, [
          makeItem({
            sourceId: 'geo',
            title: 'Geo: trade at Torkham',
            summary: 'Traders return.',
            publishedAt: hoursAfter(5),
            topics: ['border'],
            language: 'en',
          }),
        ])
      })

      it('orders newest first, then by id', async () => {
        expect(await titles(store, {})).toEqual([
          'Geo: trade at Torkham',
          'Türkiye hosts envoys',
          'Cricket: Pakistan win',
          'Kabul talks',
          'Torkham crossing reopens',
        ])
        const twins = ['x1', 'x2', 'x3'].map((id) =>
          makeItem({ id, title: id, publishedAt: hoursAfter(9) }),
        )
        await save(store, twins)
        expect((await titles(store, {})).slice(0, 3)).toEqual(['x3', 'x2', 'x1'])
      })

      it.each<[string, Partial<ItemQuery>, string[]]>([
        [
          'topics (any of)',
          { topics: ['talks', 'sport'] },
          ['Cricket: Pakistan win', 'Kabul talks'],
        ],
        ['topics: an item with both, once', { topics: ['pak-afg', 'talks'] }, ['Kabul talks']],
        ['notTopics', { notTopics: ['border', 'sport'] }, ['Türkiye hosts envoys', 'Kabul talks']],
        ['sources', { sources: ['geo'] }, ['Geo: trade at Torkham']],
        [
          'topics and sources',
          { topics: ['border'], sources: ['dawn'] },
          ['Torkham crossing reopens'],
        ],
        [
          'since is inclusive',
          { since: hoursAfter(4) },
          ['Geo: trade at Torkham', 'Türkiye hosts envoys'],
        ],
        ['until is exclusive', { until: hoursAfter(2) }, ['Torkham crossing reopens']],
        [
          'lang prefix',
          { lang: 'en', sources: ['dawn'] },
          ['Türkiye hosts envoys', 'Kabul talks', 'Torkham crossing reopens'],
        ],
        ['lang exact region', { lang: 'en-gb' }, ['Torkham crossing reopens']],
        [
          'q word',
          { q: { include: ['torkham'], exclude: [] } },
          ['Geo: trade at Torkham', 'Torkham crossing reopens'],
        ],
        ['q phrase', { q: { include: ['durand line'], exclude: [] } }, ['Kabul talks']],
        ['q phrase needs order', { q: { include: ['line durand'], exclude: [] } }, []],
        ['q whole words only', { q: { include: ['torkh'], exclude: [] } }, []],
        [
          'q exclusion',
          { q: { include: ['torkham'], exclude: ['geo'] } },
          ['Torkham crossing reopens'],
        ],
        [
          'q exclusion alone',
          { q: { include: [], exclude: ['t20', 'envoys'] }, until: hoursAfter(5) },
          ['Kabul talks', 'Torkham crossing reopens'],
        ],
        [
          'q case and punctuation',
          { q: { include: ['CRICKET PAKISTAN'], exclude: [] } },
          ['Cricket: Pakistan win'],
        ],
        ['q diacritics', { q: { include: ['turkiye'], exclude: [] } }, ['Türkiye hosts envoys']],
        [
          'q content text',
          { q: { include: ['kabul sent'], exclude: ['cricket'] } },
          ['Türkiye hosts envoys'],
        ],
        ['q categories', { q: { include: ['world news'], exclude: [] } }, ['Türkiye hosts envoys']],
        ['q all words', { q: { include: ['kabul', 'talks'], exclude: [] } }, ['Kabul talks']],
      ])('filters: %s', async (_label, q, expected) => {
        expect(await titles(store, q)).toEqual(expected)
      })

      it('sees changes made after an earlier query of the same topic or source', async () => {
        expect(await titles(store, { topics: ['border'] })).toHaveLength(2)
        expect(await titles(store, { sources: ['geo'] })).toHaveLength(1)
        const later = makeItem({
          sourceId: 'geo',
          title: 'later',
          publishedAt: hoursAfter(6),
          topics: ['border'],
        })
        await save(store, [later])
        expect(await titles(store, { topics: ['border'] })).toEqual([
          'later',
          'Geo: trade at Torkham',
          'Torkham crossing reopens',
        ])
        expect(await titles(store, { sources: ['geo'] })).toEqual([
          'later',
          'Geo: trade at Torkham',
        ])
        await store.retag((i) => (i.sourceId === 'geo' ? ['border'] : []))
        expect(await titles(store, { topics: ['border'] })).toEqual([
          'later',
          'Geo: trade at Torkham',
        ])
      })

      it('collapses a cluster to its earliest matching item; all keeps every copy', async () => {
        const story = 'story-1'
        await save(store, [
          makeItem({
            sourceId: 'bbc',
            title: 'BBC copy',
            publishedAt: hoursAfter(6),
            clusterId: story,
          }),
        ])
        await save(store, [
          makeItem({
            sourceId: 'geo',
            title: 'Geo copy',
            publishedAt: hoursAfter(7),
            clusterId: story,
            topics: ['x'],
          }),
        ])
        await save(store, [
          makeItem({
            sourceId: 'tolo',
            title: 'Tolo copy',
            publishedAt: hoursAfter(8),
            clusterId: story,
            topics: ['x'],
          }),
        ])
        const copies = ['Tolo copy', 'Geo copy', 'BBC copy']
        expect((await titles(store, { clusters: 'all' })).slice(0, 3)).toEqual(copies)
        expect((await titles(store, { clusters: 'collapse' })).slice(0, 2)).toEqual([
          'BBC copy',
          'Geo: trade at Torkham',
        ])
        expect(await titles(store, { clusters: 'collapse', topics: ['x'] })).toEqual(['Geo copy'])
        // The BBC copy leaves the story (re-clustered): the Geo copy now leads it.
        const bbc = (await store.queryItems(query({ sources: ['bbc'] }))).items[0]!
        await save(store, [{ ...bbc, clusterId: bbc.id }])
        expect((await titles(store, { clusters: 'collapse' })).slice(0, 3)).toEqual([
          'Geo copy',
          'BBC copy',
          'Geo: trade at Torkham',
        ])
      })

      it('rejects a malformed cursor with InvalidParamError(cursor)', async () => {
        const err = await store
          .queryItems(query({ cursor: 'not a cursor!' }))
          .catch((e: unknown) => e)
        expect(err).toBeInstanceOf(InvalidParamError)
        expect((err as InvalidParamError).param).toBe('cursor')
      })

      it.each(['all', 'collapse'] as const)(
        'pages with no gaps or repeats (%s)',
        async (clusters) => {
          const more = Array.from({ length: 8 }, (_, i) =>
            makeItem({
              sourceId: 'tolo',
              title: `p${i}`,
              publishedAt: hoursAfter(i % 3 === 0 ? 2 : 10 + i),
            }),
          )
          await save(store, more)
          const full = await titles(store, { clusters, limit: 500 })
          expect(await allPages(store, { clusters, limit: 3 })).toEqual(full)
          expect(full).toHaveLength(13)
          const exact = await store.queryItems(query({ clusters, limit: 13 }))
          expect(exact.items).toHaveLength(13)
          expect(exact.nextCursor).toBeUndefined()
        },
      )

      it('keeps pages stable when items arrive between page 1 and page 2', async () => {
        const before = await titles(store, { limit: 500 })
        const seen = await allPages(store, { limit: 2 }, async () => {
          await save(store, [
            makeItem({ sourceId: 'bbc', title: 'brand new', publishedAt: hoursAfter(50) }),
            makeItem({ sourceId: 'bbc', title: 'backdated', publishedAt: hoursAfter(0) }),
          ])
        })
        expect(seen).toEqual([...before, 'backdated'])
      })
    })

    describe('retag, prune and version', () => {
      it('keeps the tagging fingerprint it is given, and forgets it when told', async () => {
        expect(await store.taggedWith?.()).toBeUndefined()
        await store.setTaggedWith?.('rules-1')
        expect(await store.taggedWith?.()).toBe('rules-1')
        await store.setTaggedWith?.('rules-2')
        expect(await store.taggedWith?.()).toBe('rules-2')
        await store.setTaggedWith?.(undefined)
        expect(await store.taggedWith?.()).toBeUndefined()
        // every driver keeps it: one without would re-tag every stored item at every start
        expect(store.taggedWith).toBeTypeOf('function')
      })

      it('retag recomputes topics and returns how many items changed', async () => {
        const a = makeItem({ title: 'Kabul', topics: ['old'] })
        const b = makeItem({ title: 'Lahore', topics: [] })
        await save(store, [a, b])
        const v = store.version()
        const tagger = (i: Item) => (i.title === 'Kabul' ? ['z', 'afg', 'z'] : [])
        expect(await store.retag(tagger)).toBe(1)
        expect((await store.getItem(a.id))?.topics).toEqual(['afg', 'z'])
        expect(await titles(store, { topics: ['afg'] })).toEqual(['Kabul'])
        expect(await titles(store, { topics: ['old'] })).toEqual([])
        expect(store.version()).toBeGreaterThan(v)
        const v2 = store.version()
        expect(await store.retag(tagger)).toBe(0)
        expect(store.version()).toBe(v2)
      })

      it('retag with `only` reads and re-tags those stored items alone (missing ids skipped)', async () => {
        const items = Array.from({ length: 6 }, (_, k) =>
          makeItem({ title: `item ${k}`, topics: ['old'], publishedAt: hoursAfter(k * 30) }),
        )
        await save(store, items)
        const seen: string[] = []
        const tagger = (i: Item) => {
          seen.push(i.id)
          return ['new']
        }
        const only = new Set([items[1]!.id, items[4]!.id, 'no-such-item'])
        expect(await store.retag(tagger, only)).toBe(2)
        expect(new Set(seen)).toEqual(new Set([items[1]!.id, items[4]!.id]))
        expect((await titles(store, { topics: ['new'] })).sort()).toEqual(['item 1', 'item 4'])
        expect(await titles(store, { topics: ['old'] })).toHaveLength(4)
        // the whole item is what the tagger reads, as in a full re-tag
        const whole: Item[] = []
        await store.retag(
          (i) => {
            whole.push(i)
            return i.topics
          },
          new Set([items[2]!.id]),
        )
        expect(whole).toEqual([await store.getItem(items[2]!.id)])
      })

      it('prunes by age, keeping a story whose newest copy is recent', async () => {
        const now = new Date(hoursAfter(24 * 10))
        await save(store, [
          makeItem({ title: 'ancient', publishedAt: hoursAfter(0) }),
          makeItem({ title: 'old lead', publishedAt: hoursAfter(1), clusterId: 's' }),
          makeItem({ title: 'fresh', publishedAt: hoursAfter(24 * 9) }),
        ])
        await save(store, [
          makeItem({
            sourceId: 'geo',
            title: 'fresh copy',
            publishedAt: hoursAfter(24 * 9),
            clusterId: 's',
          }),
        ])
        const v = store.version()
        expect(await store.prune({ maxAgeDays: 5, maxItemsPerSource: 100 }, now)).toBe(1)
        expect((await titles(store, {})).sort()).toEqual(['fresh', 'fresh copy', 'old lead'])
        expect(await store.getState('dawn')).toMatchObject({ itemCount: 2 })
        expect(store.version()).toBeGreaterThan(v)
        const v2 = store.version()
        expect(await store.prune({ maxAgeDays: 5, maxItemsPerSource: 100 }, now)).toBe(0)
        expect(store.version()).toBe(v2)
      })

      it('prunes each source to its newest maxItemsPerSource', async () => {
        await save(
          store,
          Array.from({ length: 5 }, (_, i) =>
            makeItem({ title: `d${i}`, publishedAt: hoursAfter(i) }),
          ),
        )
        await save(store, [makeItem({ sourceId: 'geo', title: 'g0', publishedAt: hoursAfter(0) })])
        const now = new Date(hoursAfter(10))
        expect(await store.prune({ maxAgeDays: 30, maxItemsPerSource: 2 }, now)).toBe(3)
        expect(await titles(store, {})).toEqual(['d4', 'd3', 'g0'])
        expect(await store.getState('dawn')).toMatchObject({ itemCount: 2 })
      })

      it('version grows with new and updated items, not with unchanged ones', async () => {
        const v0 = store.version()
        const a = makeItem({ title: 'A' })
        await save(store, [a])
        const v1 = store.version()
        expect(v1).toBeGreaterThan(v0)
        await save(store, [a])
        expect(store.version()).toBe(v1)
        await save(store, [{ ...a, contentHash: 'changed' }])
        expect(store.version()).toBeGreaterThan(v1)
      })
    })

    describe('verdicts', () => {
      const verdict = (itemId: string, isIn: boolean, topicId = 'pa') => ({
        topicId,
        itemId,
        in: isIn,
        at: hoursAfter(1),
        title: `Item ${itemId}`,
      })

      it('keeps one verdict per topic and item, the latest, listed by topic and item id', async () => {
        expect(await store.saveVerdicts([verdict('b', true), verdict('a', false)])).toBe(2)
        expect(await store.saveVerdicts([verdict('a', false)])).toBe(0)
        expect(await store.saveVerdicts([verdict('a', true), verdict('a', true, 'trade')])).toBe(2)
        expect((await store.listVerdicts('pa')).map((v) => [v.itemId, v.in])).toEqual([
          ['a', true],
          ['b', true],
        ])
        expect((await store.listVerdicts()).map((v) => v.topicId)).toEqual(['pa', 'pa', 'trade'])
      })

      it('numbers verdicts in the order they were stored (seq): a changed one goes last', async () => {
        await store.saveVerdicts([verdict('c', true), verdict('a', false)])
        await store.saveVerdicts([verdict('b', true)])
        await store.saveVerdicts([verdict('c', true)]) // unchanged: keeps its place
        await store.saveVerdicts([verdict('a', true)]) // changed: given again, now last
        const bySeq = (await store.listVerdicts('pa')).sort((x, y) => (x.seq ?? 0) - (y.seq ?? 0))
        expect(bySeq.map((v) => v.itemId)).toEqual(['c', 'b', 'a'])
        expect(new Set(bySeq.map((v) => v.seq)).size).toBe(3)
        expect(bySeq.every((v) => Number.isInteger(v.seq) && (v.seq ?? 0) > 0)).toBe(true)
      })

      it('keeps one learned model per topic, the last saved', async () => {
        if (!store.saveTopicModel || !store.topicModels) return
        const stored = (topicId: string, bias: number) => ({
          topicId,
          basis: 'b1',
          covers: { count: 2, seq: 7, at: hoursAfter(1), itemId: 'x' },
          model: {
            version: 1 as const,
            examples: { in: 1, out: 1 },
            bias,
            weights: { '2023': 0.5, kabul: 1.25, constructor: -0.5 },
          },
        })
        await store.saveTopicModel(stored('pa', 0.1))
        await store.saveTopicModel(stored('trade', 0.2))
        await store.saveTopicModel(stored('pa', 0.3))
        expect(await store.topicModels()).toEqual([stored('pa', 0.3), stored('trade', 0.2)])
      })

      it('does not change what a feed shows (version), and survives items being pruned', async () => {
        const v0 = store.version()
        await store.saveVerdicts([verdict('gone', true)])
        expect(store.version()).toBe(v0)
        await store.prune({ maxAgeDays: 0, maxItemsPerSource: 0 }, new Date(hoursAfter(10_000)))
        expect((await store.listVerdicts('pa')).map((v) => v.title)).toEqual(['Item gone'])
      })
    })
  })
}
