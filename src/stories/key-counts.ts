/** KeyCounts: how many indexed items have each key, in open addressing over one Int32Array (no story logic here). */

/**
 * Per key, a count: the document frequencies of the story index. Every arrival reads the count
 * of each of its ~50 keys twice and every insert and removal changes them; a Map of numbers did
 * that through hashing and a bucket object per lookup, this table through one probe into a typed
 * array (and holds 8 bytes per cell rather than a Map entry's several words).
 */
export interface KeyCounts {
  /** The count of `key` (0 when absent). Keys are cut to 30 bits: two keys equal there share a count. */
  get(key: number): number
  /** Adds `delta` to the count of every key of `keys`; a count that reaches 0 is dropped. */
  add(keys: Uint32Array, delta: 1 | -1): void
  /** Keys with a count. */
  readonly size: number
}

/** Keys cut to 30 bits are never negative: -1 marks an empty cell. */
const KEY_BITS = 0x3fffffff
const EMPTY = -1

const home = (key: number, mask: number): number => (Math.imul(key, 0x9e3779b1) >>> 0) & mask

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
  let cells = emptyCells(capacity)
  let size = 0

  /** Where `key` is, or the empty cell where it would go. */
  const cellOf = (key: number): number => {
    const mask = capacity - 1
    let i = home(key, mask)
    while (cells[2 * i] !== EMPTY && cells[2 * i] !== key) i = (i + 1) & mask
    return i
  }

  const grow = (): void => {
    const old = cells
    capacity *= 2
    cells = emptyCells(capacity)
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] === EMPTY) continue
      const at = cellOf(old[i]!)
      cells[2 * at] = old[i]!
      cells[2 * at + 1] = old[i + 1]!
    }
  }

  /** Empties cell `i` and moves back the keys after it that probing would no longer find. */
  const deleteCell = (i: number): void => {
    const mask = capacity - 1
    let hole = i
    cells[2 * hole] = EMPTY
    size--
    for (let j = (hole + 1) & mask; cells[2 * j] !== EMPTY; j = (j + 1) & mask) {
      const want = home(cells[2 * j]!, mask)
      // j's key may move to the hole when its home is not in the cyclic span (hole, j].
      if (hole <= j ? want > hole && want <= j : want > hole || want <= j) continue
      cells[2 * hole] = cells[2 * j]!
      cells[2 * hole + 1] = cells[2 * j + 1]!
      cells[2 * j] = EMPTY
      hole = j
    }
  }

  return {
    get(key) {
      const at = cellOf(key & KEY_BITS)
      return cells[2 * at] === EMPTY ? 0 : cells[2 * at + 1]!
    },
    add(keys, delta) {
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]! & KEY_BITS
        let at = cellOf(key)
        if (cells[2 * at] !== EMPTY) {
          const n = cells[2 * at + 1]! + delta
          if (n > 0) cells[2 * at + 1] = n
          else deleteCell(at)
        } else if (delta > 0) {
          if ((size + 1) * 4 > capacity * 3) {
            grow()
            at = cellOf(key)
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

const emptyCells = (capacity: number): Int32Array => {
  const cells = new Int32Array(capacity * 2)
  for (let i = 0; i < cells.length; i += 2) cells[i] = EMPTY
  return cells
}
