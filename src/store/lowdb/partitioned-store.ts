/** The partitioned lowdb Store: the memory store persisted as one lowdb document per publication day plus one for source states. */
import { createHash, randomBytes } from 'node:crypto'
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs'
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { StoreError } from '../../model/errors.js'
import type {
  Enclosure,
  GivenWordFilter,
  Item,
  Retention,
  SaveSummary,
  SourceState,
  Store,
} from '../../model/types.js'
import { sameSearchFields, wordsOf } from '../../topics/word-filter.js'
import { createInterner } from '../../util/interner.js'
import { checkStateKeys, createLowdbStore, DB_VERSION, parseStoreDocument } from '../lowdb.js'
import { createMemoryStore, type DbSnapshot, freezeItem } from '../memory.js'
import { createFlusher, memoryMethods } from '../persisted.js'
import { searchTextOf } from '../query.js'
import { AtomicJsonFile, syncDir, tempOf, writeFileAtomic, writeSynced } from './atomic-file.js'
import { createBodyCache } from './body-cache.js'
import { createBodySpill, type SpillSpan } from './body-spill.js'
import {
  type DayStamp,
  dayFrame,
  genOf,
  HEAD_BYTES,
  hashOfPartition,
  INDEX_HEAD_BYTES,
  type IndexRead,
  type IndexRow,
  indexHeadMatches,
  indexParts,
  indexText,
  readIndex,
  rowsOf,
} from './day-index.js'
import {
  createJournal,
  dropJournal,
  encodeEntry,
  journalEntries,
  journalSeqs,
  jsonBytes,
  nextJournalSeq,
} from './journal.js'
import {
  DAY_FILE,
  type DayDoc,
  dayDocSchema,
  dayOf,
  filesOf,
  folderOf,
  isOfDay,
  sortNewestFirst,
  stateDocSchema,
} from './layout.js'
import { isLean, leanItem, wholeAgain } from './lean-item.js'
import { createLeanMatcher } from './lean-matcher.js'
import { acquireLock } from './lock.js'
import { migrateSingleFile } from './migrate.js'
import { createSpanReader, type SpanReader } from './span-reader.js'

export interface PartitionedStoreOptions {
  /** SPEC `storage.path` (e.g. `data/db.json`): the store lives in the folder {@link folderOf} it. */
  path: string
  /** A source's preference as a story's lead (see memory.ts `MemoryStoreOptions.priorityOf`). */
  priorityOf?: (sourceId: string) => number
  /** Told of a migration, a lock taken over, an ignored file. */
  log?: (message: string) => void
  /**
   * Reads without the writer's lock, beside a running `serve` (`check --preview`): migrates
   * nothing (a single file is read as it is), removes nothing, and `flush` writes nothing.
   */
  readOnly?: boolean
  /** Characters of bodies held unwritten in memory before a save flushes (default {@link PENDING_FLUSH_CHARS}). */
  flushAfterChars?: number
  /**
   * Characters of unwritten bodies, in memory and in the spill file together, before a save
   * flushes (default {@link SPILLED_FLUSH_CHARS}).
   */
  flushSpilledAfterChars?: number
  /**
   * Characters of unwritten bodies kept in memory; past them, bodies wait in a spill file
   * (default {@link SPILL_AFTER_CHARS}).
   */
  spillAfterChars?: number
  /** Bytes of spilled bodies gathered before one write to the spill file (body-spill.ts's default). */
  spillBufferBytes?: number
  /**
   * Opens with the states alone when every partition's index is current, and reads the items when
   * something first needs them (`fetch --once`: a cycle of 304s needs none). A damaged partition
   * is then refused at that first need instead of at open.
   */
  deferItems?: boolean
}

/** The store; `writeCount` is how many documents were written or dropped (for tests and logs). */
export type PartitionedStore = Store & { writeCount(): number }

type StateDoc = Omit<DbSnapshot, 'items'>

/** A read-only store of a single-file lowdb store not migrated yet: the old driver, never flushed. */
const readSingleFile = async (opts: PartitionedStoreOptions): Promise<PartitionedStore> => {
  const old = await createLowdbStore({
    path: opts.path,
    ...(opts.priorityOf ? { priorityOf: opts.priorityOf } : {}),
  })
  return { ...old, flush: async () => undefined, close: async () => undefined, writeCount: () => 0 }
}

const describeError = (err: unknown): string => (err instanceof Error ? err.message : String(err))

/** Whole items read back from partitions that are kept parsed (by their bytes on disk). */
const BODY_CACHE_BYTES = 16 * 1_048_576

const DAY_MS = 86_400_000

/**
 * Day partitions built and written together by a flush. What a day's write holds does not grow
 * with its partition (a batch, a reader's window, a few spill segments, its index's rows), so
 * days of tens of MB are written together too: one's writes and syncs wait while another's items
 * are copied (a first import's two big days, one after the other, left the main thread idle
 * through each one's sync).
 */
const DAYS_PER_WRITE = 8

/**
 * Characters of bodies (titles, summaries, contents) held in memory and in no partition past which
 * a save flushes before it returns: bodies that cannot go to the spill file (no room) would
 * otherwise all stay in memory until the cycle's end. A serve cycle of a few changed feeds stays
 * well under it (it flushes at its end, as before).
 */
const PENDING_FLUSH_CHARS = 24 * 1_048_576

/**
 * Characters of unwritten bodies, held and spilled, past which a save flushes before it returns.
 * Spilled bodies cost no heap, so this is about the temporary files (the journal and the spill
 * file each hold them) and a replay's length after a crash. It is large on purpose: a first import
 * writes days that every feed adds to (an item per hour of the last days), and each flush before
 * the cycle's end rewrites them whole, to be rewritten again by the next; the first run of 1,000
 * feeds × 50 items (~75 M characters) rewrote its three days 4 times at 24 M, once now.
 */
const SPILLED_FLUSH_CHARS = 256 * 1_048_576

