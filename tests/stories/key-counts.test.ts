import { describe, expect, it } from 'vitest'
import { createKeyCounts } from '../../src/stories/key-counts.js'
import { seeded } from '../helpers/random.js'

describe('createKeyCounts', () => {
  it('counts keys up and down, dropping a key at 0', () => {
    const df = createKeyCounts()
    df.add(Uint32Array.of(7, 8), 1)
    df.add(Uint32Array.of(7), 1)
    expect([df.get(7), df.get(8), df.get(9)]).toEqual([2, 1, 0])
    df.add(Uint32Array.of(7, 8, 9), -1)
    expect([df.get(7), df.get(8), df.get(9)]).toEqual([1, 0, 0])
    expect(df.size).toBe(1)
  })

  it('counts only the keys a mask marks (bit i for key i), over more than one mask word', () => {
    const df = createKeyCounts()
    const keys = Uint32Array.from({ length: 40 }, (_, i) => 100 + i)
    // Keys 0, 3 and 33: bits 0 and 3 of the first word, bit 1 of the second.
    const mask = Uint32Array.of(0b1001, 0b10)
    df.add(keys, 1, mask)
    expect(keys.filter((k) => df.get(k) === 1)).toEqual(Uint32Array.of(100, 103, 133))
    expect(df.size).toBe(3)
    df.add(keys, -1, mask)
    expect(df.size).toBe(0)
  })

  it('cuts keys to 30 bits, as the band keys are', () => {
    const df = createKeyCounts()
    df.add(Uint32Array.of(0xc000_0005), 1)
    expect(df.get(5)).toBe(1)
    expect(df.get(0x4000_0005)).toBe(1)
  })

  it('agrees with a Map through growth and deletions in crowded probe runs', () => {
    const next = seeded(9)
    // A tiny table and keys from a small range: long probe runs, many deletions that shift back.
    const df = createKeyCounts(4)
    const model = new Map<number, number>()
    for (let round = 0; round < 3_000; round++) {
      const keys = Uint32Array.from({ length: 1 + (next() % 6) }, () => next() % 300)
      const delta = next() % 3 === 0 ? -1 : 1
      // Read first half the time, as an arrival's counts are before it is added (the add then
      // reuses the cells the read found).
      if (next() % 2 === 0) {
        const out = new Int32Array(keys.length)
        df.countsOf(keys, out)
        expect([...out]).toEqual([...keys].map((k) => model.get(k) ?? 0))
      }
      df.add(keys, delta)
      for (const k of keys) {
        const n = (model.get(k) ?? 0) + delta
        if (n > 0) model.set(k, n)
        else model.delete(k)
      }
      if (round % 100 === 99) {
        for (let k = 0; k < 300; k++) expect(df.get(k)).toBe(model.get(k) ?? 0)
        expect(df.size).toBe(model.size)
      }
    }
    expect(model.size).toBeGreaterThan(50)
  })
})
