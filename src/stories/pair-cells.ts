/** PairCells: an open-addressing table of non-negative int32 keys and int32 values in one Int32Array (the story index's band heads and key counts). */

/**
 * Cell i is `cells[2i]` (its key, {@link EMPTY_CELL} when free) and `cells[2i + 1]` (its value):
 * a lookup in a large table misses the cache once, not once for the key and again for the value.
 * Capacities are powers of 2; linear probing; deletion by shifting back (no tombstones).
 */
export const EMPTY_CELL = -1

/** Where probing for `key` starts (mask = capacity - 1). */
export const homeOf = (key: number, mask: number): number =>
  (Math.imul(key, 0x9e3779b1) >>> 0) & mask

/**
 * `capacity` free cells.
 * @example emptyPairCells(16).length // 32
 */
export const emptyPairCells = (capacity: number): Int32Array => {
  const cells = new Int32Array(capacity * 2)
  for (let i = 0; i < cells.length; i += 2) cells[i] = EMPTY_CELL
  return cells
}

/**
 * Where `key` is (a cell number; mask = capacity - 1), or the free cell where it would go.
 * @example const at = pairCellOf(cells, 15, 7); cells[2 * at] === EMPTY_CELL // 7 is absent
 */
export const pairCellOf = (cells: Int32Array, mask: number, key: number): number => {
  let i = homeOf(key, mask)
  while (cells[2 * i] !== EMPTY_CELL && cells[2 * i] !== key) i = (i + 1) & mask
  return i
}

/**
 * The cells of `cells` in a table twice as large.
 * @example doubledPairCells(emptyPairCells(16)).length // 64
 */
export const doubledPairCells = (cells: Int32Array): Int32Array => {
  const next = emptyPairCells(cells.length)
  const mask = cells.length - 1
  for (let i = 0; i < cells.length; i += 2) {
    if (cells[i] === EMPTY_CELL) continue
    const at = pairCellOf(next, mask, cells[i]!)
    next[2 * at] = cells[i]!
    next[2 * at + 1] = cells[i + 1]!
  }
  return next
}

/**
 * Empties cell `i` (mask = capacity - 1) and moves back the keys after it that probing would no
 * longer find.
 * @example clearPairCell(cells, 15, pairCellOf(cells, 15, 7))
 */
export const clearPairCell = (cells: Int32Array, mask: number, i: number): void => {
  let hole = i
  cells[2 * hole] = EMPTY_CELL
  for (let j = (hole + 1) & mask; cells[2 * j] !== EMPTY_CELL; j = (j + 1) & mask) {
    const want = homeOf(cells[2 * j]!, mask)
    // j's key may move to the hole when its home is not in the cyclic span (hole, j].
    if (hole <= j ? want > hole && want <= j : want > hole || want <= j) continue
    cells[2 * hole] = cells[2 * j]!
    cells[2 * hole + 1] = cells[2 * j + 1]!
    cells[2 * j] = EMPTY_CELL
    hole = j
  }
}
