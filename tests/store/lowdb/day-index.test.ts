/** The index file of a day partition: written in column pieces, the same text as one whole document, read back. */
import { describe, expect, it } from 'vitest'
import {
  type DayStamp,
  type IndexRow,
  indexParts,
  indexText,
  readIndex,
} from '../../../src/store/lowdb/day-index.js'
import { leanItem } from '../../../src/store/lowdb/lean-item.js'
import { DB_VERSION } from '../../../src/store/lowdb.js'
import { makeItem } from '../../helpers/items.js'

const rows: IndexRow[] = [
  makeItem({ id: 'a', title: 'Torkham "reopens"\n', topics: ['trade', 'border'] }),
  makeItem({
    id: 'b',
    sourceId: 'tolo',
    title: 'Talks in Kabul – é ü',
    clusterId: 'a',
    clusterReason: { kind: 'similar', score: 0.8 } as never,
    fetchedAt: '2024-05-01T11:00:00.000Z',
    updatedAt: '2024-05-01T12:00:00.000Z',
    language: 'en',
  }),
].map((item, k) => ({ item: leanItem(item), words: `w${k}`, off: 40 + k * 900, len: 880 + k }))

/** The format-4 document as one object, keys in the order of the file's layout. */
const whole = (day: string, stamp: DayStamp, rs: readonly IndexRow[]): string =>
  JSON.stringify({
    version: DB_VERSION,
    format: 4,
    day,
    ...stamp,
    n: rs.length,
    off: rs.map((r) => r.off),
    len: rs.map((r) => r.len),
    words: rs.map((r) => r.words),
    id: rs.map((r) => r.item.id),
    source: rs.map((r) => r.item.sourceId),
    title: rs.map((r) => r.item.title),
    canonical: rs.map((r) => r.item.canonicalUrl ?? null),
    language: rs.map((r) => r.item.language ?? null),
    published: rs.map((r) => r.item.publishedAt),
    updated: rs.map((r) => r.item.updatedAt ?? null),
    fetched: rs.map((r) => (r.item.fetchedAt === r.item.publishedAt ? null : r.item.fetchedAt)),
    contentHash: rs.map((r) => r.item.contentHash),
    topics: rs.map((r) => r.item.topics),
    cluster: rs.map((r) => (r.item.clusterId === r.item.id ? null : r.item.clusterId)),
    reason: rs.map((r) => r.item.clusterReason ?? null),
  })

describe('indexParts', () => {
  const stamp: DayStamp = { size: 2000, mtimeMs: 1714557600123.5, gen: 'k3x9', hash: 'abc_-' }

  it('pieces that join into the whole document: after the head, each key then its column', () => {
    const parts = [...indexParts('2024-05-01', stamp, rows)]
    expect(parts.join('')).toBe(whole('2024-05-01', stamp, rows))
    expect(parts).toHaveLength(1 + 2 * 15 + 1)
    expect(parts.slice(5, 7)).toEqual([',"words":', JSON.stringify(rows.map((r) => r.words))])
    expect(indexText('2024-05-01', stamp, rows)).toBe(parts.join(''))
  })

  it('columns cut into pieces of a few characters join into the same document', () => {
    const many: IndexRow[] = Array.from({ length: 23 }, (_, k) => ({
      ...rows[k % 2]!,
      words: `w${'x'.repeat(k)}"\\${k}`,
      off: 40 + k * 900,
    }))
    for (const rs of [many, many.slice(0, 1), []]) {
      for (const piece of [1, 7, 50, 10_000]) {
        const parts = [...indexParts('2024-05-01', stamp, rs, piece)]
        expect(parts.join('')).toBe(whole('2024-05-01', stamp, rs))
        // Every column in one piece exactly when it fits in one.
        if (piece === 10_000) expect(parts).toHaveLength(1 + 2 * 15 + 1)
      }
    }
    const cut = [...indexParts('2024-05-01', stamp, many, 50)]
    expect(cut.length).toBeGreaterThan(1 + 2 * 15 + 1 + 23)
    expect(Math.max(...cut.map((p) => p.length))).toBeLessThan(50 + 2 * 40)
  })

  it('a stamp without a hash, and no rows at all', () => {
    const { hash: _, ...old } = stamp
    expect(indexText('2024-05-01', old, rows)).toBe(whole('2024-05-01', old, rows))
    expect(indexText('2024-05-02', stamp, [])).toBe(whole('2024-05-02', stamp, []))
  })

  it('is read back as the rows it was written from', () => {
    const text = indexText('2024-05-01', stamp, rows)
    const { hash, ...st } = stamp
    const read = readIndex(text, '2024-05-01', st, () => hash as string)
    if (typeof read === 'string') throw new Error(read)
    expect(read.off).toEqual(rows.map((r) => r.off))
    expect(read.len).toEqual(rows.map((r) => r.len))
    expect(read.words).toEqual(rows.map((r) => r.words))
    expect(read.items.map((i) => [i.id, i.title, i.clusterId, i.fetchedAt, i.topics])).toEqual(
      rows.map((r) => [r.item.id, r.item.title, r.item.clusterId, r.item.fetchedAt, r.item.topics]),
    )
  })
})