/**
 * Characters of unwritten bodies kept in memory (see {@link PENDING_FLUSH_CHARS}); past them a
 * body goes to the spill file (`.bodies.tmp` in the store folder) as the JSON its partition will
 * hold, and is read back from there. The flush policy cannot both stay linear and hold few bodies:
 * an import into a few days that grow lets pending bodies reach half the store before a rewrite
 * pays for itself; spilled, they cost page cache instead of heap. A spilled body costs its flush
 * no more than a held one (its JSON is already made; a held one is stringified then), so few are
 * held: a serve cycle of a few changed feeds, not a first import's thousands.
 */
const SPILL_AFTER_CHARS = 1_048_576

/**
 * A pending body that waits in the spill file: where (its span, in the same object: a first import
 * holds one per item), and its weight in `pendingChars`.
 */
interface Spilled extends SpillSpan {
  chars: number
}

/**
 * The spill file's key of an item's body: the hour of its publication, so that the bodies a day's
 * partition lists one after the other (newest first) lie together in the spill file.
 */
const spillKeyOf = (i: Item): string => {
  const at = i.publishedAt
  return at.length === 24 && at.endsWith('Z') && at[10] === 'T' ? at.slice(0, 13) : dayOf(i)
}

const isSpilled = (p: Item | Spilled): p is Spilled => 'chars' in p

/**
 * A Map that counts the calls that change it (`edits`): a flush that finds the count as it was
 * when it took the pending items it writes knows each is still there, as it was, without looking.
 */
class EditedMap<K, V> extends Map<K, V> {
  edits = 0
  override set(key: K, value: V): this {
    this.edits++
    return super.set(key, value)
  }
  override delete(key: K): boolean {
    this.edits++
    return super.delete(key)
  }
  override clear(): void {
    this.edits++
    super.clear()
  }
}

/** Whether values `x` and `y` of objects at `depth` are written alike (see {@link sameJson}). */
const sameIn = (x: unknown, y: unknown, depth: number): boolean =>
  x === y ||
  (depth < 2 &&
    typeof x === 'object' &&
    typeof y === 'object' &&
    x !== null &&
    y !== null &&
    sameJson(x, y, depth + 1))

/**
 * Whether `JSON.stringify` writes `a` and `b` alike, for `a` a copy of `b` such as the memory
 * store's frozen copy: the same keys in the same order, each value the same primitive or a copy
 * of the same array or record of primitives (an item's lists, enclosures and story reason).
 */
const sameJson = (a: object, b: object, depth = 0): boolean => {
  const list = Array.isArray(a)
  if (list !== Array.isArray(b)) return false
  if (list) {
    // Lists by their elements: their keys would be a string made per index.
    const l = a as unknown[]
    const m = b as unknown[]
    if (l.length !== m.length) return false
    for (let i = 0; i < l.length; i++) if (!sameIn(l[i], m[i], depth)) return false
    return true
  }
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!
    if (k !== kb[i]) return false
    const x = (a as Record<string, unknown>)[k]
    if (!sameIn(x, (b as Record<string, unknown>)[k], depth)) return false
  }
  return true
}

/** What an item's body weighs in {@link PENDING_FLUSH_CHARS} (its texts, plus the rest of its fields). */
const bodyChars = (i: Item): number =>
  i.title.length + (i.summary?.length ?? 0) + (i.contentHtml?.length ?? 0) + 256

/** A whole item read from disk, frozen as stored items are. */
const freezeWhole = (i: Item): Item =>
  Object.freeze({
    ...i,
    categories: Object.freeze(i.categories) as string[],
    topics: Object.freeze(i.topics) as string[],
    enclosures: Object.freeze(i.enclosures.map((e) => Object.freeze(e))) as Enclosure[],
  })

/** Bytes of a partition's items gathered into one write (an item's JSON is one part). */
const WRITE_BATCH_BYTES = 1_048_576

/**
 * A day partition to write: its items' JSON texts are made one at a time as the file is written
 * (`partOf`), so a flush holds a batch of each day it writes, not the day's bytes.
 */
interface DayWrite {
  file: string
  index: string
  day: string
  gen: string
  count: number
  partOf(k: number): Buffer | Promise<Buffer>
  /**
   * The index text in pieces, given the file's stamp and where each item lies in it: item k's
   * offset at `spans[2k]`, its length at `spans[2k + 1]`.
   */
  indexOf(st: DayStat, spans: readonly number[]): Iterable<string>
}

/** Writes `j`'s temp file in batches, hashing it as it goes, and syncs it with its index's temp file. */
const writeDayTemp = async (j: DayWrite): Promise<void> => {
  const { head, comma, tail } = dayFrame(j.day, j.gen)
  const hash = createHash('sha256')
  // Each item's offset and length, one after the other (no pair array per item).
  const spans = new Array<number>(2 * j.count)
  const fh = await open(tempOf(j.file), 'w')
  try {
    // One batch buffer, filled by copy: each part is copied before the next is asked for (a
    // part may be a view of a SpanReader's window), and no MB-sized concatenation a batch is
    // left dead behind. The hash takes what is written, a batch at a time (not a call per part).
    const batch = Buffer.allocUnsafeSlow(WRITE_BATCH_BYTES)
    let bytes = 0
    let at = 0
    const write = async (b: Buffer, length: number): Promise<void> => {
      hash.update(length === b.length ? b : b.subarray(0, length))
      await fh.write(b, 0, length)
    }
    /** Writes the batch, then `b` alone if larger than a batch, else copies it in. */
    const writeThenPut = async (b: Buffer): Promise<void> => {
      if (bytes > 0) await write(batch, bytes)
      bytes = 0
      if (b.length > batch.length) await write(b, b.length)
      else {
        b.copy(batch, 0)
        bytes = b.length
      }
    }
    /**
     * Copies `b` into the batch, or writes first (a promise then): most parts fit, and an await
     * each (with a promise each) was a good part of a first import's flush.
     */
    const put = (b: Buffer): Promise<void> | undefined => {
      at += b.length
      if (bytes + b.length > batch.length) return writeThenPut(b)
      b.copy(batch, bytes)
      bytes += b.length
      return undefined
    }
    await put(head)
    for (let k = 0; k < j.count; k++) {
      const wroteComma = k > 0 ? put(comma) : undefined
      if (wroteComma) await wroteComma
      const got = j.partOf(k)
      const part = got instanceof Promise ? await got : got
      spans[2 * k] = at
      spans[2 * k + 1] = part.length
      const wrote = put(part)
      if (wrote) await wrote
    }
    await put(tail)
    if (bytes > 0) await write(batch, bytes)
    const st = await fh.stat()
    await Promise.all([
      fh.sync(),
      writeSynced(
        tempOf(j.index),
        j.indexOf({ size: st.size, mtimeMs: st.mtimeMs, hash: hash.digest('base64url') }, spans),
      ),
    ])
  } finally {
    await fh.close()
  }
}

