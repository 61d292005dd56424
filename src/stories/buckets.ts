/** LSH band tables and small multimaps for the story index (no story logic here). */

/** Per LSH band, the slots (small non-negative integers) whose band key is the same: where candidates come from. */
export interface BandTable {
  /**
   * Files `slot` under each of its band keys (the table keeps them: `remove` needs no copy); a
   * slot is in a table at most once at a time.
   */
  add(bands: Uint32Array, slot: number): void
  /** Takes out `slot`, if it was added. */
  remove(slot: number): void
  /**
   * Calls `f` for every slot that shares at least one band key (once per shared band), newest
   * first; at most `maxPerBucket` (default {@link MAX_PER_BUCKET}) slots of each bucket. The
   * visit ends as soon as `f` returns true (the caller has seen enough).
   */
  visit(bands: Uint32Array, f: (slot: number) => boolean | undefined): void
  /**
   * The slots `visit` would call `f` with, in that order (all of them), into {@link found} from
   * its start; returns how many. A caller that reads memory per slot can ask for all of it before
   * it waits for any (the processor overlaps the misses), which `visit`'s one call at a time cannot.
   */
  gather(bands: Uint32Array): number
  /** What the last `gather` found (valid until the next `gather`). */
  readonly found: Int32Array
}

/** How many values of one bucket a visit looks at (the most recently added). */
export const MAX_PER_BUCKET = 64

/** Band keys cut to 30 bits stay small integers in V8 (a wider key is a heap number per entry). */
const SMI = 0x3fffffff

/** No slot (a free cell, a removed slot's place in a block). */
const EMPTY = -1

/** Where a key's probing starts (its low bits) and its tag (its high bits) come from. */
const hashOf = (key: number): number => Math.imul(key, 0x9e3779b1) >>> 0

/**
 * One band: band key → its bucket, in open addressing (linear probing, deletion by shifting back)
 * over one Int32Array, so a window of 100,000 items costs no Map entry per item and band. A cell
 * holds a reference alone, with the high bits of its key's hash as a tag above it: the key itself
 * is the bucket's (see `keyOf` and the blocks), read only when the tag matches, so a cell is 4
 * bytes where a key and a head were 8, and a probe past other keys reads no more memory than it
 * did. The reference is a slot (a bucket of one slot: most of them) or a block of the pool (a
 * bucket of several), told apart by one bit.
 */
interface Heads {
  cells: Int32Array
  /** Cells in all (a power of 2). */
  capacity: number
  size: number
}

const headsOf = (capacity: number): Heads => ({
  cells: new Int32Array(capacity).fill(EMPTY),
  capacity,
  size: 0,
})

/**
 * A bucket of several slots is a block of the pool: at {@link B_KEY} its band key + 1, then its
 * capacity, how many of its places are used, how many of those are dead (removed slots, EMPTY),
 * the first place that may be live, and from {@link B_SLOTS} its slots, oldest first.
 */
const B_KEY = 0
const B_CAP = 1
const B_USED = 2
const B_DEAD = 3
const B_FIRST = 4
const B_SLOTS = 5
/** Bits of a cell's reference at least (see `refBits` in createBandTable). */
const MIN_REF_BITS = 20
/** Bits of a cell's reference for `slots` slots and a pool of `ints` ints. */
const refBitsFor = (slots: number, ints: number, least: number): number =>
  Math.max(least, bitsFor(Math.max(slots, ints / UNIT)))
/** Ints of the smallest block (three slots); block sizes are powers of 2 from it, and a block's reference counts in it. */
const UNIT = 8

/**
 * Creates a {@link BandTable} of `count` bands. A bucket of one slot is the slot in its cell (and
 * its key in `keyOf`, by entry = slot × count + band); a bucket of several is a block of the pool
 * holding its slots in the order they were added, so that reading its newest few reads a few
 * consecutive ints where a linked list of entries read one cache line per entry, each waiting for
 * the last (most of what a gather cost). Removing a slot from a block leaves a dead place,
 * squeezed out once the dead are half the block; a block left with one slot is a slot again.
 */
