/** The lowdb Store: the memory store persisted to one JSON file, written atomically on flush. */
import { mkdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { Low } from 'lowdb'
import { DataFile } from 'lowdb/node'
import { z } from 'zod'
import { StoreError } from '../model/errors.js'
import type {
  ErrorCode,
  Item,
  SourceState,
  Store,
  StoredTopicModel,
  Verdict,
} from '../model/types.js'
import { createMemoryStore, type DbSnapshot } from './memory.js'
import { createFlusher, memoryMethods } from './persisted.js'

export interface LowdbStoreOptions {
  /** The JSON file (SPEC: `storage.path`, e.g. `data/db.json`); shown as given in messages. */
  path: string
  /** A source's preference as a story's lead (see memory.ts `MemoryStoreOptions.priorityOf`). */
  priorityOf?: (sourceId: string) => number
}

/** The lowdb store; `writeCount` is how many times the file was written (for tests and logs). */
export type LowdbStore = Store & { writeCount(): number }

/** The only file layout this version reads and writes. */
export const DB_VERSION = 1

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO 8601 date')

export const itemSchema = z.looseObject({
  id: z.string().min(1),
  sourceId: z.string().min(1),
  guid: z.string().optional(),
  url: z.string().optional(),
  canonicalUrl: z.string().optional(),
  title: z.string(),
  summary: z.string().optional(),
  contentHtml: z.string().optional(),
  author: z.string().optional(),
  language: z.string().optional(),
  categories: z.array(z.string()),
  enclosures: z.array(
    z.looseObject({ url: z.string(), type: z.string().optional(), length: z.number().optional() }),
  ),
  publishedAt: isoDate,
  updatedAt: isoDate.optional(),
  fetchedAt: isoDate,
  contentHash: z.string(),
  topics: z.array(z.string()),
  clusterId: z.string().min(1),
}) satisfies z.ZodType<Item>

export const stateSchema = z.looseObject({
  sourceId: z.string().min(1),
  effectiveUrl: z.string().optional(),
  etag: z.string().optional(),
  lastModified: z.string().optional(),
  lastFetchAt: isoDate.optional(),
  lastSuccessAt: isoDate.optional(),
  lastStatus: z.number().optional(),
  lastError: z
    .looseObject({
      code: z.custom<ErrorCode>((v) => typeof v === 'string'),
      message: z.string(),
      at: z.string(),
    })
    .optional(),
  failures: z.number(),
  nextPollAt: isoDate,
  gone: z.boolean().optional(),
  itemCount: z.number().optional(),
}) satisfies z.ZodType<SourceState>

export const verdictSchema = z.object({
  topicId: z.string(),
  itemId: z.string(),
  in: z.boolean(),
  at: isoDate,
  title: z.string(),
  summary: z.string().optional(),
  seq: z.number().int().nonnegative().optional(),
}) satisfies z.ZodType<Verdict>

/** A learned topic model as stored beside the verdicts (Store.saveTopicModel). */
export const storedTopicModelSchema = z.object({
  topicId: z.string(),
  basis: z.string(),
  covers: z.object({
    count: z.number().int().nonnegative(),
    seq: z.number().int().nonnegative(),
    at: z.string(),
    itemId: z.string(),
  }),
  model: z.object({
    version: z.literal(1),
    examples: z.object({ in: z.number(), out: z.number() }),
    bias: z.number(),
    weights: z.record(z.string(), z.number()),
  }),
}) satisfies z.ZodType<StoredTopicModel>

const dbSchema = z.object({
  version: z.literal(DB_VERSION),
  states: z.record(z.string(), stateSchema),
  items: z.array(itemSchema),
  // optional: files written before verdicts existed are still version 1
  verdicts: z.array(verdictSchema).optional(),
  models: z.array(storedTopicModelSchema).optional(),
})

const shellQuote = (p: string): string =>
  /^[\w./@%+=:,-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`

/** The StoreError refusing `shown`: what is wrong and how to recover (move it aside, restore a backup). */
export const refuseFile = (
  shown: string,
  problem: string,
  fix?: string,
  after = 'an empty store',
): StoreError =>
  new StoreError(
    `${shown} ${problem}. topicwire will not overwrite it. ${
      fix ?? 'Move it aside'
    } (mv ${shellQuote(shown)} ${shellQuote(`${shown}.bad`)}) to start with ${after}, or restore a backup.`,
  )

/** `…at position 42` → `…at line 3 column 5`, counted in `text`. */
const locate = (message: string, text: string): string =>
  message.replace(/at position (\d+)(?: \(line \d+ column \d+\))?/, (_m, pos: string) => {
    const before = text.slice(0, Number(pos))
    const line = before.split('\n').length
    const column = Number(pos) - before.lastIndexOf('\n')
    return `at line ${line} column ${column}`
  })

/** A zod issue's path as `items[3].title`. */
export const issuePath = (path: readonly PropertyKey[]): string =>
  path
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${String(k)}`))
    .join('') || 'the document'