/**
 * Writes the temp files of partitions and of their indexes, several partitions at once: each
 * index is made from its partition's size and mtime once written (a sync changes neither), so
 * both files are synced together.
 */
const writePartitionTemps = async (list: readonly DayWrite[]): Promise<void> => {
  for (let i = 0; i < list.length; i += 16)
    await Promise.all(list.slice(i, i + 16).map(writeDayTemp))
}

type DayStat = { size: number; mtimeMs: number; hash: string }

/**
 * What the store keeps of one stored item besides its lean copy, in one object (one map entry per
 * item instead of one in each of several maps): the day it is filed under, where its stored
 * version lies on disk (`off` −1: in no partition yet), and its search words (lean-item.ts
 * `wordsOf`).
 */
class Slot {
  filed: string
  day = ''
  off = -1
  len = 0
  words: string
  constructor(filed: string, words: string) {
    this.filed = filed
    this.words = words
  }
}

/**
 * Opens the store folder of `opts.path` (creating it, or migrating a single-file store found at
 * `opts.path` into it), under a single-writer lock. All data lives in a memory store; `flush()`
 * writes only the documents changed since the last flush, each atomically (temp file, fsync,
 * rename, fsync of the folder): the day partitions of items added, changed or removed, then
 * `state.json`. A day left without items has its file removed. A damaged document is refused with
 * a StoreError and never touched.
 * @example const store = await createPartitionedStore({ path: 'data/db.json' }) // data/db/
 */
