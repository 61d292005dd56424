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

/** No entry (a list's end, a free head cell). */
const EMPTY = -1

/** Where a key's probing starts (its low bits) and its tag (its high bits) come from. */
const hashOf = (key: number): number => Math.imul(key, 0x9e3779b1) >>> 0

/**
 * One band: band key → the newest entry of its bucket, in open addressing (linear probing,
 * deletion by shifting back) over one Int32Array, so a window of 100,000 items costs no Map entry
 * per item and band. A cell holds the head entry alone, with the high bits of its key's hash as
 * a tag above the entry number: the key itself is the entry's (see `links`), read only when the
 * tag matches, so a cell is 4 bytes where a key and a head were 8 (at 50,000 items, 40 bands of
 * 65,536 cells were 20 MB), and a probe past other keys reads no more memory than it did.
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
 * Creates a {@link BandTable} of `count` bands. Each bucket is a singly linked list of entries,
 * one entry per slot and band (entry = slot × count + band), newest at its head: adding and
 * reading the newest few are O(1) each. Per entry, `links` holds its band key + 1 (0: not in a
 * bucket) and its next older entry side by side, so following a bucket from its head reads one
 * cache line per entry. The newer links serve removals alone, so they are made from the older
 * ones (one pass over every bucket) at the first `remove`: a first import, which removes
 * nothing, never holds them.
 */
