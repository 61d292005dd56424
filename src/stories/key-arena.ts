/** KeyArena: a uint32 array per slot, all of them in one growable buffer (no story logic here). */

/**
 * The uint32 arrays of many slots (small non-negative integers) in one buffer: a window of 100,000
 * reports would otherwise hold a typed array, an ArrayBuffer and a malloc'd backing store per
 * report and field, whose headers outweigh the few hundred bytes of keys they carry.
 */
export interface KeyArena {
  /** Stores a copy of `values` as the array of `slot`, replacing the one it had. */
  set(slot: number, values: Uint32Array): void
  /**
   * The array of `slot` (empty when it has none), as a view of the buffer: read it before the
   * next `set`, which may move the buffer (the view keeps what it showed, but pins the old buffer).
   */
  get(slot: number): Uint32Array
  /** Whether `slot` has an array (set and not cleared since), even an empty one. */
  has(slot: number): boolean
  /** Drops the array of `slot`. */
  clear(slot: number): void
  /** Values the buffer holds room for now (live, dead and free). */
  readonly capacity: number
  /** Values of live arrays. */
  readonly live: number
}

const NONE = -1
const EMPTY = new Uint32Array(0)

/**
 * Creates an empty arena. Arrays are appended; cleared ones leave holes until the buffer is full,
 * then live arrays are packed into a buffer with a quarter of room over them (or one of the same size,
 * when holes were most of it), so the buffer stays within about 1.25× the live values.
 * @example
 * const keys = createKeyArena()
 * keys.set(slot, Uint32Array.of(3, 5, 8))
 * keys.get(slot) // Uint32Array [3, 5, 8]
 */
export const createKeyArena = (initialValues = 4096, initialSlots = 1024): KeyArena => {
  let values = new Uint32Array(initialValues)
  /** Where each slot's array starts in `values` (NONE: no array), and its length. */
  let starts = new Int32Array(initialSlots).fill(NONE)
  let lengths = new Int32Array(initialSlots)
  /** First free value at the end of the buffer. */
  let end = 0
  let live = 0
  /** One past the highest slot ever set: where packing stops looking. */
  let slotsUsed = 0

  const roomForSlot = (slot: number): void => {
    if (slot < starts.length) return
    let n = starts.length
    while (n <= slot) n *= 2
    const s = new Int32Array(n).fill(NONE)
    s.set(starts)
    starts = s
    const l = new Int32Array(n)
    l.set(lengths)
    lengths = l
  }

  /** Makes room for `need` more values at the end: packs the live arrays, growing if they need it. */
  const roomFor = (need: number): void => {
    if (end + need <= values.length) return
    // A quarter of room over the live values: packing again after a quarter of them more is
    // cheaper than keeping twice their room (a window of 100,000 reports holds millions of keys).
    const size = Math.max(values.length, Math.ceil(((live + need) * 5) / 4) + 1024)
    const next = new Uint32Array(size)
    if (live === end) {
      // No holes (an index that has only grown, as in a first import): the arrays stay where
      // they are, copied in one step rather than one view and copy per slot.
      next.set(values.subarray(0, end))
      values = next
      return
    }
    let at = 0
    for (let slot = 0; slot < slotsUsed; slot++) {
      const start = starts[slot]!
      if (start === NONE) continue
      const length = lengths[slot]!
      next.set(values.subarray(start, start + length), at)
      starts[slot] = at
      at += length
    }
    values = next
    end = at
  }

  const clear = (slot: number): void => {
    if (slot >= slotsUsed || starts[slot] === NONE) return
    live -= lengths[slot]!
    starts[slot] = NONE
    lengths[slot] = 0
  }

  return {
    set(slot, given) {
      roomForSlot(slot)
      clear(slot)
      if (slot >= slotsUsed) slotsUsed = slot + 1
      roomFor(given.length)
      values.set(given, end)
      starts[slot] = end
      lengths[slot] = given.length
      end += given.length
      live += given.length
    },
    get(slot) {
      const start = slot < slotsUsed ? starts[slot]! : NONE
      if (start === NONE) return EMPTY
      return values.subarray(start, start + lengths[slot]!)
    },
    has: (slot) => slot < slotsUsed && starts[slot] !== NONE,
    clear,
    get capacity() {
      return values.length
    },
    get live() {
      return live
    },
  }
}
