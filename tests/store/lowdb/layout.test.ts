/** A day partition's order: sortNewestFirst sorts as newestFirst does, by numbers where it can. */
import { describe, expect, it } from 'vitest'
import type { Item } from '../../../src/model/types.js'
import { newestFirst, sortNewestFirst } from '../../../src/store/lowdb/layout.js'
import { makeItem } from '../../helpers/items.js'
import { belowOf } from '../../helpers/random.js'

const two = (n: number): string => String(n).padStart(2, '0')

/** `n` items of one day, dates drawn from `times` distinct times (ties when fewer than n), ids shuffled. */
const dayItems = (n: number, times: number, seed: number): Item[] => {
  const below = belowOf(seed)
  return Array.from({ length: n }, (_, k) => {
    const t = below(times)
    const at = `2026-11-18T${two(t % 24)}:${two((t * 7) % 60)}:${two((t * 13) % 60)}.${String((t * 37) % 1000).padStart(3, '0')}Z`
    return makeItem({ id: `s${below(5)}:${(k * 7919) % n}`, publishedAt: at })
  })
}

const ids = (items: readonly Item[]): string[] => items.map((i) => i.id)

describe('sortNewestFirst', () => {
  it('the order of newestFirst for items of one day, ties (one date) by the greater id first', () => {
    for (const [n, times, seed] of [
      [500, 10_000, 1],
      [500, 12, 2],
      [64, 1, 3],
      [3000, 2, 8],
      [2, 2, 4],
      [1, 1, 5],
      [0, 1, 6],
    ] as const) {
      const items = dayItems(n, times, seed)
      const expected = ids([...items].sort(newestFirst))
      const sorted = sortNewestFirst(items)
      expect(sorted).toBe(items)
      expect(ids(sorted)).toEqual(expected)
    }
  })

  it('lists it cannot key by numbers (several days, dates not written by toISOString) by newestFirst', () => {
    const base = dayItems(40, 30, 7)
    const odd = [
      makeItem({ id: 'x1', publishedAt: '2026-11-17T23:59:59.999Z' }),
      makeItem({ id: 'x2', publishedAt: '2026-11-18T10:00:00Z' }),
      makeItem({ id: 'x3', publishedAt: '2026-11-18T1a:00:00.000Z' }),
      makeItem({ id: 'x4', publishedAt: '2026-11-18 10:00:00.000Z' }),
      makeItem({ id: 'x5', publishedAt: '+012026-11-18T10:00:00.000Z' }),
    ]
    for (const extra of odd) {
      for (const at of [0, 17, 40]) {
        const items = [...base.slice(0, at), extra, ...base.slice(at)]
        const expected = ids([...items].sort(newestFirst))
        expect(ids(sortNewestFirst(items))).toEqual(expected)
      }
    }
  })
})
