/** LSH band tables and small multimaps for the story index (no story logic here). */
import {
  clearPairCell,
  doubledPairCells,
  EMPTY_CELL,
  emptyPairCells,
  pairCellOf,
} from './pair-cells.js'

/** Per LSH band, the slots (small non-negative integers) whose band key is the same: where candidates come from. */
export interface BandTable {
  /** Files `slot` under each of its band keys; a slot is in a table at most once at a time. */
  add(bands: Uint32Array, slot: number): void
  /** Takes out a slot added with these very `bands`. */
  remove(bands: Uint32Array, slot: number): void
  /**
   * Calls `f` for every slot that shares at least one band key (once per shared band), newest
   * first; at most `maxPerBucket` (default {@link MAX_PER_BUCKET}) slots of each bucket. The
   * visit ends as soon as `f` returns true (the caller has seen enough).
   */
  visit(bands: Uint32Array, f: (slot: number) => boolean | undefined): void
}

/** How many values of one bucket a visit looks at (the most recently added). */
export const MAX_PER_BUCKET = 64

/** Band keys cut to 30 bits stay small integers in V8 (a wider key is a heap number per entry). */
const SMI = 0x3fffffff

/** No entry (a list's end). */
const EMPTY = -1

/**
 * One band: band key → the newest entry of its bucket, in open addressing (linear probing,
 * deletion by shifting back) over one Int32Array, so a window of 100,000 items costs no Map
 * entry per item and band. Cell i is `cells[2i]` (its key) and `cells[2i + 1]` (its head): a
 * lookup in a large table misses the cache once, not once for the key and again for the head.
 */
interface Heads {
  cells: Int32Array
  /** Cells in all (a power of 2). */
  capacity: number
  size: number
}

const headsOf = (capacity: number): Heads => ({
  cells: emptyPairCells(capacity),
  capacity,
  size: 0,
})

/** Where `key` is in `h` (a cell number), or the empty cell where it would go. */
const cellOf = (h: Heads, key: number): number => pairCellOf(h.cells, h.capacity - 1, key)

const grown = (h: Heads): Heads => ({
  cells: doubledPairCells(h.cells),
  capacity: h.capacity * 2,
  size: h.size,
})

/**
 * Creates a {@link BandTable} of `count` bands. Each bucket is a doubly linked list of entries,
 * one entry per slot and band (entry = slot × count + band, links in two Int32Arrays), newest
 * at its head: adding, removing and reading the newest few are O(1) each. The newer links serve
 * removals alone, so they are made from the older ones (one pass over every bucket) at the first
 * `remove`: a first import, which removes nothing, never holds them (a fifth of the story index's
 * memory at 50,000 items).
 */
