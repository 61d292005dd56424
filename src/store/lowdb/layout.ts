/** Where a partitioned store keeps its documents, derived from the user's `storage.path`, and how items map to partitions. */
import { join } from 'node:path'
import { z } from 'zod'
import type { Item } from '../../model/types.js'
import {
  DB_VERSION,
  itemSchema,
  stateSchema,
  storedTopicModelSchema,
  verdictSchema,
} from '../lowdb.js'

/** The partition files' names: one per UTC publication day. */
export const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.json$/

/**
 * The store folder for `storage.path`: `data/db.json` → `data/db` (beside the file it replaces),
 * any other name → the name plus `.d`.
 */
export const folderOf = (path: string): string =>
  /\.json$/i.test(path) ? path.replace(/\.json$/i, '') : `${path}.d`

/** The files of a store folder: `index/` is derived from `items/` (deleting it costs one slow start). */
export const filesOf = (dir: string) => ({
  state: join(dir, 'state.json'),
  items: join(dir, 'items'),
  day: (day: string) => join(dir, 'items', `${day}.json`),
  index: join(dir, 'index'),
  dayIndex: (day: string) => join(dir, 'index', `${day}.json`),
  /** `{ "fingerprint": … }`: the rules every stored item was tagged under (absent: re-tag at start). */
  tagging: join(dir, 'tagging.json'),
})

/** The UTC day an item is filed under: its publication date's. */
export const dayOf = (item: Item): string => {
  const at = item.publishedAt
  // Stored dates are written by toISOString: the day is their first ten characters.
  if (at.length === 24 && at.endsWith('Z') && at[10] === 'T') return at.slice(0, 10)
  return new Date(Date.parse(at)).toISOString().slice(0, 10)
}

/** Whether `item` is filed under `day` ({@link dayOf}), without making its day's string. */
export const isOfDay = (item: Item, day: string): boolean => {
  const at = item.publishedAt
  if (at.length === 24 && at.endsWith('Z') && at[10] === 'T') return at.startsWith(day)
  return dayOf(item) === day
}

/** One day's items, newest first. */
export const dayDocSchema = z.object({
  version: z.literal(DB_VERSION),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'not a YYYY-MM-DD day'),
  items: z.array(itemSchema),
})
export interface DayDoc {
  version: typeof DB_VERSION
  day: string
  items: Item[]
}

/** Everything but items: the source states (and whatever else the memory store snapshots). */
export const stateDocSchema = z.looseObject({
  version: z.literal(DB_VERSION),
  states: z.record(z.string(), stateSchema),
  // Readers' verdicts on topics: absent in stores written before they existed.
  verdicts: z.array(verdictSchema).optional(),
  // Learned topic models (Store.saveTopicModel): absent in stores written before they were kept.
  models: z.array(storedTopicModelSchema).optional(),
})

/**
 * Items newest first (ties: the greater id first), as a day's document keeps them: the order of
 * query.ts `compareKeys`, so days read newest first are the store's view without a sort.
 */
export const newestFirst = (a: Item, b: Item): number =>
  b.publishedAt < a.publishedAt ? -1 : b.publishedAt > a.publishedAt ? 1 : a.id < b.id ? 1 : -1
