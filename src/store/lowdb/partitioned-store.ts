/** The partitioned lowdb Store: the memory store persisted as one lowdb document per publication day plus one for source states. */
import { existsSync, statSync } from 'node:fs'
import { mkdir, readdir, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { StoreError } from '../../model/errors.js'
import type { Item, SourceState, Store } from '../../model/types.js'
import { checkStateKeys, createLowdbStore, DB_VERSION, parseStoreDocument } from '../lowdb.js'
import { createMemoryStore, type DbSnapshot } from '../memory.js'
import { createFlusher, memoryMethods } from '../persisted.js'
import { AtomicJsonFile, syncDir, writeFilesAtomic } from './atomic-file.js'
import {
  DAY_FILE,
  type DayDoc,
  dayDocSchema,
  dayOf,
  filesOf,
  folderOf,
  newestFirst,
  stateDocSchema,
} from './layout.js'
import { acquireLock } from './lock.js'
import { migrateSingleFile } from './migrate.js'

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
    if (!(await migrateSingleFile(legacy, opts.path, dir, log))) {
      try {
        await mkdir(files.items, { recursive: true })
      } catch (err) {
        throw new StoreError(`cannot create ${shownDir} (${describeError(err)})`, { cause: err })
      }
    }
  } else if (!statSync(dir).isDirectory()) {
    throw new StoreError(
      `${shownDir} is not a folder, but the store of storage.path ${opts.path} lives there. Move it aside.`,
    )
  } else if (existsSync(legacy) && !opts.readOnly) {
    log(`${opts.path} is not read: the store lives in ${shownDir}/ (see README "Running at scale")`)
  }
  const release = opts.readOnly ? () => undefined : acquireLock(dir, shownDir, log)

  const byDay = new Map<string, Map<string, Item>>()
  const dirty = new Set<string>()
  const file = (day: string, item: Item): void => {
    const m = byDay.get(day)
    if (m) m.set(item.id, item)
    else byDay.set(day, new Map([[item.id, item]]))
  }
  const mem = createMemoryStore({
    ...(opts.priorityOf ? { priorityOf: opts.priorityOf } : {}),
    onItem(before, after) {
      if (before) {
        const day = dayOf(before)
        byDay.get(day)?.delete(before.id)
        dirty.add(day)
      }
      if (after) {
        const day = dayOf(after)
        file(day, after)
        dirty.add(day)
      }
    },
  })

  const stateFile = new AtomicJsonFile<StateDoc>(files.state, (text) => {
    const doc = parseStoreDocument(text, shown.state, stateDocSchema) as StateDoc
    checkStateKeys(doc.states, shown.state)
    return doc
  })
  let found = false
  try {
    // Leftovers of writes killed before their rename: the documents themselves are whole.
    for (const d of opts.readOnly ? [] : [dir, files.items]) {
      for (const name of await readdir(d)) {
        if (name.startsWith('.') && name.endsWith('.tmp')) await rm(join(d, name), { force: true })
      }
    }
    const state = await stateFile.read()
    found = state !== null
    const items: Item[] = []
    const dayOfId = new Map<string, string>()
    for (const name of (await readdir(files.items)).sort()) {
      const day = DAY_FILE.exec(name)?.[1]
      if (!day) continue
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
      for (const item of doc?.items ?? []) {
        const seen = dayOfId.get(item.id)
        // An item in the wrong day (or in two) is filed again where it belongs by the next flush.
        if (seen !== undefined) dirty.add(seen)
        if (dayOf(item) !== day) dirty.add(day)
        dayOfId.set(item.id, day)
        items.push(item)
      }
    }
    const snapshot: DbSnapshot = {
      ...(state ?? {}),
      version: DB_VERSION,
      states: state?.states ?? ({} as Record<string, SourceState>),
      items,
    }
    mem.load(snapshot)
    for (const item of items) {
      const stored = await mem.getItem(item.id)
      if (stored) file(dayOf(stored), stored)
    }
  } catch (err) {
    release()
    if (err instanceof StoreError) throw err
    throw new StoreError(
      `cannot read ${shownDir} (${describeError(err)}). Check that topicwire may read it.`,
      { cause: err },
    )
  }

  // A fresh folder gets its state.json on the first flush, so a new install shows its store.
  let flushed = found ? mem.revision() : -1
  let writes = 0

  const writeChanged = async (): Promise<void> => {
    const rev = mem.revision()
    if (opts.readOnly || (rev === flushed && dirty.size === 0)) return
    const days = [...dirty].sort()
    dirty.clear()
    try {
      let dropped = false
      const out: { file: string; text: string }[] = []
      for (const day of days) {
        const m = byDay.get(day)
        if (!m || m.size === 0) {
          byDay.delete(day)
          await rm(files.day(day), { force: true })
          dropped = true
        } else {
          const doc: DayDoc = { version: DB_VERSION, day, items: [...m.values()].sort(newestFirst) }
          out.push({ file: files.day(day), text: JSON.stringify(doc) })
        }
        writes++
      }
      await writeFilesAtomic(out)
      if (dropped) await syncDir(files.items)
      // States after items: a crash in between leaves a state older than its items, so the next
      // poll fetches again what it may have missed, never the other way round.
      if (rev !== flushed) {
        const { items: _items, ...rest } = mem.snapshot()
        await stateFile.write(rest)
        writes++
      }
    } catch (err) {
      for (const day of days) dirty.add(day)
      throw new StoreError(
        `cannot write ${shownDir} (${describeError(err)}); the documents already there are kept and the next flush retries. Check free space and permissions of ${shownDir}.`,
        { cause: err },
      )
    }
    flushed = rev
  }

  const { flush, writeFailures } = createFlusher(writeChanged)

  return {
    ...memoryMethods(mem),
    flush,
    async close() {
      try {
        await flush()
      } finally {
        release()
      }
    },
    writeFailures,
    writeCount: () => writes,
  }
}