export const createBandTable = (count: number, maxPerBucket = MAX_PER_BUCKET): BandTable => {
  const bands = Array.from({ length: count }, () => headsOf(16))
  /** The next older entry of the same bucket, and (once a removal needed them) the next newer one. */
  let older = new Int32Array(16 * count)
  let newer: Int32Array | undefined
  const room = (slot: number): void => {
    const need = (slot + 1) * count
    if (need <= older.length) return
    let n = older.length
    while (n < need) n *= 2
    const o = new Int32Array(n)
    o.set(older)
    older = o
    if (newer === undefined) return
    const w = new Int32Array(n)
    w.set(newer)
    newer = w
  }
  /**
   * The newer links as `add` would have kept them: each bucket's head has none (EMPTY), every
   * other entry of a bucket the one added after it, and an entry never added 0.
   */
  const linkNewer = (): Int32Array => {
    const w = new Int32Array(older.length)
    for (const h of bands) {
      for (let i = 0; i < h.cells.length; i += 2) {
        if (h.cells[i] === EMPTY_CELL) continue
        let e = h.cells[i + 1]!
        w[e] = EMPTY
        for (let o = older[e]!; o !== EMPTY; e = o, o = older[e]!) w[o] = e
      }
    }
    return w
  }
  return {
    add(keys, slot) {
      room(slot)
      for (let b = 0; b < keys.length; b++) {
        let h = bands[b]!
        if ((h.size + 1) * 4 > h.capacity * 3) h = bands[b] = grown(h)
        const key = keys[b]! & SMI
        const e = slot * count + b
        const at = cellOf(h, key)
        if (h.cells[2 * at] === EMPTY_CELL) {
          h.cells[2 * at] = key
          h.size++
          older[e] = EMPTY
        } else {
          const head = h.cells[2 * at + 1]!
          older[e] = head
          if (newer !== undefined) newer[head] = e
        }
        if (newer !== undefined) newer[e] = EMPTY
        h.cells[2 * at + 1] = e
      }
    },
    remove(keys, slot) {
      newer ??= linkNewer()
      for (let b = 0; b < keys.length; b++) {
        const h = bands[b]!
        const at = cellOf(h, keys[b]! & SMI)
        if (h.cells[2 * at] === EMPTY_CELL) continue
        const e = slot * count + b
        const before = newer[e]!
        const after = older[e]!
        if (before === EMPTY) {
          if (h.cells[2 * at + 1] !== e) continue // not in this bucket
          if (after === EMPTY) {
            clearPairCell(h.cells, h.capacity - 1, at)
            h.size--
          } else h.cells[2 * at + 1] = after
        } else older[before] = after
        if (after !== EMPTY) newer[after] = before
        older[e] = EMPTY
        newer[e] = EMPTY
      }
    },
    visit(keys, f) {
      for (let b = 0; b < keys.length; b++) {
        const h = bands[b]
        if (!h) continue
        const at = cellOf(h, keys[b]! & SMI)
        if (h.cells[2 * at] === EMPTY_CELL) continue
        // Newest first, and only the newest few of a crowded bucket: template-like texts (many
        // items sharing most words) must not make each arrival cost the whole window.
        let n = 0
        for (let e = h.cells[2 * at + 1]!; e !== EMPTY && n < maxPerBucket; e = older[e]!, n++) {
          if (f((e - b) / count)) return
        }
      }
    },
  }
}

/** Adds `v` to the list at `key`. */
export const pushTo = <K, V>(m: Map<K, V[]>, key: K, v: V): void => {
  const list = m.get(key)
  if (list) list.push(v)
  else m.set(key, [v])
}

/** Removes `v` from the list at `key`, and the key once its list is empty. */
export const dropFrom = <K, V>(m: Map<K, V[]>, key: K, v: V): void => {
  const list = m.get(key)
  if (!list) return
  const i = list.indexOf(v)
  if (i >= 0) list.splice(i, 1)
  if (list.length === 0) m.delete(key)
}

/**
 * A multimap whose keys mostly have one value (a canonical URL, reported once): the value alone
 * until a second comes, then a list. A list per key was ~56 bytes per indexed item.
 */
export type OneOrList<K, V extends object> = Map<K, V | V[]>

/** Adds `v` to the values at `key` (after those there). */
export const pushOne = <K, V extends object>(m: OneOrList<K, V>, key: K, v: V): void => {
  const cur = m.get(key)
  if (cur === undefined) m.set(key, v)
  else if (Array.isArray(cur)) cur.push(v)
  else m.set(key, [cur, v])
}

/** Removes `v` from the values at `key`, and the key once it has none. */
export const dropOne = <K, V extends object>(m: OneOrList<K, V>, key: K, v: V): void => {
  const cur = m.get(key)
  if (cur === undefined) return
  if (!Array.isArray(cur)) {
    if (cur === v) m.delete(key)
    return
  }
  const i = cur.indexOf(v)
  if (i >= 0) cur.splice(i, 1)
  if (cur.length === 1) m.set(key, cur[0]!)
  else if (cur.length === 0) m.delete(key)
}

/** The values at `key` in the order they were added (undefined: none). */
export const listAt = <K, V extends object>(m: OneOrList<K, V>, key: K): V[] | undefined => {
  const cur = m.get(key)
  return cur === undefined ? undefined : Array.isArray(cur) ? cur : [cur]
}

/** The first value added at `key` that is still there (undefined: none). */
export const firstAt = <K, V extends object>(m: OneOrList<K, V>, key: K): V | undefined => {
  const cur = m.get(key)
  return Array.isArray(cur) ? cur[0] : cur
}
