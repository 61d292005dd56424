/** The story index's per-item numbers in flat typed arrays by slot (no story logic here). */
import { SKETCH_WORDS, writeSketch } from './text.js'

/** Int32 words of a slot's row in {@link SlotColumns.rows}: its sketch, visited and event marks, and norm. */
export const ROW_WORDS = SKETCH_WORDS + 4
/** Where in a row (from `slot * ROW_WORDS`) the arrival that last scored the slot is (see StoryIndex). */
export const ROW_VISITED = SKETCH_WORDS
/** Where in a row the arrival that found the slot among the reports of its event is (see StoryIndex). */
export const ROW_EVENT = SKETCH_WORDS + 1
/** Where the slot's norm is in {@link SlotColumns.norms}: `slot * ROW_WORDS / 2 + ROW_NORM`. */
export const ROW_NORM = (SKETCH_WORDS + 2) / 2

/**
 * Columns by slot: what scoring a candidate reads first, so that most candidates are turned down
 * without touching their objects (in a large window each object is a cache miss, and a candidate
 * read through its object and its key array cost several). What every candidate's test reads
 * (the visited and event marks, the sketch and the norm) is one row of 80 bytes: one or two cache
 * lines where four arrays cost four.
 */
export interface SlotColumns {
  /**
   * ROW_WORDS words per slot from `slot * ROW_WORDS`: the writeSketch of the item's keys
   * (SKETCH_WORDS words), then at ROW_VISITED and ROW_EVENT the marks, then its norm (read
   * through `norms`).
   */
  rows: Int32Array
  /**
   * The rows' buffer as float64: at `slot * ROW_WORDS / 2 + ROW_NORM`, the length of the item's IDF
   * weight vector (when it was indexed).
   */
  norms: Float64Array
  /** The item's source, as a number (see {@link SlotTable.sourceNumber}). */
  source: Int32Array
  /** fetchedAt, epoch ms. */
  seen: Float64Array
  /** publishedAt, epoch ms. */
  time: Float64Array
  /** How many keys the item has. */
  size: Int32Array
  /** {@link SLOT_BACKGROUND} when the item is a background piece (explainer, timeline…), | {@link SLOT_FOLDED} | {@link SLOT_DISASTER} | {@link SLOT_ASIDE}. */
  flags: Uint8Array
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
  const rows = grow(Int32Array, old?.rows, ROW_WORDS)
  return {
    rows,
    norms: new Float64Array(rows.buffer),
    source: grow(Int32Array, old?.source),
    seen: grow(Float64Array, old?.seen),
    time: grow(Float64Array, old?.time),
    size: grow(Int32Array, old?.size),
    flags: grow(Uint8Array, old?.flags),
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
      const at = slot * ROW_WORDS
      writeSketch(row.keys, columns.rows, at)
      columns.rows[at + ROW_VISITED] = 0
      columns.rows[at + ROW_EVENT] = 0
      columns.norms[at / 2 + ROW_NORM] = row.norm ?? 0
      columns.source[slot] = row.source
      columns.seen[slot] = row.seen
      columns.time[slot] = row.time
      columns.size[slot] = row.keys.length
      columns.flags[slot] =
        (row.background ? SLOT_BACKGROUND : 0) |
        (row.folded ? SLOT_FOLDED : 0) |
        (row.disaster ? SLOT_DISASTER : 0) |
        (row.aside ? SLOT_ASIDE : 0)
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
