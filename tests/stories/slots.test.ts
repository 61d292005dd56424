import { describe, expect, it } from 'vitest'
import {
  createSlotTable,
  ROW_EVENT,
  ROW_NORM,
  ROW_VISITED,
  ROW_WORDS,
  SLOT_BACKGROUND,
} from '../../src/stories/slots.js'
import { keysOf, sketchHits } from '../../src/stories/text.js'

const normAt = (slot: number) => (slot * ROW_WORDS) / 2 + ROW_NORM

const row = (n: number) => ({
  source: n % 3,
  seen: 1_000 + n,
  time: 2_000 + n,
  keys: keysOf([`a${n}`, `b${n}`, `c${n}`]),
  norm: n / 2,
  background: n % 4 === 1,
})

describe('createSlotTable', () => {
  it('keeps each row by slot as it grows, and reuses released slots', () => {
    const table = createSlotTable(2)
    const slots = Array.from({ length: 9 }, (_, n) => table.take(row(n)))
    expect(new Set(slots).size).toBe(9)
    const cols = table.columns
    expect(cols.seen.length).toBeGreaterThanOrEqual(9)
    slots.forEach((slot, n) => {
      expect(cols.source[slot]).toBe(n % 3)
      expect(cols.seen[slot]).toBe(1_000 + n)
      expect(cols.time[slot]).toBe(2_000 + n)
      expect(cols.size[slot]).toBe(3)
      expect(cols.norms[normAt(slot)]).toBe(n / 2)
      expect(cols.flags[slot]).toBe(n % 4 === 1 ? SLOT_BACKGROUND : 0)
      // The sketch holds the row's own keys.
      expect(sketchHits(cols.rows, slot * ROW_WORDS, row(n).keys)).toBe(3)
    })
    table.columns.rows[slots[4]! * ROW_WORDS + ROW_VISITED] = 7
    table.columns.rows[slots[4]! * ROW_WORDS + ROW_EVENT] = -7
    table.release(slots[4]!)
    const again = table.take({ ...row(40), keys: keysOf(['x']) })
    expect(again).toBe(slots[4])
    // The reused slot has the new row, not the old one's sketch or marks.
    expect(table.columns.seen[again]).toBe(1_040)
    expect(table.columns.size[again]).toBe(1)
    expect(table.columns.norms[normAt(again)]).toBe(20)
    expect(table.columns.flags[again]).toBe(0)
    expect(table.columns.rows[again * ROW_WORDS + ROW_VISITED]).toBe(0)
    expect(table.columns.rows[again * ROW_WORDS + ROW_EVENT]).toBe(0)
    expect(sketchHits(table.columns.rows, again * ROW_WORDS, row(4).keys)).toBeLessThan(3)
  })

  it('gives each source id one number', () => {
    const table = createSlotTable()
    const a = table.sourceNumber('dawn')
    expect(table.sourceNumber('tolo')).not.toBe(a)
    expect(table.sourceNumber('dawn')).toBe(a)
  })
})

describe('slot rows', () => {
  it("keep each slot's sketch, marks and norm apart from its neighbours' as the table grows", () => {
    const table = createSlotTable(1)
    const keys = (n: number) => keysOf(Array.from({ length: 40 }, (_, i) => `k${n}-${i}`))
    const slots = Array.from({ length: 33 }, (_, n) =>
      table.take({ source: 0, seen: 0, time: 0, keys: keys(n), norm: n + 0.5 }),
    )
    const { rows, norms } = table.columns
    slots.forEach((slot, n) => {
      rows[slot * ROW_WORDS + ROW_VISITED] = n + 1
      rows[slot * ROW_WORDS + ROW_EVENT] = -(n + 1)
    })
    slots.forEach((slot, n) => {
      // Marks written next to a sketch leave the sketch and the norm as they were.
      expect(sketchHits(rows, slot * ROW_WORDS, keys(n))).toBe(40)
      expect(norms[normAt(slot)]).toBe(n + 0.5)
      expect(rows[slot * ROW_WORDS + ROW_VISITED]).toBe(n + 1)
      expect(rows[slot * ROW_WORDS + ROW_EVENT]).toBe(-(n + 1))
    })
  })
})
