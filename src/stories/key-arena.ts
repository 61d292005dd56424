/** KeyArena: a uint32 array per slot, all of them in a few large chunks (no story logic here). */

/**
 * The uint32 arrays of many slots (small non-negative integers) in a few large buffers: a window of
 * 100,000 reports would otherwise hold a typed array, an ArrayBuffer and a malloc'd backing store
 * per report and field, whose headers outweigh the few hundred bytes of keys they carry.
 */
export interface KeyArena {
  /** Stores a copy of `values` (its first `length`: all by default) as the array of `slot`, replacing the one it had. */
  set(slot: number, values: Uint32Array, length?: number): void
  /**
   * The array of `slot` (empty when it has none), as a view of a chunk: read it before the next
   * `set` or `clear`, which may pack the chunks or fill a freed one (a view kept past a pack keeps
   * what it showed, but pins the old chunk).
   */
  get(slot: number): Uint32Array
  /**
   * The chunk that holds the array of `slot` (empty when it has none), which is its values from
   * {@link KeyArena.startOf} on, {@link KeyArena.lengthOf} of them: `get` without making a view,
   * for reads in a hot loop. Valid until the next `set` or `clear`, as `get`'s view is.
   */
  chunkOf(slot: number): Uint32Array
  startOf(slot: number): number
  lengthOf(slot: number): number
  /** Whether `slot` has an array (set and not cleared since), even an empty one. */
  has(slot: number): boolean
  /** Drops the array of `slot`. */
  clear(slot: number): void
  /** Values the chunks hold room for now (live, dead and free). */
  readonly capacity: number
  /** Values of live arrays. */
  readonly live: number
}

const NONE = -1
const EMPTY = new Uint32Array(0)

/**
 * Creates an empty arena. Arrays are appended to the chunk being filled; a full one is followed by
 * a new chunk of `chunkValues` (or of the array's length, when longer), so an arena that only grows
 * (a first import) allocates and touches each value's room once: one buffer grown by a quarter and
 * copied each time allocated about five times its final size, and fresh pages are what cost. A
 * chunk whose arrays are all cleared is dropped; when the chunks hold more than a quarter over the
 * live values (and two chunks), the live arrays are packed into new chunks.
 * @example
 * const keys = createKeyArena()
 * keys.set(slot, Uint32Array.of(3, 5, 8))
 * keys.get(slot) // Uint32Array [3, 5, 8]
 */
export const createKeyArena = (chunkValues = 32_768, initialSlots = 1024): KeyArena => {
  /** The chunks by number (undefined: dropped, its number free), and the live values of each. */
  let chunks: (Uint32Array | undefined)[] = []
  let chunkLive: number[] = []
  let free: number[] = []
  /** The chunk being filled (NONE: none yet) and the first free value in it. */
  let current = NONE
  let end = 0
  /** Each slot's chunk (NONE for an empty array), where its array starts in it (NONE: no array), its length. */
  let chunkOf = new Int32Array(initialSlots).fill(NONE)
  let starts = new Int32Array(initialSlots).fill(NONE)
  let lengths = new Int32Array(initialSlots)
  let live = 0
  let capacity = 0
  let slotsUsed = 0

  const roomForSlot = (slot: number): void => {
    if (slot < starts.length) return
    let n = starts.length
    while (n <= slot) n *= 2
    const s = new Int32Array(n).fill(NONE)
    s.set(starts)
    starts = s
    const c = new Int32Array(n).fill(NONE)
    c.set(chunkOf)
    chunkOf = c
    const l = new Int32Array(n)
    l.set(lengths)
    lengths = l
  }

  /** Copies the first `n` of `values` (n > 0) into the chunk being filled, or a new one, as the array of `slot`. */
  const append = (slot: number, values: Uint32Array, n: number): void => {
    let chunk = current === NONE ? undefined : chunks[current]
    if (chunk === undefined || end + n > chunk.length) {
      chunk = new Uint32Array(Math.max(chunkValues, n))
      capacity += chunk.length
      current = free.length > 0 ? free.pop()! : chunks.length
      chunks[current] = chunk
      chunkLive[current] = 0
      end = 0
    }
    if (n === values.length) chunk.set(values, end)
    else for (let i = 0; i < n; i++) chunk[end + i] = values[i]!
    chunkOf[slot] = current
    starts[slot] = end
    lengths[slot] = n
    chunkLive[current]! += n
    end += n
    live += n
  }

  /** Copies every live array into new chunks, in slot order, and drops the old chunks. */
  const pack = (): void => {
    const old = chunks
    chunks = []
    chunkLive = []
    free = []
    current = NONE
    end = 0
    capacity = 0
    live = 0
    for (let slot = 0; slot < slotsUsed; slot++) {
      const c = chunkOf[slot]!
      if (c === NONE) continue
      const start = starts[slot]!
      append(slot, old[c]!.subarray(start, start + lengths[slot]!), lengths[slot]!)
    }
  }

  const clear = (slot: number): void => {
    if (slot >= slotsUsed || starts[slot] === NONE) return
    const c = chunkOf[slot]!
    const n = lengths[slot]!
    starts[slot] = NONE
    chunkOf[slot] = NONE
    lengths[slot] = 0
    if (c === NONE) return
    live -= n
    chunkLive[c]! -= n
    if (chunkLive[c] !== 0) return
    if (c === current) {
      // The chunk being filled is empty: it is filled again from its start.
      end = 0
    } else {
      capacity -= chunks[c]!.length
      chunks[c] = undefined
      free.push(c)
    }
  }

  return {
    set(slot, given, length = given.length) {
      roomForSlot(slot)
      clear(slot)
      if (slot >= slotsUsed) slotsUsed = slot + 1
      if (length === 0) starts[slot] = 0
      else append(slot, given, length)
      if (capacity > (live * 5) / 4 + 2 * chunkValues) pack()
    },
    get(slot) {
      const c = slot < slotsUsed ? chunkOf[slot]! : NONE
      if (c === NONE) return EMPTY
      const start = starts[slot]!
      return (chunks[c] as Uint32Array).subarray(start, start + lengths[slot]!)
    },
    chunkOf(slot) {
      const c = slot < slotsUsed ? chunkOf[slot]! : NONE
      return c === NONE ? EMPTY : (chunks[c] as Uint32Array)
    },
    startOf: (slot) => (slot < slotsUsed && chunkOf[slot] !== NONE ? starts[slot]! : 0),
    lengthOf: (slot) => (slot < slotsUsed ? lengths[slot]! : 0),
    has: (slot) => slot < slotsUsed && starts[slot] !== NONE,
    clear,
    get capacity() {
      return capacity
    },
    get live() {
      return live
    },
  }
}
