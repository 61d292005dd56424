/** What the worker prepares of each item for the store is what the store computes itself, byte for byte, or is refused. */
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { feedXml } from '../../../bench/peers.bench.js'
import { analyseFeed } from '../../../src/ingest/analyse.js'
import {
  jsonHead,
  type PackedPrepared,
  packPrepared,
  unpackPrepared,
} from '../../../src/ingest/workers/prepared-items.js'
import type { Item, PreparedItem, Source, Topic } from '../../../src/model/types.js'
import { jsonBytes } from '../../../src/store/lowdb/journal.js'
import { wordsOf } from '../../../src/store/lowdb/lean-item.js'
import { preparedJson, preparedWords } from '../../../src/store/lowdb/prepared-json.js'
import { topicTagger } from '../../../src/topics/tag.js'
import { CORPUS_DIR, corpusPresent, filesBelow } from '../../helpers/corpus.js'
import { makeItem } from '../../helpers/items.js'

const source: Source = {
  id: 'src',
  title: 'Source',
  url: 'https://feeds.example/feed.xml',
  tags: ['news'],
  enabled: true,
  priority: 0,
}
const topics: Topic[] = [
  {
    id: 'border',
    title: 'Border',
    match: { any: ['torkham', 'chaman'] },
    in: ['title', 'summary'],
  },
]
const tagger = topicTagger(topics)

/** As the main thread gets it: the items cloned, the buffers transferred. */
const sent = (items: Item[], packed: PackedPrepared): Map<string, PreparedItem> => {
  const moved = structuredClone(
    { items, packed },
    { transfer: [packed.data.buffer as ArrayBuffer, packed.ends.buffer as ArrayBuffer] },
  )
  expect(packed.data.length).toBe(0) // transferred: the worker keeps no copy
  return unpackPrepared(moved.packed, moved.items)
}

/** What the poll's thread does to an item before it is stored: a story given, maybe topics again. */
const clustered = (item: Item, k: number): Item => {
  if (k % 3 === 0) return item
  const { clusterReason: _r, ...rest } = item
  if (k % 3 === 1) return { ...rest, clusterId: `story-${k}` }
  return {
    ...rest,
    topics: ['border', 'x'],
    clusterId: `story-${k}`,
    clusterReason: { via: 'similar', matchedId: 'other', score: 0.81 },
  }
}

/** Checks every item of `items` (as analysed) through the worker's packing and the store's use. */
const checkAll = (items: Item[]): number => {
  const prepared = sent(items, packPrepared(items))
  let k = 0
  for (const { of } of prepared.values()) {
    const item = clustered(of, k++)
    const p = prepared.get(item.id)
    expect(preparedJson(item, p)?.toString('utf8')).toBe(jsonBytes(item).toString('utf8'))
    expect(preparedWords(item, p)).toBe(wordsOf(item))
  }
  return k
}

describe('items prepared in the worker for the store', () => {
  it("gives the bench feeds' items the store's own JSON and words", async () => {
    let n = 0
    for (let f = 0; f < 12; f++) {
      const body = Buffer.from(feedXml(f))
      const { items } = await analyseFeed(
        { body, source, feedUrl: source.url, fetchedAt: '2026-11-20T12:00:00.000Z' },
        tagger,
      )
      n += checkAll(items)
    }
    expect(n).toBe(12 * 50)
  })

  it.skipIf(!corpusPresent())(
    "gives the corpus's items the store's own JSON and words",
    async () => {
      let n = 0
      let files = 0
      for (const file of filesBelow(`${CORPUS_DIR}/feeds`)) {
        const body = readFileSync(file)
        let items: Item[]
        try {
          ;({ items } = await analyseFeed(
            {
              body,
              source,
              feedUrl: `https://corpus.test/${relative(CORPUS_DIR, file)}`,
              fetchedAt: '2026-11-20T12:00:00.000Z',
            },
            tagger,
          ))
        } catch {
          continue // not a feed: nothing to store
        }
        files++
        n += checkAll(items)
      }
      // Not vacuous: over 6,000 items, in many languages, scripts and shapes.
      expect(files).toBeGreaterThan(1500)
      expect(n).toBeGreaterThan(5_000)
    },
    120_000,
  )

  it('writes keys whose value JSON leaves out exactly as JSON does, in the head and after it', () => {
    const base = makeItem({ title: 'Torkham “reopens”', contentHtml: '<p>a\u2028b \\ "q"</p>' })
    const odd = { ...base, canonicalUrl: undefined, author: undefined } as Item
    const noHead = { topics: [], categories: [], title: '', clusterId: 'c' } as unknown as Item
    for (const item of [base, odd, noHead]) {
      const prepared = sent([item], packPrepared([item]))
      const p = [...prepared.values()][0]!
      for (const after of [
        p.of,
        { ...p.of, clusterReason: undefined },
        { ...p.of, topics: undefined, clusterId: undefined } as unknown as Item,
      ]) {
        expect(preparedJson(after, p)?.toString('utf8')).toBe(jsonBytes(after).toString('utf8'))
      }
    }
    expect(jsonHead({ topics: [] } as unknown as Item)).toEqual({ head: '{', keys: 0 })
  })

  it('is refused for an item whose fixed fields are no longer the ones prepared', () => {
    const item = makeItem({ title: 'Torkham reopens', categories: ['trade'] })
    const p = [...sent([item], packPrepared([item])).values()][0]!
    const of = p.of
    // An update (merge-item.ts): new dates, `updatedAt` after the story; an equal but retyped title.
    expect(preparedJson({ ...of, publishedAt: '2026-01-01T00:00:00.000Z' }, p)).toBeUndefined()
    expect(preparedJson({ ...of, updatedAt: of.fetchedAt }, p)?.toString()).toBe(
      jsonBytes({ ...of, updatedAt: of.fetchedAt }).toString(),
    )
    const { id, ...rest } = of
    expect(preparedJson({ ...rest, id } as Item, p)).toBeUndefined() // keys in another order
    expect(preparedJson({ ...of, categories: ['trade'] }, p)).toBeUndefined() // not the same array
    expect(preparedJson(of, undefined)).toBeUndefined()
    // Words read title, summary, content and categories only (a copied list of the same words is fine).
    expect(preparedWords({ ...of, categories: [...of.categories] }, p)).toBe(wordsOf(of))
    expect(preparedWords({ ...of, clusterId: 'other', topics: ['t'] }, p)).toBe(wordsOf(of))
    expect(preparedWords({ ...of, title: 'Chaman reopens' }, p)).toBeUndefined()
    expect(preparedWords({ ...of, categories: ['transit'] }, p)).toBeUndefined()
    expect(preparedWords({ ...of, summary: 'More.' }, p)).toBeUndefined()
  })
})