export const createPartitionedStore = async (
  opts: PartitionedStoreOptions,
): Promise<PartitionedStore> => {
  const log = opts.log ?? (() => undefined)
  const shownDir = folderOf(opts.path)
  const dir = resolve(shownDir)
  const legacy = resolve(opts.path)
  const files = filesOf(dir)
  const shown = filesOf(shownDir)

  if (opts.readOnly && !existsSync(dir)) return readSingleFile(opts)
  if (!existsSync(dir)) {
    // Two processes starting on one db.json would both build the folder: the first to lock its
    // place migrates, the other is refused as a second writer is (or finds the folder made).
    try {
      await mkdir(dirname(dir), { recursive: true })
    } catch (err) {
      throw new StoreError(`cannot create ${shownDir} (${describeError(err)})`, { cause: err })
    }
    const name = `${basename(dir)}.creating.lock`
    const releaseCreate = acquireLock(dirname(dir), dirname(shownDir), log, name)
    try {
      if (!existsSync(dir) && !(await migrateSingleFile(legacy, opts.path, dir, log))) {
        try {
          await mkdir(files.items, { recursive: true })
        } catch (err) {
          throw new StoreError(`cannot create ${shownDir} (${describeError(err)})`, { cause: err })
        }
      }
    } finally {
      releaseCreate()
    }
  } else if (!statSync(dir).isDirectory()) {
    throw new StoreError(
      `${shownDir} is not a folder, but the store of storage.path ${opts.path} lives there. Move it aside.`,
    )
  } else if (existsSync(legacy) && !opts.readOnly) {
    log(`${opts.path} is not read: the store lives in ${shownDir}/ (see README "Running at scale")`)
  }
  const release = opts.readOnly ? () => undefined : acquireLock(dir, shownDir, log)

  /** Each stored item's {@link Slot}; where it lies on disk is valid while it is not in `pending`. */
  const slots = new Map<string, Slot>()
  /** Whole items changed since the last flush, not yet in any partition (or where they are spilled). */
  const pending = new EditedMap<string, Item | Spilled>()
  /** About how many characters of bodies `pending` holds, spilled or not (recounted after each flush). */
  let pendingChars = 0
  /** The part of `pendingChars` in memory (the rest is in the spill file). */
  let heldChars = 0
  const spillAfter = opts.spillAfterChars ?? SPILL_AFTER_CHARS
  const spill = createBodySpill(join(dir, '.bodies.tmp'), opts.spillBufferBytes)
  /** A pending body, read back from the spill file when it waits there (undefined: not pending). */
  const pendingBody = (id: string): Item | undefined => {
    const p = pending.get(id)
    if (p === undefined || !isSpilled(p)) return p
    return freezeWhole(JSON.parse(spill.read(p).toString('utf8')) as Item)
  }
  /**
   * The save being filed: its items, the index of each by id, and its journal line with where
   * each item's JSON lies in it (journal.ts encodeEntry).
   */
  let encoded:
    | { items: readonly Item[]; byId: Map<string, number>; line: Buffer; spans: number[] }
    | undefined
  /**
   * Puts `full`'s JSON in the spill file: the journal's bytes when it is a copy of an item of the
   * save (`copyOf`, when the memory store says which: no comparison), else its own.
   */
  const spillPut = (full: Item, copyOf?: Item): SpillSpan => {
    const key = spillKeyOf(full)
    const k = encoded?.byId.get(full.id)
    if (
      encoded === undefined ||
      k === undefined ||
      (copyOf !== encoded.items[k] && !sameJson(full, encoded.items[k]!))
    ) {
      return spill.put(jsonBytes(full), key)
    }
    return spill.put(encoded.line, key, encoded.spans[2 * k]!, encoded.spans[2 * k + 1]!)
  }
  /** The word filters the save being filed came with (IngestResult.wordFilters). */
  let givenWords: ReadonlyMap<string, GivenWordFilter> | undefined
  /** The word filter of `full`: the one given with the save when made of its search fields, else its own. */
  const wordsFor = (full: Item): string => {
    const g = givenWords?.get(full.id)
    return g && sameSearchFields(full, g.of) ? g.filter : wordsOf(full)
  }
  /** Files `full` (a copy of `copyOf`, if given) as pending: in memory while few bodies are, else in the spill file. */
  const hold = (full: Item, copyOf?: Item): void => {
    const chars = bodyChars(full)
    pendingChars += chars
    if (!opts.readOnly && heldChars + chars > spillAfter) {
      try {
        const { seg, at, len } = spillPut(full, copyOf)
        pending.set(full.id, { seg, at, len, chars })
        return
      } catch {
        // No room for the spill file: the body stays in memory (the journal holds it either way).
      }
    }
    heldChars += chars
    // A save's item comes unfrozen (memory.ts `onItem`): what stays in memory is a frozen copy.
    pending.set(full.id, Object.isFrozen(full) ? full : freezeItem(full))
  }
  const byDay = new Map<string, Set<string>>()
  const dirty = new Set<string>()
  const cache = createBodyCache<Item>(BODY_CACHE_BYTES)
  /** Search texts of items a `q` had to check on their whole text (queries repeat). */
  const texts = createBodyCache<string>(BODY_CACHE_BYTES)
  const textOf = (item: Item): string => {
    let t = texts.get(item.id)
    if (t === undefined) {
      t = searchTextOf(whole(item))
      texts.set(item.id, t, t.length)
    }
    return t
  }
  /**
   * One string per day name: each save makes its items' day names afresh (dayOf slices a date),
   * and a first import filed tens of thousands of copies of the same few in the slots.
   */
  const dayNames = createInterner()
  const file = (given: string, slot: Slot, id: string): void => {
    const day = dayNames.of(given)
    slot.filed = day
    const s = byDay.get(day)
    if (s) s.add(id)
    else byDay.set(day, new Set([id]))
  }
  const unfile = (id: string): void => {
    const slot = slots.get(id)
    if (slot === undefined || slot.filed === '') return
    byDay.get(slot.filed)?.delete(id)
    dirty.add(slot.filed)
    slot.filed = ''
  }

  /** Whole items a running re-tag read (one partition at a time) and changes: their bodies. */
  let retagging: Map<string, Item> | undefined

  /** The stored item with its body: from `pending`, the cache, or its bytes in its partition. */
  const whole = (item: Item): Item => {
    if (!isLean(item)) return item
    const id = item.id
    const p = pending.get(id)
    if (p !== undefined && !isSpilled(p)) return p
    const found = cache.get(id) ?? (p === undefined ? retagging?.get(id) : undefined)
    if (found) return found
    if (p !== undefined) {
      const body = pendingBody(id) as Item
      cache.set(id, body, p.len)
      return body
    }
    const at = slots.get(id)
    if (!at || at.off < 0)
      throw new StoreError(`the body of item ${id} is in no partition of ${shownDir}`)
    const bytes = Buffer.alloc(at.len)
    let read = 0
    const fd = openSync(files.day(at.day), 'r')
    try {
      read = readSync(fd, bytes, 0, at.len, at.off)
    } finally {
      closeSync(fd)
    }
    let out: Item | undefined
    try {
      out = read === at.len ? (JSON.parse(bytes.toString('utf8')) as Item) : undefined
    } catch {
      out = undefined
    }
    if (out?.id !== id) {
      throw new StoreError(
        `${shown.day(at.day)} changed while topicwire was running (item ${id} is no longer where it was written). Stop topicwire, then start it again: it reads the partition whole.`,
      )
    }
    const frozen = freezeWhole(out)
    cache.set(id, frozen, at.len)
    return frozen
  }

  const mem = createMemoryStore({
    ...(opts.priorityOf ? { priorityOf: opts.priorityOf } : {}),
    slim: leanItem,
    matcher: createLeanMatcher((item) => slots.get(item.id)?.words, textOf),
    onItem(before, after, copyOf) {
      if (before) unfile(before.id)
      if (!after) {
        if (before) {
          pending.delete(before.id)
          slots.delete(before.id)
          cache.delete(before.id)
          texts.delete(before.id)
        }
        return
      }
      let full = after
      let slot = slots.get(after.id)
      if (isLean(after)) {
        // A re-tag or a new story of a stored item: same content, so the same body and words.
        full = wholeAgain(whole(before ?? after), after)
      } else if (slot) slot.words = wordsFor(after)
      if (!slot) {
        slot = new Slot('', wordsFor(full))
        slots.set(after.id, slot)
      }
      cache.delete(after.id)
      hold(full, full === after ? copyOf : undefined)
      texts.delete(after.id)
      const day = dayOf(after)
      file(day, slot, after.id)
      dirty.add(day)
    },
  })

  /** The rows of a day's index when it describes the partition as it is, else why not. */
  const readIndexOf = (day: string): IndexRead | string => {
    // Synchronous: open reads a few hundred small files, and waiting for the thread pool for
    // each costs more than the read itself on a busy machine.
    let text: string
    try {
      text = readFileSync(files.dayIndex(day), 'utf8')
    } catch {
      return 'no index'
    }
    const fd = openSync(files.day(day), 'r')
    try {
      const st = fstatSync(fd)
      const head = Buffer.alloc(HEAD_BYTES)
      const n = readSync(fd, head, 0, HEAD_BYTES, 0)
      const gen = genOf(head.subarray(0, n).toString('utf8'))
      if (!gen) return 'a partition written by hand or by an older version'
      const stamp = { size: st.size, mtimeMs: st.mtimeMs, gen }
      const read = readIndex(text, day, stamp, () => hashOfPartition(readFileSync(files.day(day))))
      if (typeof read !== 'string' && read.restamp)
        restamps.push({ day, stamp, rows: rowsOf(read) })
      return read
    } finally {
      closeSync(fd)
    }
  }

  /** A whole partition, checked as the single-file store checks its file (refused when damaged). */
  const readDay = async (day: string): Promise<Item[]> => {
    const doc = await new AtomicJsonFile<DayDoc>(files.day(day), (text) => {
      const d = parseStoreDocument(
        text,
        shown.day(day),
        dayDocSchema,
        "the other days' items",
      ) as DayDoc
      if (d.day !== day) {
        throw new StoreError(
          `${shown.day(day)} holds the items of ${d.day}. topicwire will not overwrite it. Rename it to ${d.day}.json if no such file exists, or move it aside.`,
        )
      }
      return d
    }).read()
    return (doc?.items ?? []).map(freezeWhole)
  }

  const stateFile = new AtomicJsonFile<StateDoc>(files.state, (text) => {
    const doc = parseStoreDocument(text, shown.state, stateDocSchema) as StateDoc
    checkStateKeys(doc.states, shown.state)
    return doc
  })
  let found = false
  let rebuilt = 0
  /** Indexes that describe their partition but not its mtime (a copy without times): stamped again. */
  const restamps: { day: string; stamp: Omit<DayStamp, 'hash'>; rows: IndexRow[] }[] = []
  /** The day partitions on disk at open, oldest first. */
  let days: string[] = []

  /**
   * Reads every day's items into memory (from its index, or whole when the index does not
   * describe it), then loads them with the states `head()` gives at that moment.
   */
  const loadItems = async (head: () => StateDoc): Promise<void> => {
    /** Each day's items in the order read, oldest day first. */
    const dayLists: Item[][] = []
    /** Items read from a day that is not the one of their date. */
    const misfiled: string[] = []
    let twice = false
    const once = (seen: Slot, id: string): void => {
      twice = true
      dirty.add(seen.filed)
      byDay.get(seen.filed)?.delete(id)
    }
    for (const day of days) {
      const read = readIndexOf(day)
      const misfiledBefore = misfiled.length
      let list: Item[]
      let ids: Set<string>
      if (typeof read !== 'string') {
        list = read.items
        ids = new Set()
        for (let k = 0; k < list.length; k++) {
          const id = list[k]!.id
          const slot = new Slot(day, read.words[k]!)
          slot.day = day
          slot.off = read.off[k]!
          slot.len = read.len[k]!
          const seen = slots.get(id)
          slots.set(id, slot)
          ids.add(id)
          if (seen !== undefined) once(seen, id)
          if (!isOfDay(list[k]!, day)) misfiled.push(id)
        }
      } else {
        // No index, or one that does not describe the partition: read it whole, index it again.
        rebuilt++
        dirty.add(day)
        list = []
        ids = new Set()
        for (const item of await readDay(day)) {
          pending.set(item.id, item)
          const seen = slots.get(item.id)
          slots.set(item.id, new Slot(day, wordsOf(item)))
          ids.add(item.id)
          if (seen !== undefined) once(seen, item.id)
          if (!isOfDay(item, day)) misfiled.push(item.id)
          list.push(leanItem(item))
        }
      }
      // An item in the wrong day (or in two) is filed again where it belongs by the next flush.
      if (misfiled.length > misfiledBefore) dirty.add(day)
      byDay.set(day, ids)
      dayLists.push(list)
    }
    // Newest day first: the memory store's newest-first views without a sort. An item read twice
    // keeps the copy of its later day (the last one loaded wins), as the misfiled check expects.
    const items = twice ? dayLists.flat() : dayLists.reverse().flat()
    mem.load({ ...head(), items }, true)
    // Misfiled items: their partition is the one of their date.
    for (const id of misfiled) {
      const stored = mem.peek(id)
      const slot = slots.get(id)
      if (!stored || !slot || dayOf(stored) === slot.filed) continue
      if (!pending.has(id)) pending.set(id, whole(stored))
      byDay.get(slot.filed)?.delete(id)
      dirty.add(slot.filed)
      file(dayOf(stored), slot, id)
      dirty.add(dayOf(stored))
    }
  }

  /** Says what loadItems rebuilt, and stamps again the indexes of partitions copied without times. */
  const afterLoad = async (): Promise<void> => {
    if (rebuilt > 0) log(`indexed ${rebuilt} partition(s) of ${shownDir} again (read whole)`)
    if (restamps.length > 0 && !opts.readOnly) {
      // Their hash matched, so only the stamp changes; a later open is quick again.
      const stamped = restamps.splice(0)
      for (const r of stamped) {
        const hash = hashOfPartition(readFileSync(files.day(r.day)))
        await writeFileAtomic(files.dayIndex(r.day), indexText(r.day, { ...r.stamp, hash }, r.rows))
      }
      log(
        `stamped ${stamped.length} index(es) of ${shownDir} again (partitions copied without their times, same content)`,
      )
    }
  }

  /**
   * Whether every partition's index is stamped as describing it exactly (its head alone read):
   * then loading the items can wait, and what would refuse a damaged partition at open (a
   * partition read whole) cannot be needed.
   */
  const indexesCurrent = (): boolean =>
    days.every((day) => {
      let fd: number | undefined
      try {
        const head = Buffer.alloc(INDEX_HEAD_BYTES + HEAD_BYTES)
        fd = openSync(files.dayIndex(day), 'r')
        const n = readSync(fd, head, 0, INDEX_HEAD_BYTES, 0)
        closeSync(fd)
        fd = undefined
        fd = openSync(files.day(day), 'r')
        const st = fstatSync(fd)
        const m = readSync(fd, head, INDEX_HEAD_BYTES, HEAD_BYTES, 0)
        const gen = genOf(head.toString('utf8', INDEX_HEAD_BYTES, INDEX_HEAD_BYTES + m))
        if (!gen) return false
        const stamp = { size: st.size, mtimeMs: st.mtimeMs, gen }
        return indexHeadMatches(head.toString('utf8', 0, n), day, stamp)
      } catch {
        return false
      } finally {
        if (fd !== undefined) closeSync(fd)
      }
    })

  /** Items not loaded yet (opts.deferItems): the promise of their load once something needs them. */
  let deferred = false
  let itemsLoad: Promise<void> | undefined
  try {
    // Leftovers of writes killed before their rename: the documents themselves are whole.
    for (const d of opts.readOnly ? [] : [dir, files.items, files.index]) {
      if (!existsSync(d)) continue
      for (const name of await readdir(d)) {
        if (name.startsWith('.') && name.endsWith('.tmp')) await rm(join(d, name), { force: true })
      }
    }
    if (!opts.readOnly) await mkdir(files.index, { recursive: true })
    const state = await stateFile.read()
    found = state !== null
    days = readdirSync(files.items)
      .sort()
      .flatMap((name) => DAY_FILE.exec(name)?.[1] ?? [])
    const head: StateDoc = {
      ...(state ?? {}),
      version: DB_VERSION,
      states: state?.states ?? ({} as Record<string, SourceState>),
    }
    deferred = opts.deferItems === true && !opts.readOnly && found && indexesCurrent()
    if (deferred) mem.load({ ...head, items: [] }, true)
    else await loadItems(() => head)
  } catch (err) {
    release()
    if (err instanceof StoreError) throw err
    throw new StoreError(
      `cannot read ${shownDir} (${describeError(err)}). Check that topicwire may read it.`,
      { cause: err },
    )
  }
  if (!deferred) await afterLoad()
  // A fresh folder gets its state.json on the first flush, so a new install shows its store.
  let flushed = found ? mem.revision() : -1
  let writes = 0

  /** The size of a day's partition now (0 when it has none yet). */
  const sizeOnDisk = (day: string): number => {
    try {
      return statSync(files.day(day)).size
    } catch {
      return 0
    }
  }

  /** Writes the changed partitions and their indexes; renames and bookkeeping in one synchronous step. */
  const writeDays = async (days: string[]): Promise<void> => {
    /** `pending` as the writes take their items from it (see the bookkeeping). */
    const edits = pending.edits
    const doomed: string[] = []
    const jobs: {
      day: string
      rows: IndexRow[]
      written: (Item | Spilled | undefined)[]
      /** Each written item's slot when the write began (a removed item's is unfiled, not reused). */
      slots: (Slot | undefined)[]
      gen: string
    }[] = []
    const dayWrites: DayWrite[] = []
    /** The readers of stored parts, one per partition each day write reads from (see SpanReader). */
    const readers: SpanReader[] = []
    for (const day of days) {
      const ids = byDay.get(day)
      if (!ids || ids.size === 0) {
        byDay.delete(day)
        dayNames.drop(day)
        doomed.push(day)
        continue
      }
      const list = sortNewestFirst([...ids].map((id) => mem.peek(id)!))
      // What each item's text is made from, taken now: saves during the writes below change
      // `pending` and the slots, and the bookkeeping compares with what was written.
      const written = list.map((item) => pending.get(item.id))
      // Each item's slot, looked up once: its words for the index, then where it now lies.
      const held = list.map((item) => slots.get(item.id))
      const stored = held.map((at, k) => {
        if (written[k]) return undefined
        return { day: at!.day, off: at!.off, len: at!.len }
      })
      const gen = randomBytes(6).toString('hex')
      const job = { day, rows: [] as IndexRow[], written, slots: held, gen }
      // This day's own readers: days are written concurrently, and a view of a reader's window
      // lasts only until its next read.
      const mine = new Map<string, SpanReader>()
      const readerOf = (from: string): SpanReader => {
        let r = mine.get(from)
        if (!r) {
          r = createSpanReader(files.day(from))
          mine.set(from, r)
          readers.push(r)
        }
        return r
      }
      // This day's spilled bodies, read in the order written (writeDayTemp copies each before it
      // asks for the next): a segment of the spill file at a time where several lie in it.
      const spilled = spill.reader(
        written.filter((p): p is Spilled => p !== undefined && isSpilled(p)),
      )
      jobs.push(job)
      dayWrites.push({
        file: files.day(day),
        index: files.dayIndex(day),
        day,
        gen,
        count: list.length,
        partOf: (k) => {
          const p = written[k]
          if (p) return isSpilled(p) ? spilled.read(p) : Buffer.from(JSON.stringify(p))
          const at = stored[k]!
          return readerOf(at.day).read(at.off, at.len)
        },
        indexOf: (st, spans) => {
          job.rows = list.map((item, k) => ({
            item,
            words: held[k]?.words ?? wordsOf(whole(item)),
            off: spans[2 * k]!,
            len: spans[2 * k + 1]!,
          }))
          return indexParts(day, { ...st, gen }, job.rows)
        },
      })
    }
    try {
      await writePartitionTemps(dayWrites)
    } finally {
      await Promise.all(readers.map((r) => r.close()))
    }
    // Synchronous from here to the bookkeeping: no read sees a partition with stale offsets.
    // Nothing changed `pending` during the writes (no save meanwhile, as in a first import's final
    // flush): each item written from it is still there as written, so it is not looked up again,
    // and when they are all of it, it is emptied at once (50,000 deletions were ~25 ms of the
    // flush's end).
    const untouched = pending.edits === edits
    /** Items written from `pending` that leave it (with `untouched`: left for the end). */
    const done: string[] = []
    for (const j of jobs) {
      renameSync(tempOf(files.day(j.day)), files.day(j.day))
      renameSync(tempOf(files.dayIndex(j.day)), files.dayIndex(j.day))
      for (let k = 0; k < j.rows.length; k++) {
        const r = j.rows[k]!
        // Moved or removed meanwhile (unfiled: its slot's `filed` changed): pending or gone.
        const slot = j.slots[k]
        if (slot?.filed !== j.day) continue
        slot.day = j.day
        slot.off = r.off
        slot.len = r.len
        const p = j.written[k]
        if (!p) continue
        if (untouched) done.push(r.item.id)
        else if (pending.get(r.item.id) === p) pending.delete(r.item.id)
      }
      writes++
    }
    if (done.length === pending.size) pending.clear()
    else for (const id of done) pending.delete(id)
    for (const day of doomed) {
      rmSync(files.day(day), { force: true })
      rmSync(files.dayIndex(day), { force: true })
      writes++
    }
    if (jobs.length > 0 || doomed.length > 0) {
      await Promise.all([syncDir(files.items), syncDir(files.index)])
    }
  }

  /** Journal files whose entries a flush has written to the partitions (dropped after it). */
  const folded: number[] = []
  const writeChanged = async (): Promise<void> => {
    if (opts.readOnly || (mem.revision() === flushed && dirty.size === 0)) return
    // Entries appended from here on go to the next file, which this flush does not drop; the
    // yield lets every save whose entry is in the closed file apply it to memory first.
    folded.push(...(await journal.rotate()))
    await new Promise((done) => setImmediate(done))
    const rev = mem.revision()
    const days = [...dirty].sort()
    dirty.clear()
    try {
      // A few days at a time (DAYS_PER_WRITE): a flush after a re-tag or a migration touches
      // every day.
      for (let i = 0; i < days.length; i += DAYS_PER_WRITE) {
        await writeDays(days.slice(i, i + DAYS_PER_WRITE))
      }
      // States after items: a crash in between leaves a state older than its items, so the next
      // poll fetches again what it may have missed, never the other way round.
      if (rev !== flushed) {
        // Written as they are (frozen): a copy of each of a thousand states was ~20 ms of the flush's end.
        await stateFile.write(mem.stateSnapshot(true))
        writes++
      }
      await dropJournal(dir, folded.splice(0))
      pendingChars = 0
      heldChars = 0
      let spilled = 0
      for (const p of pending.values()) {
        if (isSpilled(p)) {
          spilled++
          pendingChars += p.chars
        } else {
          const chars = bodyChars(p)
          pendingChars += chars
          heldChars += chars
        }
      }
      // Nothing waits in the spill file any more (saves during the flush may have put some there).
      if (spilled === 0) spill.clear()
    } catch (err) {
      for (const day of days) dirty.add(day)
      throw new StoreError(
        `cannot write ${shownDir} (${describeError(err)}); the documents already there are kept and the next flush retries. Check free space and permissions of ${shownDir}.`,
        { cause: err },
      )
    }
    flushed = rev
  }

  const seqs = await journalSeqs(dir).catch((err: unknown) => {
    release()
    throw err
  })
  folded.push(...seqs)
  const journal = createJournal(dir, nextJournalSeq(seqs))

  /**
   * Loads the items left unread at open (opts.deferItems), once, when something first needs them.
   * A failure leaves nothing half-filed (a flush then writes states only, never a partition) and
   * every later call that needs the items gets the same StoreError.
   */
  const ensureItems = (): Promise<void> => {
    itemsLoad ??= (async () => {
      const clean = flushed === mem.revision()
      try {
        // The states as they are when the items go in: polls may have saved some meanwhile.
        await loadItems(() => mem.stateSnapshot())
      } catch (err) {
        for (const m of [slots, pending, byDay]) m.clear()
        dirty.clear()
        rebuilt = 0
        restamps.length = 0
        if (err instanceof StoreError) throw err
        throw new StoreError(
          `cannot read ${shownDir} (${describeError(err)}). Check that topicwire may read it.`,
          { cause: err },
        )
      }
      if (clean) flushed = mem.revision()
      await afterLoad()
    })()
    return itemsLoad
  }
  // Saves to replay need the items they change.
  if (deferred && seqs.length > 0) {
    try {
      await ensureItems()
    } catch (err) {
      release()
      throw err
    }
  }
  // Saves acknowledged before a crash: applied again (an entry already in the partitions changes
  // nothing), then written to the partitions at once. A damaged line stops the open: nothing of
  // the entries before it has been written anywhere but to memory and the spill file.
  let recovered = 0
  try {
    for await (const e of journalEntries(dir, shownDir, seqs)) {
      await mem.saveIngest(e)
      recovered++
    }
  } catch (err) {
    spill.close()
    release()
    throw err
  }
  if (recovered > 0) {
    log(`${recovered} save(s) recovered from the journal of ${shownDir}`)
    flushed = -1
  }
  if (!opts.readOnly && (dirty.size > 0 || seqs.length > 0)) {
    try {
      await writeChanged()
    } catch (err) {
      release()
      throw err
    }
  }

  const { flush, writeFailures } = createFlusher(writeChanged)

  /** The flush a save started because bodies piled up; saves meanwhile wait for it. */
  let relief: Promise<void> | undefined
  const flushAfter = opts.flushAfterChars ?? PENDING_FLUSH_CHARS
  const flushSpilledAfter = Math.max(flushAfter, opts.flushSpilledAfterChars ?? SPILLED_FLUSH_CHARS)
  /** Pending characters under which {@link relieve} does not look again (see there). */
  let reliefAt = 0
  /**
   * Writes the pending bodies when those held in memory pass `flushAfter` (or all of them, held
   * and spilled, `flushSpilledAfter`), and they are half of what the flush
   * rewrites (the changed days on disk, each read and built again whole): an import spread over
   * many days would otherwise rewrite the whole store every 24 MB — quadratic (a 500k-item build
   * ran for over a quarter of an hour) — while this way its rewrites add up to a few times the
   * store. A failure is the flusher's to report (writeFailures, and the cycle's own flush throws
   * it): the save itself is journaled.
   */
  const relieve = async (): Promise<void> => {
    if (opts.readOnly || pendingChars < reliefAt) return
    if (heldChars < flushAfter && pendingChars < flushSpilledAfter) return
    let rewritten = 0
    for (const day of dirty) rewritten += sizeOnDisk(day)
    if (pendingChars < rewritten / 2) {
      reliefAt = rewritten / 2
      return
    }
    reliefAt = 0
    relief ??= flush()
      .catch(() => undefined)
      .finally(() => {
        relief = undefined
      })
    await relief
  }

  /**
   * Re-tags every item reading the partitions one at a time (one read each, not one per item),
   * yielding every few items: a start-up or reload re-tag neither holds every body nor blocks
   * readers. The memory store then applies the topics found, for items still as they were read.
   */
  const retagByDay = async (
    tagger: (item: Item) => string[],
    only?: ReadonlySet<string>,
  ): Promise<number> => {
    // with `only`, the days holding those items alone are read
    const wanted = only && new Map<string, string[]>()
    if (wanted && only) {
      for (const id of only) {
        const day = slots.get(id)?.filed
        if (!day) continue
        const list = wanted.get(day)
        if (list) list.push(id)
        else wanted.set(day, [id])
      }
    }
    const found = new Map<string, { seen: Item; topics: string[] }>()
    const keep = new Map<string, Item>()
    const same = (a: readonly string[], b: readonly string[]) =>
      a.length === b.length && a.every((t, k) => t === b[k])
    let sinceYield = 0
    for (const day of [...(wanted ?? byDay).keys()].sort()) {
      const ids = [...(wanted?.get(day) ?? byDay.get(day) ?? [])]
      let bytes: Buffer | undefined
      for (const id of ids) {
        const seen = mem.peek(id)
        if (!seen) continue
        let full = isLean(seen) ? (pendingBody(id) ?? cache.get(id)) : seen
        if (!full) {
          const at = slots.get(id)
          if (at && at.off >= 0 && at.day === day) {
            bytes ??= await readFile(files.day(day))
            let parsed: Item | undefined
            try {
              parsed = JSON.parse(bytes.subarray(at.off, at.off + at.len).toString('utf8')) as Item
            } catch {
              parsed = undefined // the partition was written again since it was read
            }
            full = parsed?.id === id ? wholeAgain(freezeWhole(parsed), seen) : whole(seen)
          } else full = whole(seen)
        }
        const topics = [...new Set(tagger(full))].sort()
        found.set(id, { seen, topics })
        if (!same(topics, seen.topics) && isLean(seen)) keep.set(id, full)
        if (++sinceYield >= 200) {
          sinceYield = 0
          await new Promise((done) => setImmediate(done))
        }
      }
    }
    retagging = keep
    try {
      // Items saved or changed meanwhile are tagged from their whole item as they are now.
      return await mem.retag((item) => {
        const f = found.get(item.id)
        return f && f.seen === item ? f.topics : tagger(whole(item))
      }, only)
    } finally {
      retagging = undefined
    }
  }

  /** Whether a save of `incoming` can change the stored item (else the journal need not hold it). */
  const changes = (incoming: Item): boolean => {
    const s = mem.peek(incoming.id)
    return (
      !s ||
      s.contentHash !== incoming.contentHash ||
      s.clusterId !== incoming.clusterId ||
      s.topics.length !== incoming.topics.length ||
      s.topics.some((t, k) => t !== incoming.topics[k])
    )
  }

  const store: PartitionedStore = {
    ...memoryMethods(mem),
    keepsWordFilters: true,
    // Durable before visible: a save is journaled (synced) before memory, hence readers, see it.
    async saveIngest(r) {
      const foreign = [r.state, ...r.items].some((x) => x.sourceId !== r.sourceId)
      if (opts.readOnly || foreign) return mem.saveIngest(r)
      const entry = { ...r, items: r.items.filter(changes) }
      const { line, spans } = encodeEntry(entry)
      await journal.append(entry, line)
      // The memory store files every item of the save before its first await: the spill file
      // takes the journal's bytes of an item filed as it came (a new one), instead of its JSON again.
      const byId = new Map<string, number>()
      for (let k = 0; k < entry.items.length; k++) byId.set(entry.items[k]!.id, k)
      encoded = { items: entry.items, byId, line, spans }
      givenWords = r.wordFilters
      let saving: Promise<SaveSummary>
      try {
        saving = mem.saveIngest(r)
      } finally {
        encoded = undefined
        givenWords = undefined
      }
      const saved = await saving
      await relieve()
      return saved
    },
    // What leaves the store is whole: bodies come back from `pending`, the cache or the partition.
    async recentItems(since) {
      return (await mem.recentItems(since)).map(whole)
    },
    async queryItems(q) {
      const page = await mem.queryItems(q)
      return { ...page, items: page.items.map(whole) }
    },
    async getItem(id) {
      const item = await mem.getItem(id)
      return item && whole(item)
    },
    async clusterMembers(clusterId) {
      return (await mem.clusterMembers(clusterId)).map(whole)
    },
    retag: (tagger, only) => retagByDay(tagger, only),
    async taggedWith() {
      const text = await readFile(files.tagging, 'utf8').catch(() => undefined)
      if (text === undefined) return undefined
      try {
        const doc = JSON.parse(text) as { fingerprint?: unknown }
        return typeof doc.fingerprint === 'string' ? doc.fingerprint : undefined
      } catch {
        return undefined // unreadable: unknown, so the items are re-tagged (nothing is lost)
      }
    },
    async setTaggedWith(fingerprint) {
      if (opts.readOnly) return
      if (fingerprint === undefined) {
        await rm(files.tagging, { force: true })
        await syncDir(dir) // forgotten durably before the re-tag's first write
      } else await writeFileAtomic(files.tagging, `${JSON.stringify({ fingerprint })}\n`)
    },
    flush,
    async close() {
      try {
        await flush()
      } finally {
        await journal.close()
        spill.close()
        release()
      }
    },
    writeFailures,
    writeCount: () => writes,
  }
  if (!deferred) return store

  /**
   * Whether retention can have nothing to remove without reading an item: no partition holds a
   * day older than the age cutoff (an item is filed under its publication day), and no source's
   * state counts more items than it keeps (every save stamps its source's count, so a state
   * without one has stored nothing).
   */
  const nothingToPrune = async (policy: Retention, now: Date): Promise<boolean> => {
    const oldest = days[0]
    const cutoff = now.getTime() - policy.maxAgeDays * DAY_MS
    if (oldest !== undefined && Date.parse(`${oldest}T00:00:00.000Z`) < cutoff) return false
    const keep = Math.max(0, policy.maxItemsPerSource)
    return (await mem.listStates()).every((st) => (st.itemCount ?? 0) <= keep)
  }
  /** A method that needs the items: it loads them first. */
  const needing =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      await ensureItems()
      return f(...a)
    }
  // States, verdicts and the tagging fingerprint are there already: a cycle whose every source
  // answers 304 reads no item at all.
  return {
    ...store,
    recentItems: needing(store.recentItems),
    saveIngest: needing(store.saveIngest),
    queryItems: needing(store.queryItems),
    getItem: needing(store.getItem),
    clusterMembers: needing(store.clusterMembers as NonNullable<Store['clusterMembers']>),
    countItems: needing(store.countItems),
    retag: needing(store.retag),
    async prune(policy, now) {
      if (!itemsLoad && (await nothingToPrune(policy, now))) return 0
      await ensureItems()
      return store.prune(policy, now)
    },
  }
}
