/** The story index's per-item numbers in flat typed arrays by slot (no story logic here). */
import { SKETCH_WORDS, writeSketch } from './text.js'

/**
 * Columns by slot: what scoring a candidate reads first, so that most candidates are turned down
 * without touching their objects (in a large window each object is a cache miss, and a candidate
 * read through its object and its key array cost several).
 */
export interface SlotColumns {
  /** The arrival that last scored the slot (see StoryIndex). */
  visited: Int32Array
  /** The arrival that found the slot among the reports of its event (see StoryIndex). */
  event: Int32Array
  /** The item's source, as a number (see {@link SlotTable.sourceNumber}). */
  source: Int32Array
  /** fetchedAt, epoch ms. */
  seen: Float64Array
  /** publishedAt, epoch ms. */
  time: Float64Array
  /** How many keys the item has. */
  size: Int32Array
  /** Length of the item's IDF weight vector (when it was indexed). */
  norm: Float64Array
  /** {@link SLOT_BACKGROUND} when the item is a background piece (explainer, timeline…), | {@link SLOT_FOLDED} | {@link SLOT_DISASTER} | {@link SLOT_ASIDE}. */
  flags: Uint8Array
  /** SKETCH_WORDS words per slot: the writeSketch of the item's keys. */
  sketch: Int32Array
}

export interface SlotRow {
  source: number
  seen: number
  time: number
  keys: Uint32Array
  norm?: number
  background?: boolean
  folded?: boolean
  /** A report of a disaster (an event key of one). */
  disaster?: boolean
  /** A reaction to an event or a look back (facts.ts `aside`). */
  aside?: boolean
}

/** The flag of a background piece in {@link SlotColumns.flags}. */
export const SLOT_BACKGROUND = 1
/** The flag of an item whose keys are the folded words of another language (facts.ts `folded`). */
export const SLOT_FOLDED = 2
/** The flag of a report of a disaster (see {@link SlotRow.disaster}). */
export const SLOT_DISASTER = 4
/** The flag of a reaction or look back (see {@link SlotRow.aside}). */
export const SLOT_ASIDE = 8

/** A growable table of {@link SlotColumns}; freed slots are reused. */
export interface SlotTable {
  /** The columns now (a new object after the table grows: read it again after `take`). */
  readonly columns: SlotColumns
  /** A free slot, filled with `row`. */
  take(row: SlotRow): number
  release(slot: number): void
  /** A small number for a source id, the same for the life of the table. */
  sourceNumber(sourceId: string): number
}

const columnsOf = (capacity: number, old?: SlotColumns): SlotColumns => {
  const grow = <T extends Int32Array | Float64Array | Uint8Array>(
    make: new (n: number) => T,
    prev?: T,
    per = 1,
  ) => {
    const next = new make(capacity * per)
    if (prev) next.set(prev)
    return next
  }
  return {
    visited: grow(Int32Array, old?.visited),
    event: grow(Int32Array, old?.event),
    source: grow(Int32Array, old?.source),
    seen: grow(Float64Array, old?.seen),
    time: grow(Float64Array, old?.time),
    size: grow(Int32Array, old?.size),
    norm: grow(Float64Array, old?.norm),
    flags: grow(Uint8Array, old?.flags),
    sketch: grow(Int32Array, old?.sketch, SKETCH_WORDS),
  }
}

/**
 * Creates an empty slot table.
 * @example const slots = createSlotTable(); const s = slots.take({ source: 0, seen, time, keys })
 */
export const createSlotTable = (initialCapacity = 1024): SlotTable => {
  let columns = columnsOf(initialCapacity)
  let capacity = initialCapacity
  let used = 0
  const free: number[] = []
  const sources = new Map<string, number>()
  return {
    get columns() {
      return columns
    },
    take(row) {
      let slot = free.pop()
      if (slot === undefined) {
        if (used === capacity) {
          capacity *= 2
          columns = columnsOf(capacity, columns)
        }
        slot = used++
      }
      columns.visited[slot] = 0
      columns.event[slot] = 0
      columns.source[slot] = row.source
      columns.seen[slot] = row.seen
      columns.time[slot] = row.time
      columns.size[slot] = row.keys.length
      columns.norm[slot] = row.norm ?? 0
      columns.flags[slot] =
        (row.background ? SLOT_BACKGROUND : 0) |
        (row.folded ? SLOT_FOLDED : 0) |
        (row.disaster ? SLOT_DISASTER : 0) |
        (row.aside ? SLOT_ASIDE : 0)
      writeSketch(row.keys, columns.sketch, slot * SKETCH_WORDS)
      return slot
    },
    release(slot) {
      free.push(slot)
    },
    sourceNumber(sourceId) {
      let n = sources.get(sourceId)
      if (n === undefined) {
        n = sources.size
        sources.set(sourceId, n)
      }
      return n
    },
  }
}
