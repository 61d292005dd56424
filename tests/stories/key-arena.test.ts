import { describe, expect, it } from 'vitest'
import { createKeyArena } from '../../src/stories/key-arena.js'
import { mulberry32 as rng } from '../helpers/random.js'

describe('createKeyArena', () => {
  it('gives back what each slot was set to, empty for slots without an array', () => {
    const arena = createKeyArena(4, 2)
    arena.set(0, Uint32Array.of(1, 2, 3))
    arena.set(5, Uint32Array.of(0xffffffff))
    arena.set(2, new Uint32Array(0))
    expect([...arena.get(0)]).toEqual([1, 2, 3])
    expect([...arena.get(5)]).toEqual([0xffffffff])
    expect(arena.get(2).length).toBe(0)
    expect(arena.has(2)).toBe(true)
    expect(arena.has(1)).toBe(false)
    expect(arena.get(1).length).toBe(0)
    expect(arena.has(99)).toBe(false)
    expect(arena.get(99).length).toBe(0)
    expect(arena.live).toBe(4)
  })

  it('copies the values it is given (a later change of the caller’s array does not show)', () => {
    const arena = createKeyArena()
    const mine = Uint32Array.of(7, 8)
    arena.set(3, mine)
    mine[0] = 1
    expect([...arena.get(3)]).toEqual([7, 8])
  })

  it('copies the first `length` values of a longer buffer when told, across a new chunk', () => {
    const arena = createKeyArena(4, 2)
    const buffer = Uint32Array.of(5, 6, 7, 8, 9)
    arena.set(0, buffer, 3)
    arena.set(1, buffer, 2)
    arena.set(2, buffer, 0)
    expect([...arena.get(0)]).toEqual([5, 6, 7])
    expect([...arena.get(1)]).toEqual([5, 6])
    expect(arena.has(2)).toBe(true)
    expect(arena.get(2).length).toBe(0)
    expect(arena.live).toBe(5)
  })

  it('replaces and clears arrays, and reclaims their room instead of growing without end', () => {
    const arena = createKeyArena(16, 4)
    for (let round = 0; round < 5000; round++)
      arena.set(round % 8, Uint32Array.of(round, round + 1))
    // Eight live arrays of two: the arena drops emptied chunks and packs the rest (a quarter and
    // two chunks of 16 over them) rather than keep the 10,000 values of 5,000 rounds.
    expect(arena.live).toBe(16)
    expect(arena.capacity).toBeLessThanOrEqual(16 * 1.25 + 3 * 16)
    for (let slot = 0; slot < 8; slot++) {
      const round = 4992 + slot
      expect([...arena.get(slot)]).toEqual([round, round + 1])
    }
    arena.clear(3)
    arena.clear(3)
    expect(arena.has(3)).toBe(false)
    expect(arena.live).toBe(14)
  })

  it('agrees with a Map of arrays through random sets and clears, growth and packing', () => {
    const random = rng(21)
    const arena = createKeyArena(8, 2)
    const model = new Map<number, number[]>()
    for (let step = 0; step < 20_000; step++) {
      const slot = Math.floor(random() * 300)
      if (random() < 0.3) {
        arena.clear(slot)
        model.delete(slot)
      } else {
        const values = Array.from({ length: Math.floor(random() * 50) }, () =>
          Math.floor(random() * 2 ** 32),
        )
        arena.set(slot, Uint32Array.from(values))
        model.set(slot, values)
      }
    }
    let live = 0
    for (let slot = 0; slot < 300; slot++) {
      expect(arena.has(slot)).toBe(model.has(slot))
      expect([...arena.get(slot)]).toEqual(model.get(slot) ?? [])
      // The same values read in place, without a view.
      const start = arena.startOf(slot)
      const inPlace = arena.chunkOf(slot).subarray(start, start + arena.lengthOf(slot))
      expect([...inPlace]).toEqual(model.get(slot) ?? [])
      live += model.get(slot)?.length ?? 0
    }
    expect(arena.live).toBe(live)
    expect(arena.capacity).toBeLessThanOrEqual(4 * live + 64)
  })

  it('grows an arena without holes (slots set in any order) and one with holes alike', () => {
    const random = rng(5)
    const arena = createKeyArena(8, 2)
    const model = new Map<number, number[]>()
    const order = Array.from({ length: 2_000 }, (_, k) => (k * 7919) % 2_000)
    const check = () => {
      for (const slot of order) expect([...arena.get(slot)]).toEqual(model.get(slot) ?? [])
    }
    for (const [k, slot] of order.entries()) {
      const values = Array.from({ length: 1 + (k % 40) }, () => Math.floor(random() * 2 ** 32))
      arena.set(slot, Uint32Array.from(values))
      model.set(slot, values)
      // Half-way, holes: the packs after it move arrays.
      if (k === 1_000) {
        for (const s of order.slice(0, 100)) {
          arena.clear(s)
          model.delete(s)
        }
      }
    }
    check()
    expect(arena.live).toBe([...model.values()].reduce((n, v) => n + v.length, 0))
  })

  it('takes room for each value once while it only grows, and gives back the chunks a sliding window empties', () => {
    const random = rng(11)
    const arena = createKeyArena(1024, 2)
    const model = new Map<number, number[]>()
    // A first import: nothing cleared, arrays of 1–40 values and a few longer than a chunk.
    for (let slot = 0; slot < 3_000; slot++) {
      const n = slot % 500 === 0 ? 2_000 : 1 + Math.floor(random() * 40)
      const values = Array.from({ length: n }, () => Math.floor(random() * 2 ** 32))
      arena.set(slot, Uint32Array.from(values))
      model.set(slot, values)
    }
    // Room for the live values, and for what a chunk's end could not fit (under 40 of 1,024).
    expect(arena.capacity).toBeLessThanOrEqual(arena.live * (1 + 40 / 1024) + 1024)
    expect(arena.capacity).toBeGreaterThanOrEqual(arena.live)
    // A window: the oldest slot leaves as a new one comes (slot numbers reused, as the index's).
    for (let step = 0; step < 6_000; step++) {
      const gone = step % 3_000
      arena.clear(gone)
      model.delete(gone)
      const values = Array.from({ length: 1 + (step % 40) }, (_, k) => step * 64 + k)
      arena.set(gone, Uint32Array.from(values))
      model.set(gone, values)
    }
    for (const [slot, values] of model) expect([...arena.get(slot)]).toEqual(values)
    expect(arena.live).toBe([...model.values()].reduce((n, v) => n + v.length, 0))
    expect(arena.capacity).toBeLessThanOrEqual(arena.live * 1.25 + 3 * 1024)
  })

  it('keeps a view taken before the buffer moved showing what it showed', () => {
    const arena = createKeyArena(4, 2)
    arena.set(0, Uint32Array.of(1, 2, 3))
    const view = arena.get(0)
    for (let slot = 1; slot < 100; slot++) arena.set(slot, Uint32Array.of(slot, slot, slot))
    expect([...view]).toEqual([1, 2, 3])
    expect([...arena.get(0)]).toEqual([1, 2, 3])
  })
})
