import { describe, expect, it } from 'vitest'
import { countKeys, countOf, createBandTable, dropFrom, pushTo } from '../../src/stories/buckets.js'

describe('createBandTable', () => {
  const a = { id: 'a' }
  const b = { id: 'b' }
  const c = { id: 'c' }
  const seen = (
    t: ReturnType<typeof createBandTable<{ id: string }>>,
    bands: number[],
    upTo = Number.POSITIVE_INFINITY,
  ) => {
    const out: string[] = []
    t.visit(Uint32Array.from(bands), (v) => out.push(v.id) >= upTo)
    return out.sort()
  }

  it('finds the values sharing a band key, per band, and forgets removed ones', () => {
    const t = createBandTable<{ id: string }>(2)
    t.add(Uint32Array.of(1, 2), a)
    t.add(Uint32Array.of(1, 3), b)
    t.add(Uint32Array.of(9, 2), c)
    expect(seen(t, [1, 2])).toEqual(['a', 'a', 'b', 'c'])
    // A key in another band is another bucket.
    expect(seen(t, [2, 1])).toEqual([])
    t.remove(Uint32Array.of(1, 2), a)
    expect(seen(t, [1, 2])).toEqual(['b', 'c'])
    t.remove(Uint32Array.of(1, 3), b)
    t.remove(Uint32Array.of(9, 2), c)
    expect(seen(t, [1, 2])).toEqual([])
  })

  it('ends the visit when the callback says it has seen enough', () => {
    const t = createBandTable<{ id: string }>(2)
    t.add(Uint32Array.of(1, 2), a)
    t.add(Uint32Array.of(1, 2), b)
    t.add(Uint32Array.of(1, 2), c)
    expect(seen(t, [1, 2])).toHaveLength(6)
    // Newest first: the first band's two newest, then nothing more.
    expect(seen(t, [1, 2], 2)).toEqual(['b', 'c'])
  })

  it('treats keys equal in their low 30 bits as one bucket (they are verified later anyway)', () => {
    const t = createBandTable<{ id: string }>(1)
    t.add(Uint32Array.of(0x40000005), a)
    expect(seen(t, [5])).toEqual(['a'])
  })
})

describe('multimap helpers', () => {
  it('push and drop values, deleting empty keys', () => {
    const m = new Map<string, number[]>()
    pushTo(m, 'k', 1)
    pushTo(m, 'k', 2)
    dropFrom(m, 'k', 1)
    expect(m.get('k')).toEqual([2])
    dropFrom(m, 'k', 2)
    expect(m.has('k')).toBe(false)
    dropFrom(m, 'missing', 1)
  })

  it('count keys up and down', () => {
    const m = new Map<number, number>()
    countKeys(m, Uint32Array.of(7, 8), 1)
    countKeys(m, Uint32Array.of(7), 1)
    expect([countOf(m, 7), countOf(m, 8), countOf(m, 9)]).toEqual([2, 1, 0])
    countKeys(m, Uint32Array.of(7, 8), -1)
    expect([countOf(m, 7), countOf(m, 8)]).toEqual([1, 0])
    expect(m.size).toBe(1)
  })
})