export const createBandTable = (
  count: number,
  maxPerBucket = MAX_PER_BUCKET,
  /** Bits of a cell's reference at least (fewer: the cells are widened sooner; for tests). */
  minRefBits = MIN_REF_BITS,
): BandTable => {
  const bands = Array.from({ length: count }, () => headsOf(16))
  /** Slots the entry arrays have room for. */
  let slotRoom = 16
  /** Per entry (slot × count + band): its band key + 1 (0: the slot is not in that band's table). */
  let keyOf = new Int32Array(slotRoom * count)
  /** Per entry: 1 when its bucket is a block (0: the slot is the bucket, or in none). */
  let grouped = new Uint8Array(slotRoom * count)
  /** The blocks, from 0 to `poolTop`; freed blocks are reused by size. */
  let pool = new Int32Array(16 * UNIT)
  let poolTop = 0
  /** Free blocks, by size class (UNIT << class ints). */
  const freeBlocks: number[][] = []
  /**
   * Bits of a cell that hold its reference (a slot or a block's number); the next bit is set for a
   * block; the rest (10 bits or more) is the tag. At least {@link MIN_REF_BITS}: widening rewrites
   * every cell of every band, which a table of a million slots and blocks does not need.
   */
  let refBits = refBitsFor(slotRoom, pool.length, minRefBits)
  /** Slots and blocks per gather and bucket at most (the newest). */
  const limit = maxPerBucket > 0 ? Math.ceil(maxPerBucket) : 0
  /** The slots the last gather found. */
  let found = new Int32Array(count * Math.min(limit, 64))
  /** One more than the highest slot added (the entries past it were never written). */
  let top = 0
  /** What the reads that bring a gather's cells into the cache read (kept, so that they are made). */
  let _touched = 0

  const tagOf = (hash: number): number => (refBits >= 30 ? 0 : hash >>> (refBits + 2))
  const cellFor = (hash: number, block: number, ref: number): number =>
    (tagOf(hash) << (refBits + 1)) | (block << refBits) | ref
  /** The band key + 1 of the bucket whose cell holds `v`, in band `b`. */
  const keyAt = (v: number, b: number): number => {
    const ref = v & ((1 << refBits) - 1)
    return ((v >>> refBits) & 1) === 0 ? keyOf[ref * count + b]! : pool[ref * UNIT + B_KEY]!
  }
  /** Where the bucket of `key` is in band `b`'s `h` (a cell number), or the free cell where it would go. */
  const cellOf = (h: Heads, b: number, key: number, hash: number): number => {
    const mask = h.capacity - 1
    const tag = tagOf(hash)
    const shift = refBits + 1
    const want = key + 1
    let i = hash & mask
    for (;;) {
      const v = h.cells[i]!
      if (v === EMPTY) return i
      if (v >>> shift === tag && keyAt(v, b) === want) return i
      i = (i + 1) & mask
    }
  }

  /**
   * Band `b`'s heads `h` in a table twice as large. A bucket's key is its slot's or its block's:
   * read through the old cells, one random read per bucket, it was most of a growth's cost. The
   * buckets of one slot are found from the band's entries instead, in slot order (a fixed stride
   * through `keyOf`, which the processor reads ahead); only the blocks' keys are read through the
   * old cells (a few buckets in ten).
   */
  const grown = (h: Heads, b: number): Heads => {
    const next = headsOf(h.capacity * 2)
    const mask = next.capacity - 1
    const put = (hash: number, v: number): void => {
      let i = hash & mask
      while (next.cells[i] !== EMPTY) i = (i + 1) & mask
      next.cells[i] = v
    }
    for (let s = 0, e = b; s < top; s++, e += count) {
      const want = keyOf[e]!
      if (want === 0 || grouped[e] === 1) continue
      const hash = hashOf(want - 1)
      put(hash, cellFor(hash, 0, s))
    }
    const blockBit = 1 << refBits
    const refMask = blockBit - 1
    for (const v of h.cells) {
      if (v === EMPTY || (v & blockBit) === 0) continue
      put(hashOf(pool[(v & refMask) * UNIT + B_KEY]! - 1), v)
    }
    next.size = h.size
    return next
  }

  /** Empties cell `i` of band `b`'s `h` and moves back the cells after it that probing would no longer find. */
  const clearCell = (h: Heads, b: number, i: number): void => {
    const mask = h.capacity - 1
    const { cells } = h
    let hole = i
    cells[hole] = EMPTY
    for (let j = (hole + 1) & mask; cells[j] !== EMPTY; j = (j + 1) & mask) {
      const want = hashOf(keyAt(cells[j]!, b) - 1) & mask
      // j's bucket may move to the hole when its home is not in the cyclic span (hole, j].
      if (hole <= j ? want > hole && want <= j : want > hole || want <= j) continue
      cells[hole] = cells[j]!
      cells[j] = EMPTY
      hole = j
    }
  }

  /**
   * Cells hold references of `bits` bits from now on: every cell is written again (in place). A
   * tag is its hash's bits above the reference and the block bit, so the narrower tag is the
   * wider one's high bits: no key is read.
   */
  const widen = (bits: number): void => {
    if (bits === refBits) return
    if (bits > 30) throw new Error('band table: too many slots or blocks')
    const old = refBits
    const oldMask = (1 << old) - 1
    refBits = bits
    for (const h of bands) {
      const { cells } = h
      for (let i = 0; i < cells.length; i++) {
        const v = cells[i]!
        if (v === EMPTY) continue
        const tag = bits >= 30 ? 0 : (v >>> (old + 1)) >>> (bits - old)
        cells[i] = (tag << (bits + 1)) | (((v >>> old) & 1) << bits) | (v & oldMask)
      }
    }
  }

  /**
   * Room for the entries of `slot`: the arrays double. Their room past the last slot is never
   * written, and a fresh typed array's untouched pages cost no resident memory: what does cost is
   * the copy, old and new held together until a collection frees the old.
   */
  const room = (slot: number): void => {
    if (slot < slotRoom) return
    slotRoom = Math.max(slot + 1, slotRoom * 2)
    const k = new Int32Array(slotRoom * count)
    k.set(keyOf)
    keyOf = k
    const g = new Uint8Array(slotRoom * count)
    g.set(grouped)
    grouped = g
    widen(refBitsFor(slotRoom, pool.length, minRefBits))
  }

  /** A free block of `size` ints (a power of 2, at least UNIT): where it starts in the pool. */
  const allocate = (size: number): number => {
    const free = freeBlocks[31 - Math.clz32(size / UNIT)]
    if (free !== undefined && free.length > 0) return free.pop()!
    if (poolTop + size > pool.length) {
      let n = pool.length * 2
      while (poolTop + size > n) n *= 2
      const p = new Int32Array(n)
      p.set(pool)
      pool = p
      widen(refBitsFor(slotRoom, pool.length, minRefBits))
    }
    const at = poolTop
    poolTop += size
    return at
  }
  const release = (at: number): void => {
    const c = 31 - Math.clz32((pool[at + B_CAP]! + B_SLOTS) / UNIT)
    const free = freeBlocks[c]
    if (free === undefined) freeBlocks[c] = [at]
    else free.push(at)
  }

  /** A new block of `size` ints for the bucket of `key` holding the live slots of block `from` (if any) and room for more. */
  const moved = (key: number, size: number, from: number): number => {
    const at = allocate(size)
    pool[at + B_KEY] = key + 1
    pool[at + B_CAP] = size - B_SLOTS
    let n = 0
    if (from !== EMPTY) {
      for (let p = pool[from + B_FIRST]!, end = pool[from + B_USED]!; p < end; p++) {
        const s = pool[from + B_SLOTS + p]!
        if (s !== EMPTY) pool[at + B_SLOTS + n++] = s
      }
      release(from)
    }
    pool[at + B_USED] = n
    pool[at + B_DEAD] = 0
    pool[at + B_FIRST] = 0
    return at
  }

  /** The cell value of each bucket a gather found, in band order (reused by every gather). */
  const walkCell = new Int32Array(count)
  /**
   * The keys of the last gather while no slot was added or removed since, and the cell of each
   * band's key then: an add of those keys (the arrival that was just gathered for) finds its
   * cells there instead of probing again.
   */
  let gatheredKeys: Uint32Array | undefined
  const gatheredAt = new Int32Array(count)

  const gather = (keys: Uint32Array): number => {
    const nb = Math.min(keys.length, count)
    // Every band's home cell is asked for before any is probed: a probe waits for its cell, and
    // the loads of this plain loop overlap where a probe's loop made each wait for the last.
    let touch = 0
    for (let b = 0; b < nb; b++) {
      const h = bands[b]!
      touch |= h.cells[hashOf(keys[b]! & SMI) & (h.capacity - 1)]!
    }
    _touched = touch
    let walks = 0
    for (let b = 0; b < nb; b++) {
      const h = bands[b]!
      const key = keys[b]! & SMI
      const at = cellOf(h, b, key, hashOf(key))
      gatheredAt[b] = at
      const v = h.cells[at]!
      if (v === EMPTY) continue
      walkCell[walks] = v
      walks++
    }
    // Newest first, and only the newest few of a crowded bucket: template-like texts (many items
    // sharing most words) must not make each arrival cost the whole window.
    const blockBit = 1 << refBits
    const refMask = blockBit - 1
    let n = 0
    for (let w = 0; w < walks; w++) {
      const v = walkCell[w]!
      if ((v & blockBit) === 0) {
        if (limit === 0) continue
        if (n === found.length) growFound(n + 1)
        found[n++] = v & refMask
        continue
      }
      const at = (v & refMask) * UNIT
      const first = pool[at + B_FIRST]!
      const used = pool[at + B_USED]!
      if (n + Math.min(used - first, limit) > found.length)
        growFound(n + Math.min(used - first, limit))
      for (
        let p = at + B_SLOTS + used - 1, end = at + B_SLOTS + first, k = 0;
        p >= end && k < limit;
        p--
      ) {
        const s = pool[p]!
        if (s === EMPTY) continue
        found[n++] = s
        k++
      }
    }
    gatheredKeys = keys
    return n
  }

  /** Takes `slot` out of the bucket of `key` in band `b`'s `h` (its entry's key is still set). */
  const removeOne = (h: Heads, b: number, key: number, slot: number): void => {
    const hash = hashOf(key)
    const at = cellOf(h, b, key, hash)
    const v = h.cells[at]!
    if (v === EMPTY) return
    const ref = v & ((1 << refBits) - 1)
    if (((v >>> refBits) & 1) === 0) {
      if (ref === slot) {
        clearCell(h, b, at)
        h.size--
      }
      return
    }
    const block = ref * UNIT
    const used = pool[block + B_USED]!
    let first = pool[block + B_FIRST]!
    let p = first
    while (p < used && pool[block + B_SLOTS + p] !== slot) p++
    if (p === used) return
    pool[block + B_SLOTS + p] = EMPTY
    const dead = ++pool[block + B_DEAD]!
    while (first < used && pool[block + B_SLOTS + first] === EMPTY) first++
    pool[block + B_FIRST] = first
    if (used - dead === 1) {
      // One slot left: the bucket is that slot again.
      const s = pool[block + B_SLOTS + first]!
      grouped[s * count + b] = 0
      release(block)
      h.cells[at] = cellFor(hash, 0, s)
    } else if (dead * 2 > used) {
      // Half of it dead: its live slots squeezed to its start, in order.
      let n = 0
      for (let q = first; q < used; q++) {
        const s = pool[block + B_SLOTS + q]!
        if (s !== EMPTY) pool[block + B_SLOTS + n++] = s
      }
      pool[block + B_USED] = n
      pool[block + B_DEAD] = 0
      pool[block + B_FIRST] = 0
    }
  }

  /** {@link found} with room for `n` slots (doubled, its slots kept). */
  const growFound = (n: number): void => {
    const more = new Int32Array(Math.max(n, found.length * 2))
    more.set(found)
    found = more
  }

  return {
    add(keys, slot) {
      room(slot)
      if (slot >= top) top = slot + 1
      // The cells a gather of these keys found are theirs while nothing changed (a band that
      // grows moves its cells).
      const gathered = keys === gatheredKeys
      gatheredKeys = undefined
      for (let b = 0; b < keys.length; b++) {
        let h = bands[b]!
        let grew = false
        if ((h.size + 1) * 4 > h.capacity * 3) {
          h = bands[b] = grown(h, b)
          grew = true
        }
        const key = keys[b]! & SMI
        const hash = hashOf(key)
        const e = slot * count + b
        const at = gathered && !grew ? gatheredAt[b]! : cellOf(h, b, key, hash)
        const v = h.cells[at]!
        keyOf[e] = key + 1
        if (v === EMPTY) {
          h.cells[at] = cellFor(hash, 0, slot)
          h.size++
          continue
        }
        grouped[e] = 1
        const ref = v & ((1 << refBits) - 1)
        if (((v >>> refBits) & 1) === 0) {
          // A bucket of one slot becomes a block of two (allocating may widen the cells).
          grouped[ref * count + b] = 1
          const block = moved(key, UNIT, EMPTY)
          pool[block + B_SLOTS] = ref
          pool[block + B_SLOTS + 1] = slot
          pool[block + B_USED] = 2
          h.cells[at] = cellFor(hash, 1, block / UNIT)
          continue
        }
        let block = ref * UNIT
        const used = pool[block + B_USED]!
        if (used === pool[block + B_CAP]!) {
          // Full: into a block twice as large, or squeezed in its own when half of it is dead.
          const live = used - pool[block + B_DEAD]!
          const size = used + B_SLOTS
          block = moved(key, live * 2 < used ? size : size * 2, block)
          h.cells[at] = cellFor(hash, 1, block / UNIT)
        }
        pool[block + B_SLOTS + pool[block + B_USED]!++] = slot
      }
    },
    remove(slot) {
      gatheredKeys = undefined
      if (slot >= slotRoom) return
      for (let b = 0; b < count; b++) {
        const e = slot * count + b
        const key = keyOf[e]! - 1
        if (key < 0) continue // not in a bucket
        // Its key stays readable until its bucket lets it go (probing reads it).
        removeOne(bands[b]!, b, key, slot)
        keyOf[e] = 0
        grouped[e] = 0
      }
    },
    visit(keys, f) {
      const n = gather(keys)
      for (let i = 0; i < n; i++) if (f(found[i]!)) return
    },
    gather,
    get found() {
      return found
    },
  }
}

/** Bits that hold every number below `n` (at least 1). */
const bitsFor = (n: number): number => Math.max(1, 32 - Math.clz32(n - 1))

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
