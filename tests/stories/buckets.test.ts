import { describe, expect, it } from 'vitest'
import {
  createBandTable,
  dropFrom,
  dropOne,
  firstAt,
  listAt,
  type OneOrList,
  pushOne,
  pushTo,
} from '../../src/stories/buckets.js'

describe('createBandTable', () => {
  const [a, b, c] = [0, 1, 2]
  const names = ['a', 'b', 'c']
  const seen = (t: ReturnType<typeof createBandTable>, bands: number[], upTo = Infinity) => {
    const out: string[] = []
    t.visit(Uint32Array.from(bands), (v) => out.push(names[v] ?? String(v)) >= upTo)
    return out.sort()
  }

  it('finds the values sharing a band key, per band, and forgets removed ones', () => {
    const t = createBandTable(2)
    t.add(Uint32Array.of(1, 2), a)
    t.add(Uint32Array.of(1, 3), b)
    t.add(Uint32Array.of(9, 2), c)
    expect(seen(t, [1, 2])).toEqual(['a', 'a', 'b', 'c'])
    // A key in another band is another bucket.
    expect(seen(t, [2, 1])).toEqual([])
    t.remove(a)
    expect(seen(t, [1, 2])).toEqual(['b', 'c'])
    t.remove(b)
    t.remove(c)
    expect(seen(t, [1, 2])).toEqual([])
  })

  it('ends the visit when the callback says it has seen enough', () => {
    const t = createBandTable(2)
    t.add(Uint32Array.of(1, 2), a)
    t.add(Uint32Array.of(1, 2), b)
    t.add(Uint32Array.of(1, 2), c)
    expect(seen(t, [1, 2])).toHaveLength(6)
    // Newest first: the first band's two newest, then nothing more.
    expect(seen(t, [1, 2], 2)).toEqual(['b', 'c'])
  })

  it('gathers a whole bucket, newest first, when its buckets are not capped', () => {
    const t = createBandTable(2, Number.POSITIVE_INFINITY)
    for (let slot = 0; slot < 300; slot++) t.add(Uint32Array.of(7, slot), slot)
    const n = t.gather(Uint32Array.of(7, 5))
    const newestFirst = Array.from({ length: 300 }, (_, i) => 299 - i)
    expect([...t.found.subarray(0, n)]).toEqual([...newestFirst, 5])
  })

  it.each([
    [0, 0],
    [1, 1],
    [2.5, 3],
    [300, 300],
    [500, 400],
  ])('gathers the newest %d of each bucket (%d of 400), in band order', (cap, kept) => {
    const t = createBandTable(3, cap)
    // Band 0's bucket and band 2's hold every slot, band 1's the even ones.
    for (let slot = 0; slot < 400; slot++)
      t.add(Uint32Array.of(7, slot % 2 === 0 ? 8 : slot, 9), slot)
    const n = t.gather(Uint32Array.of(7, 8, 9))
    const newest = (step: number) =>
      Array.from({ length: 400 / step }, (_, i) => 399 - (step === 2 ? 1 : 0) - i * step).slice(
        0,
        Math.ceil(cap),
      )
    expect([...t.found.subarray(0, n)]).toEqual([...newest(1), ...newest(2), ...newest(1)])
    expect(n).toBe(kept + Math.min(kept, 200) + kept)
  })

  it('treats keys equal in their low 30 bits as one bucket (they are verified later anyway)', () => {
    const t = createBandTable(1)
    t.add(Uint32Array.of(0x40000005), a)
    expect(seen(t, [5])).toEqual(['a'])
  })

  it.each([20, 1])(
    'tells apart the many keys of a large band, whose cells share tag bits by chance (references of %i bits at least)',
    (bits) => {
      const t = createBandTable(1, undefined, bits)
      const n = 200_000
      // Distinct 30-bit keys in no particular order: each step is one to one on 30 bits.
      const keyOf = (slot: number) => {
        let x = slot + 1
        x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) & 0x3fffffff
        x = Math.imul(x ^ (x >>> 13), 0x297a2d39) & 0x3fffffff
        return x ^ (x >>> 15)
      }
      for (let slot = 0; slot < n; slot++) {
        const keys = Uint32Array.of(keyOf(slot))
        // As an arrival's: gathered first (through the band's growths), then added.
        if (slot % 2 === 0) t.gather(keys)
        t.add(keys, slot)
      }
      const wrong: number[] = []
      for (let slot = 0; slot < n; slot++) {
        const got: number[] = []
        t.visit(Uint32Array.of(keyOf(slot)), (v) => got.push(v) < 0)
        if (got.length !== 1 || got[0] !== slot) wrong.push(slot)
      }
      expect(wrong).toEqual([])
      // Half of them out, the rest still found, and the removed ones not.
      for (let slot = 0; slot < n; slot += 2) t.remove(slot)
      for (let slot = 0; slot < n; slot++) {
        const got: number[] = []
        t.visit(Uint32Array.of(keyOf(slot)), (v) => got.push(v) < 0)
        if (got.join() !== (slot % 2 === 0 ? '' : String(slot))) wrong.push(slot)
      }
      expect(wrong).toEqual([])
    },
  )

  it('keeps buckets of several slots apart when they outnumber the slots (their references widen the cells)', () => {
    // 40 bands, and each pair of slots shares all its keys: a bucket of two per pair and band,
    // 20 times as many as there are slots.
    const bands = 40
    // References from 1 bit up: the cells are widened as slots and blocks grow.
    const t = createBandTable(bands, undefined, 1)
    const pairs = 3_000
    const keysOf = (pair: number) =>
      Uint32Array.from({ length: bands }, (_, b) => Math.imul(pair + 1, 0x9e3779b1) ^ (b * 7919))
    for (let pair = 0; pair < pairs; pair++) {
      t.add(keysOf(pair), 2 * pair)
      t.add(keysOf(pair), 2 * pair + 1)
    }
    const gathered = (pair: number) => [...t.found.subarray(0, t.gather(keysOf(pair)))]
    const wrong: number[] = []
    for (let pair = 0; pair < pairs; pair++) {
      const want = Array.from({ length: bands }, () => [2 * pair + 1, 2 * pair]).flat()
      if (gathered(pair).join() !== want.join()) wrong.push(pair)
    }
    expect(wrong).toEqual([])
    // One of each pair out (the bucket is one slot again), then both of every other pair.
    for (let pair = 0; pair < pairs; pair++) t.remove(2 * pair + (pair % 3 === 0 ? 0 : 1))
    for (let pair = 0; pair < pairs; pair += 2) t.remove(2 * pair + (pair % 3 === 0 ? 1 : 0))
    for (let pair = 0; pair < pairs; pair++) {
      const left = pair % 2 === 0 ? [] : [2 * pair + (pair % 3 === 0 ? 1 : 0)]
      if (gathered(pair).join() !== Array(bands).fill(left).flat().join()) wrong.push(pair)
    }
    expect(wrong).toEqual([])
    // And added again: newest first.
    for (let pair = 0; pair < pairs; pair += 2) t.add(keysOf(pair), 2 * pair)
    expect(gathered(0)).toEqual(Array(bands).fill(0))
    expect(gathered(1)).toEqual(Array(bands).fill(2))
  })

  it('probes again for an add after a removal moved the cells its keys were gathered at', () => {
    // Two keys with one home cell (of the 16 a band starts with): the second probes past the first.
    const home = (key: number) => (Math.imul(key, 0x9e3779b1) >>> 0) & 15
    const first = 1
    let second = 2
    while (home(second) !== home(first)) second++
    const t = createBandTable(1)
    t.add(Uint32Array.of(first), 0)
    t.add(Uint32Array.of(second), 1)
    const keys = Uint32Array.of(second)
    expect([...t.found.subarray(0, t.gather(keys))]).toEqual([1])
    // The first key's removal moves the second's bucket back to the home cell.
    t.remove(0)
    t.add(keys, 2)
    expect([...t.found.subarray(0, t.gather(Uint32Array.of(second)))]).toEqual([2, 1])
  })

  // Removals from the start, and after many adds into crowded buckets.
  it.each([0, 4_000])(
    'visits as lists in insertion order would, newest first and capped, through growth and removals (first removal after step %i)',
    (addsFirst) => {
      const bands = 3
      const cap = 4
      const t = createBandTable(bands, cap, 1)
      // The model: per band, key → slots in the order added.
      const model = Array.from({ length: bands }, () => new Map<number, number[]>())
      const keysOf = new Map<number, Uint32Array>()
      let seed = 7
      const rnd = (n: number) => {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
        return (seed >>> 8) % n
      }
      const expected = (keys: Uint32Array, upTo: number): number[] => {
        const out: number[] = []
        for (let band = 0; band < bands; band++) {
          const list = model[band]!.get(keys[band]! & 0x3fffffff) ?? []
          for (let i = list.length - 1; i >= Math.max(0, list.length - cap); i--) {
            out.push(list[i]!)
            if (out.length >= upTo) return out
          }
        }
        return out
      }
      for (let step = 0; step < 20_000; step++) {
        const slot = rnd(3_000)
        const held = keysOf.get(slot)
        if (held && step >= addsFirst && rnd(3) > 0) {
          t.remove(slot)
          held.forEach((k, band) => {
            const list = model[band]!.get(k & 0x3fffffff)!
            list.splice(list.indexOf(slot), 1)
            if (list.length === 0) model[band]!.delete(k & 0x3fffffff)
          })
          keysOf.delete(slot)
        } else if (!held) {
          // Few keys (crowded buckets) and wide ones (cut to 30 bits), across table growth.
          const keys = Uint32Array.from({ length: bands }, () =>
            rnd(2) ? rnd(40) : (rnd(1 << 20) * 4099) >>> 0,
          )
          // An arrival's keys are gathered before they are added (the add reuses the gather's cells).
          if (rnd(2)) t.gather(keys)
          t.add(keys, slot)
          keys.forEach((k, band) => {
            const m = model[band]!
            const key = k & 0x3fffffff
            m.set(key, [...(m.get(key) ?? []), slot])
          })
          keysOf.set(slot, keys)
        }
        if (step % 50 === 0) {
          const probe = keysOf.get(rnd(3_000)) ?? Uint32Array.of(rnd(40), rnd(40), rnd(40))
          const upTo = rnd(2) ? Infinity : 1 + rnd(6)
          const got: number[] = []
          t.visit(probe, (v) => got.push(v) >= upTo)
          expect(got).toEqual(expected(probe, upTo))
          // gather finds them all, in the same order, at the start of `found`.
          const n = t.gather(probe)
          expect([...t.found.subarray(0, n)]).toEqual(expected(probe, Infinity))
        }
      }
    },
  )
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

  it('keep a key of one value as the value, of several as a list in the order added', () => {
    const [x, y, z] = [{ n: 'x' }, { n: 'y' }, { n: 'z' }]
    const m: OneOrList<string, { n: string }> = new Map()
    expect(listAt(m, 'k')).toBeUndefined()
    expect(firstAt(m, 'k')).toBeUndefined()
    pushOne(m, 'k', x)
    expect(m.get('k')).toBe(x)
    expect(listAt(m, 'k')).toEqual([x])
    pushOne(m, 'k', y)
    pushOne(m, 'k', z)
    expect(listAt(m, 'k')).toEqual([x, y, z])
    expect(firstAt(m, 'k')).toBe(x)
    dropOne(m, 'k', x)
    expect(listAt(m, 'k')).toEqual([y, z])
    expect(firstAt(m, 'k')).toBe(y)
    dropOne(m, 'k', { n: 'y' }) // an equal value that is not the one added: nothing dropped
    expect(listAt(m, 'k')).toEqual([y, z])
    dropOne(m, 'k', z)
    // Back to one value: kept as the value again.
    expect(m.get('k')).toBe(y)
    dropOne(m, 'k', x)
    expect(m.get('k')).toBe(y)
    dropOne(m, 'k', y)
    expect(m.has('k')).toBe(false)
    dropOne(m, 'missing', x)
    expect(m.size).toBe(0)
  })
})
