/** The partitioned store takes an item's word filter from its save (IngestResult.wordFilters) when it was made of the item's search fields, and makes it otherwise. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { GivenWordFilter, Item, ItemQuery } from '../../../src/model/types.js'
import { createPartitionedStore } from '../../../src/store/lowdb/partitioned-store.js'
import { wordFilter, wordsOf } from '../../../src/topics/word-filter.js'
import { makeItem } from '../../helpers/items.js'

const dirs: string[] = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})
const storeDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'topicwire-words-'))
  dirs.push(d)
  return d
}

const state = { sourceId: 'dawn', failures: 0, nextPollAt: '2026-11-20T12:15:00.000Z' }
const search = (include: string[]): ItemQuery => ({
  q: { include, exclude: [] },
  limit: 50,
  clusters: 'all',
})
/** A filter that holds none of the items' words: an item filed with it is never found by `q`. */
const NONE = wordFilter(['nothing-of-this'])

/** Each item id of the store's index files with the words filed for it. */
const filedWords = (dir: string): Map<string, string> => {
  const out = new Map<string, string>()
  for (const name of readdirSync(join(dir, 'db', 'index'))) {
    const c = JSON.parse(readFileSync(join(dir, 'db', 'index', name), 'utf8'))
    c.id.forEach((id: string, k: number) => {
      out.set(id, c.words[k])
    })
  }
  return out
}

const given = (of: Item, filter: string): [string, GivenWordFilter] => [of.id, { of, filter }]

describe('partitioned store, word filters given with a save', () => {
  it('files a given filter made of the item, and makes its own for the others', async () => {
    const dir = storeDir()
    const store = await createPartitionedStore({ path: join(dir, 'db.json') })
    expect(store.keepsWordFilters).toBe(true)
    const used = makeItem({ title: 'Torkham reopens', guid: 'used' })
    const missing = makeItem({ title: 'Torkham trade', guid: 'missing' })
    const stale = makeItem({ title: 'Torkham talks', guid: 'stale' })
    // Copies, as the clusterer hands them on: the same fields, a story of their own.
    const saved = [used, missing, stale].map((i) => ({ ...i, clusterId: i.id }))
    await store.saveIngest({
      sourceId: 'dawn',
      items: saved,
      state,
      wordFilters: new Map([
        given(used, NONE),
        // Made of another title than the one saved: not this item's filter.
        given({ ...stale, title: 'Chaman' }, NONE),
      ]),
    })
    const found = (await store.queryItems(search(['torkham']))).items.map((i) => i.title)
    expect(found.sort()).toEqual(['Torkham talks', 'Torkham trade'])
    await store.flush()
    const filed = filedWords(dir)
    expect(filed.get(used.id)).toBe(NONE)
    expect(filed.get(missing.id)).toBe(wordsOf(missing))
    expect(filed.get(stale.id)).toBe(wordsOf(stale))
    await store.close()
  })

  it("uses no filter given for another item: a stored item's id taken by an update, replays", async () => {
    const dir = storeDir()
    const path = join(dir, 'db.json')
    const store = await createPartitionedStore({ path })
    const first = makeItem({ title: 'Kabul talks', guid: 'a', canonicalUrl: 'https://x.test/a' })
    await store.saveIngest({ sourceId: 'dawn', items: [first], state })
    // The same story under a new id: the store keeps the stored id, with the new text.
    const again = makeItem({
      title: 'Kabul talks resume in Doha',
      guid: 'b',
      canonicalUrl: 'https://x.test/a',
    })
    const other = makeItem({ id: first.id, title: 'Islamabad', guid: 'c' })
    await store.saveIngest({
      sourceId: 'dawn',
      items: [again],
      state,
      // A filter under the stored id, made of another item: not the one now stored there.
      wordFilters: new Map([given(again, NONE), [first.id, { of: other, filter: NONE }]]),
    })
    const [stored] = (await store.queryItems(search(['doha']))).items
    expect(stored?.id).toBe(first.id)
    expect(stored?.title).toBe('Kabul talks resume in Doha')
    await store.close()
    // Reopened (from the journal or the partitions): every filter made again, the same.
    const reopened = await createPartitionedStore({ path })
    expect((await reopened.queryItems(search(['doha']))).items.map((i) => i.id)).toEqual([first.id])
    await reopened.flush()
    expect(filedWords(dir).get(first.id)).toBe(wordsOf(stored as Item))
    await reopened.close()
  })
})
