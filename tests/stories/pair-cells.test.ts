import { describe, expect, it } from 'vitest'
import {
  clearPairCell,
  doubledPairCells,
  EMPTY_CELL,
  emptyPairCells,
  pairCellOf,
} from '../../src/stories/pair-cells.js'
import { seeded } from '../helpers/random.js'

describe('pair cells', () => {
  it('agree with a Map through random sets, deletions (shifting back) and doublings', () => {
    const next = seeded(11)
    let capacity = 8
    let cells = emptyPairCells(capacity)
    let size = 0
    const model = new Map<number, number>()
    let cleared = 0
    let doubled = 0
    for (let step = 0; step < 20_000; step++) {
      // Few distinct keys, so that probe runs collide and wrap around the table's end.
      const key = next() % 300
      const at = pairCellOf(cells, capacity - 1, key)
      const present = cells[2 * at] !== EMPTY_CELL
      expect(present).toBe(model.has(key))
      if (present && next() % 2 === 0) {
        clearPairCell(cells, capacity - 1, at)
        size--
        model.delete(key)
        cleared++
      } else if (present) {
        expect(cells[2 * at + 1]).toBe(model.get(key))
      } else {
        if ((size + 1) * 4 > capacity * 3) {
          cells = doubledPairCells(cells)
          capacity *= 2
          doubled++
        }
        const free = pairCellOf(cells, capacity - 1, key)
        cells[2 * free] = key
        cells[2 * free + 1] = step
        size++
        model.set(key, step)
      }
    }
    for (let key = 0; key < 300; key++) {
      const at = pairCellOf(cells, capacity - 1, key)
      expect(cells[2 * at] === EMPTY_CELL ? undefined : cells[2 * at + 1]).toBe(model.get(key))
    }
    expect(cleared).toBeGreaterThan(1_000)
    expect(doubled).toBeGreaterThan(3)
  })
})
