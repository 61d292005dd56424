/** KeyCounts: how many indexed items have each key, in open addressing over one Int32Array (no story logic here). */
import {
  clearPairCell,
  doubledPairCells,
  EMPTY_CELL,
  emptyPairCells,
  homeOf,
  pairCellOf,
} from './pair-cells.js'

/**
 * Per key, a count: the document frequencies of the story index. Every arrival reads the count
 * of each of its ~50 keys twice and every insert and removal changes them; a Map of numbers did
 * that through hashing and a bucket object per lookup, this table through one probe into a typed
 * array (and holds 8 bytes per cell rather than a Map entry's several words).
 */
export interface KeyCounts {
  /** The count of `key` (0 when absent). Keys are cut to 30 bits: two keys equal there share a count. */
  get(key: number): number
  /**
   * Into `out`, the count of each key of `keys` (as `get` gives it). An `add` of these very keys
   * (the same array, unchanged) that comes next, with a positive delta, finds their cells without
   * probing again: an arrival's counts are read, and then it is indexed.
   */
  countsOf(keys: Uint32Array, out: Int32Array): void
  /**
   * Adds `delta` to the count of every key of `keys` (with a `mask`: of key i when bit i of the
   * mask is set, `mask[i >>> 5] >>> (i & 31) & 1`); a count that reaches 0 is dropped.
   */
  add(keys: Uint32Array, delta: 1 | -1, mask?: Uint32Array): void
  /** Keys with a count. */
  readonly size: number
}

/** Keys cut to 30 bits are never negative (pair-cells.ts marks a free cell with -1). */
const KEY_BITS = 0x3fffffff

/**
 * Creates an empty table. Cell i is `cells[2i]` (its key) and `cells[2i + 1]` (its count); linear
 * probing, deletion by shifting back, doubled when three quarters full.
 * @example
 * const df = createKeyCounts()
 * df.add(Uint32Array.of(7, 8), 1)
 * df.get(7) // 1
 */
export const createKeyCounts = (initialCapacity = 1024): KeyCounts => {
  let capacity = initialCapacity
  let cells = emptyPairCells(capacity)
  let size = 0
  const cellOf = (key: number): number => pairCellOf(cells, capacity - 1, key)
  /**
   * The keys of the last countsOf while nothing was added since, and the cell each was found at
   * (or the free cell where it would go).
   */
  let countedKeys: Uint32Array | undefined
  let countedAt = new Int32Array(64)
  /** What the reads that bring countsOf's cells into the cache read (kept, so that they are made). */
  let _touched = 0

  return {
    get(key) {
      const at = cellOf(key & KEY_BITS)
      return cells[2 * at] === EMPTY_CELL ? 0 : cells[2 * at + 1]!
    },
    countsOf(keys, out) {
      if (countedAt.length < keys.length) countedAt = new Int32Array(keys.length * 2)
      const mask = capacity - 1
      // Every key's home cell is asked for before any is probed (their cache misses overlap).
      let touch = 0
      for (let i = 0; i < keys.length; i++) touch |= cells[2 * homeOf(keys[i]! & KEY_BITS, mask)]!
      _touched = touch
      for (let i = 0; i < keys.length; i++) {
        const at = cellOf(keys[i]! & KEY_BITS)
        countedAt[i] = at
        out[i] = cells[2 * at] === EMPTY_CELL ? 0 : cells[2 * at + 1]!
      }
      countedKeys = keys
    },
    add(keys, delta, mask) {
      // Cells found by countsOf stay where they were while keys are only added: a key added
      // meanwhile took a free cell, which the check below tells (a doubling moves them all).
      let counted = delta > 0 && keys === countedKeys
      countedKeys = undefined
      for (let k = 0; k < keys.length; k++) {
        if (mask !== undefined && ((mask[k >>> 5]! >>> (k & 31)) & 1) === 0) continue
        const key = keys[k]! & KEY_BITS
        let at = counted ? countedAt[k]! : cellOf(key)
        if (counted && cells[2 * at] !== key && cells[2 * at] !== EMPTY_CELL) at = cellOf(key)
        if (cells[2 * at] !== EMPTY_CELL) {
          const n = cells[2 * at + 1]! + delta
          if (n > 0) cells[2 * at + 1] = n
          else {
            clearPairCell(cells, capacity - 1, at)
            size--
          }
        } else if (delta > 0) {
          if ((size + 1) * 4 > capacity * 3) {
            cells = doubledPairCells(cells)
            capacity *= 2
            at = cellOf(key)
            counted = false
          }
          cells[2 * at] = key
          cells[2 * at + 1] = delta
          size++
        }
      }
    },
    get size() {
      return size
    },
  }
}