/**
 * Parses and checks a store document's text: JSON, then `version`, then `schema` (every state and
 * item). Shared by the single file and the partitions of lowdb/, so both refuse alike.
 * @throws StoreError naming the file, the problem and how to recover.
 */
export const parseStoreDocument = <T>(
  text: string,
  shown: string,
  schema: z.ZodType<T>,
  /** What moving the file aside leaves: "an empty store", "the other days' items". */
  after?: string,
): T => {
  const refuse = (problem: string, fix?: string) => refuseFile(shown, problem, fix, after)
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    const detail = err instanceof Error ? locate(err.message, text) : String(err)
    throw refuse(`is not valid JSON (${detail})`)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw refuse('is not a topicwire store (expected a JSON object with "version")')
  }
  const version: unknown = (raw as Record<string, unknown>).version
  if (typeof version !== 'number') {
    throw refuse('is not a topicwire store (it has no numeric "version")')
  }
  if (version !== DB_VERSION) {
    throw refuse(
      `has store version ${version}, but this topicwire reads version ${DB_VERSION}${
        version > DB_VERSION ? ' (a newer topicwire wrote it)' : ''
      }`,
      version > DB_VERSION ? 'Upgrade topicwire, or move it aside' : undefined,
    )
  }
  const parsed = schema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue ? `${issuePath(issue.path)}: ${issue.message}` : 'unknown problem'
    throw refuse(`is not a topicwire store (${where})`)
  }
  return parsed.data
}

/** `states` keyed by each state's own sourceId, or a StoreError naming the first that is not. */
export const checkStateKeys = (states: Record<string, SourceState>, shown: string): void => {
  for (const [key, st] of Object.entries(states)) {
    if (st.sourceId !== key) {
      throw refuseFile(
        shown,
        `is not a topicwire store (states.${key} has sourceId "${st.sourceId}")`,
      )
    }
  }
}

/**
 * Parses and checks the file's text: JSON, then `version`, then the shape of every state and item.
 * @throws StoreError naming the file, the problem and how to recover.
 */
export const parseDbFile = (text: string, shown: string): DbSnapshot => {
  const data = parseStoreDocument(text, shown, dbSchema)
  checkStateKeys(data.states, shown)
  return data as DbSnapshot
}

const describeError = (err: unknown): string => (err instanceof Error ? err.message : String(err))

/**
 * Opens (or, on the first flush, creates along with its folder) the lowdb file at `opts.path`.
 * Everything lives in a memory store; `flush()` writes the file atomically (steno: temp file +
 * rename), compact, and only when something changed since the last flush. A missing file is an
 * empty store; an unreadable one is refused with a StoreError and never touched.
 * @example const store = await createLowdbStore({ path: 'data/db.json' })
 */
export const createLowdbStore = async (opts: LowdbStoreOptions): Promise<LowdbStore> => {
  const shown = opts.path
  const file = resolve(opts.path)
  let found = false
  const empty: DbSnapshot = { version: DB_VERSION, states: {}, items: [] }
  const db = new Low<DbSnapshot>(
    new DataFile<DbSnapshot>(file, {
      parse: (text) => {
        found = true
        return parseDbFile(text, shown)
      },
      stringify: (data) => JSON.stringify(data),
    }),
    empty,
  )
  try {
    await db.read()
  } catch (err) {
    if (err instanceof StoreError) throw err
    throw new StoreError(
      `cannot read ${shown} (${describeError(err)}). Check that it is a file topicwire may read.`,
      { cause: err },
    )
  }
  try {
    await mkdir(dirname(file), { recursive: true })
  } catch (err) {
    throw new StoreError(`cannot create the folder of ${shown} (${describeError(err)})`, {
      cause: err,
    })
  }

  const mem = createMemoryStore(opts.priorityOf ? { priorityOf: opts.priorityOf } : {})
  mem.load(db.data)
  // A missing file is written by the first flush, so a fresh install shows its store file.
  let flushed = found ? mem.revision() : -1
  let writes = 0

  const writeIfChanged = async (): Promise<void> => {
    const rev = mem.revision()
    if (rev === flushed) return
    db.data = mem.snapshot()
    try {
      await db.write()
    } catch (err) {
      throw new StoreError(
        `cannot write ${shown} (${describeError(err)}); the previous file is kept and the next flush retries. Check free space and permissions of ${dirname(shown)}.`,
        { cause: err },
      )
    }
    flushed = rev
    writes++
  }

  const { flush, writeFailures } = createFlusher(writeIfChanged)

  return {
    ...memoryMethods(mem),
    flush,
    close: flush,
    writeCount: () => writes,
    writeFailures,
  }
}
