import { describe, expect, it } from 'vitest'
import { createSlotTable, SLOT_BACKGROUND } from '../../src/stories/slots.js'
import { keysOf, SKETCH_WORDS, sketchHits } from '../../src/stories/text.js'

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
      expect(cols.norm[slot]).toBe(n / 2)
      expect(cols.flags[slot]).toBe(n % 4 === 1 ? SLOT_BACKGROUND : 0)
      // The sketch holds the row's own keys.
      expect(sketchHits(cols.sketch, slot * SKETCH_WORDS, row(n).keys)).toBe(3)
    })
    table.columns.visited[slots[4]!] = 7
    table.release(slots[4]!)
    const again = table.take({ ...row(40), keys: keysOf(['x']) })
    expect(again).toBe(slots[4])
    // The reused slot has the new row, not the old one's sketch or marks.
    expect(table.columns.seen[again]).toBe(1_040)
    expect(table.columns.size[again]).toBe(1)
    expect(table.columns.norm[again]).toBe(20)
    expect(table.columns.flags[again]).toBe(0)
    expect(table.columns.visited[again]).toBe(0)
    expect(sketchHits(table.columns.sketch, again * SKETCH_WORDS, row(4).keys)).toBeLessThan(3)
  })

  it('gives each source id one number', () => {
    const table = createSlotTable()
    const a = table.sourceNumber('dawn')
    expect(table.sourceNumber('tolo')).not.toBe(a)
    expect(table.sourceNumber('dawn')).toBe(a)
  })
})