export const createBandTable = (count: number, maxPerBucket = MAX_PER_BUCKET): BandTable => {
  const bands = Array.from({ length: count }, () => headsOf(16))
  /** Slots the entry arrays have room for. */
  let slotRoom = 16
  /** Bits of a cell that hold the entry (enough for every entry there is room for); the rest is the tag. */
  let entryBits = bitsFor(slotRoom * count)
  let links = new Int32Array(slotRoom * count * 2)
  /** The next newer entry of the same bucket, once a removal needed them. */
  let newer: Int32Array | undefined
  /** The slots the last gather found. */
  let found = new Int32Array(count * Math.min(maxPerBucket, 64))
  /** One more than the highest slot added (the entries past it were never written). */
  let top = 0
  /** What the reads that bring a gather's cells into the cache read (kept, so that they are made). */
  let _touched = 0
  /** Per slot, whether its entry of the band being grown is another's older link (reused by every growth). */
  let older = new Uint8Array(0)

  const entryMask = (): number => (entryBits >= 31 ? 0x7fffffff : (1 << entryBits) - 1)
  const tagOf = (hash: number): number => (entryBits >= 31 ? 0 : hash >>> (entryBits + 1))
  /** Where the bucket of `key` is in `h` (a cell number), or the free cell where it would go. */
  const cellOf = (h: Heads, key: number, hash: number): number => {
    const mask = h.capacity - 1
    const tag = tagOf(hash)
    const em = entryMask()
    const want = key + 1
    let i = hash & mask
    for (;;) {
      const v = h.cells[i]!
      if (v === EMPTY) return i
      if (v >>> entryBits === tag && links[2 * (v & em)] === want) return i
      i = (i + 1) & mask
    }
  }
  /** The hash of the key of the bucket whose head cell holds `v`. */
  const hashAt = (v: number): number => hashOf(links[2 * (v & entryMask())]! - 1)

  /**
   * Band `b`'s heads `h` in a table twice as large. A head's key is its entry's (in `links`): read
   * through the old cells, one random read per bucket, it was most of a growth's cost. The heads
   * are found from the band's entries instead, in slot order (a fixed stride through `links`, which
   * the processor reads ahead): an entry in a bucket is its head when no entry of the band links to
   * it as the next older one.
   */
  const grown = (h: Heads, b: number): Heads => {
    const next = headsOf(h.capacity * 2)
    const mask = next.capacity - 1
    if (older.length < top) older = new Uint8Array(slotRoom)
    else older.fill(0, 0, top)
    // An entry never written (or removed) has key 0 and no older link to read.
    for (let s = 0, e = b; s < top; s++, e += count) {
      const o = links[2 * e + 1]!
      if (o !== EMPTY && links[2 * e] !== 0) older[(o - b) / count] = 1
    }
    for (let s = 0, e = b; s < top; s++, e += count) {
      const want = links[2 * e]!
      if (want === 0 || older[s] === 1) continue
      const hash = hashOf(want - 1)
      let i = hash & mask
      while (next.cells[i] !== EMPTY) i = (i + 1) & mask
      next.cells[i] = (tagOf(hash) << entryBits) | e
    }
    next.size = h.size
    return next
  }

  /** Empties cell `i` of `h` and moves back the cells after it that probing would no longer find. */
  const clearCell = (h: Heads, i: number): void => {
    const mask = h.capacity - 1
    const { cells } = h
    let hole = i
    cells[hole] = EMPTY
    for (let j = (hole + 1) & mask; cells[j] !== EMPTY; j = (j + 1) & mask) {
      const want = hashAt(cells[j]!) & mask
      // j's bucket may move to the hole when its home is not in the cyclic span (hole, j].
      if (hole <= j ? want > hole && want <= j : want > hole || want <= j) continue
      cells[hole] = cells[j]!
      cells[j] = EMPTY
      hole = j
    }
  }

  /**
   * Room for the entries of `slot`: the arrays double. Their room past the last slot is never
   * written, and a fresh typed array's untouched pages cost no resident memory: what does cost is
   * the copy, old and new held together until a collection frees the old. Grown by a quarter, a
   * first import of 50,000 items copied its last 14 MB of links at 46,000 items, near the end where
   * its peak RSS is; doubling copies less in all and last at 32,768 items.
   */
  const room = (slot: number): void => {
    if (slot < slotRoom) return
    slotRoom = Math.max(slot + 1, slotRoom * 2)
    const l = new Int32Array(slotRoom * count * 2)
    l.set(links)
    links = l
    if (newer !== undefined) {
      const w = new Int32Array(slotRoom * count)
      w.set(newer)
      newer = w
    }
    const bits = bitsFor(slotRoom * count)
    if (bits === entryBits) return
    // Wider entry numbers leave fewer bits for the tags: every cell is written again (in place).
    // A tag is its hash's bits above entryBits + 1, so the narrower tag is the wider one's high
    // bits, which stay where they were: no key is read (a read of `links` per cell, at random,
    // was most of the cost of a growth).
    const oldMask = entryMask()
    entryBits = bits
    for (const h of bands) {
      const { cells } = h
      for (let i = 0; i < cells.length; i++) {
        const v = cells[i]!
        if (v === EMPTY) continue
        cells[i] = (bits >= 31 ? 0 : (v >>> bits) << bits) | (v & oldMask)
      }
    }
  }

  /**
   * The newer links as `add` would have kept them: each bucket's head has none (EMPTY), every
   * other entry of a bucket the one added after it, and an entry never added 0.
   */
  const linkNewer = (): Int32Array => {
    const w = new Int32Array(slotRoom * count)
    const em = entryMask()
    for (const h of bands) {
      for (const v of h.cells) {
        if (v === EMPTY) continue
        let e = v & em
        w[e] = EMPTY
        for (let o = links[2 * e + 1]!; o !== EMPTY; e = o, o = links[2 * e + 1]!) w[o] = e
      }
    }
    return w
  }

  /**
   * Per bucket a gather walks (in band order): its band, the entry it has reached, and how many of
   * its entries it has found (reused by every gather).
   */
  const walkBand = new Int32Array(count)
  const walkAt = new Int32Array(count)
  const walkLength = new Int32Array(count)
  /**
   * The entries each walked bucket gave, `perBucket` apart (reused): a table capped at a few
   * hundred per bucket or less (0: another, walked by {@link gatherOneByOne}).
   */
  const perBucket = maxPerBucket > 0 && maxPerBucket <= 256 ? Math.ceil(maxPerBucket) : 0
  const walked = new Int32Array(count * perBucket)

  const gather = (keys: Uint32Array): number => {
    const em = entryMask()
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
      const v = h.cells[cellOf(h, key, hashOf(key))]!
      if (v === EMPTY) continue
      walkBand[walks] = b
      walkAt[walks] = v & em
      walkLength[walks] = 0
      walks++
    }
    if (perBucket === 0) return gatherOneByOne(walks)
    // Newest first, and only the newest few of a crowded bucket: template-like texts (many items
    // sharing most words) must not make each arrival cost the whole window. The buckets are
    // walked a step each in turn: each step waits for the entry before it, and a turn's steps
    // of different buckets do not wait for one another (their cache misses overlap).
    for (let live = walks; live > 0; ) {
      live = 0
      for (let w = 0; w < walks; w++) {
        const e = walkAt[w]!
        if (e === EMPTY) continue
        const k = walkLength[w]!
        walked[w * perBucket + k] = e
        walkLength[w] = k + 1
        walkAt[w] = k + 1 < perBucket ? links[2 * e + 1]! : EMPTY
        live++
      }
    }
    // In band order, as one walk after another would have found them.
    let n = 0
    for (let w = 0; w < walks; w++) {
      const b = walkBand[w]!
      const length = walkLength[w]!
      if (n + length > found.length) growFound(n + length)
      for (let k = 0, at = w * perBucket; k < length; k++)
        found[n++] = (walked[at + k]! - b) / count
    }
    return n
  }

  /** gather's walks of a table capped high or not at all: one bucket after another. */
  const gatherOneByOne = (walks: number): number => {
    let n = 0
    for (let w = 0; w < walks; w++) {
      const b = walkBand[w]!
      let k = 0
      for (let e = walkAt[w]!; e !== EMPTY && k < maxPerBucket; e = links[2 * e + 1]!, k++) {
        if (n === found.length) growFound(n + 1)
        found[n++] = (e - b) / count
      }
    }
    return n
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
      const em = entryMask()
      for (let b = 0; b < keys.length; b++) {
        let h = bands[b]!
        if ((h.size + 1) * 4 > h.capacity * 3) h = bands[b] = grown(h, b)
        const key = keys[b]! & SMI
        const hash = hashOf(key)
        const e = slot * count + b
        const at = cellOf(h, key, hash)
        const v = h.cells[at]!
        let older = EMPTY
        if (v === EMPTY) h.size++
        else {
          older = v & em
          if (newer !== undefined) newer[older] = e
        }
        links[2 * e] = key + 1
        links[2 * e + 1] = older
        if (newer !== undefined) newer[e] = EMPTY
        h.cells[at] = (tagOf(hash) << entryBits) | e
      }
    },
    remove(slot) {
      if (slot >= slotRoom) return
      newer ??= linkNewer()
      const em = entryMask()
      for (let b = 0; b < count; b++) {
        const e = slot * count + b
        const key = links[2 * e]! - 1
        if (key < 0) continue // not in a bucket
        const h = bands[b]!
        const hash = hashOf(key)
        const at = cellOf(h, key, hash)
        const before = newer[e]!
        const after = links[2 * e + 1]!
        if (before === EMPTY) {
          if (h.cells[at] === EMPTY || (h.cells[at]! & em) !== e) continue // not its head
          if (after === EMPTY) {
            clearCell(h, at)
            h.size--
          } else h.cells[at] = (tagOf(hash) << entryBits) | after
        } else links[2 * before + 1] = after
        if (after !== EMPTY) newer[after] = before
        links[2 * e] = 0
        links[2 * e + 1] = EMPTY
        newer[e] = EMPTY
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
