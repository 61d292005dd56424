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

/** Whether character `c` is an ASCII digit. */
const isDigit = (c: number): boolean => c >= 48 && c <= 57

/**
 * The time of day of a canonical date (`YYYY-MM-DDTHH:MM:SS.mmmZ`, as toISOString writes it) that
 * starts with `prefix` (its first 11 characters), as the number its nine digits make, so that two
 * such dates compare as their numbers do; −1 for any other date.
 */
const timeDigits = (at: string, prefix: string): number => {
  if (at.length !== 24 || !at.startsWith(prefix) || at.charCodeAt(23) !== 90) return -1
  if (at.charCodeAt(13) !== 58 || at.charCodeAt(16) !== 58 || at.charCodeAt(19) !== 46) return -1
  let t = 0
  for (let i = 11; i < 23; i++) {
    if (i === 13 || i === 16 || i === 19) continue
    const c = at.charCodeAt(i)
    if (!isDigit(c)) return -1
    t = t * 10 + (c - 48)
  }
  return t
}

/** Ties of {@link newestFirst} (one date): the greater id first. */
const greaterIdFirst = (a: Item, b: Item): number => (a.id < b.id ? 1 : -1)

/** Items of one date past which a run is sorted by comparisons, not by insertion (quadratic). */
const SHORT_RUN = 32

/**
 * Sorts `items` (distinct ids) in place in {@link newestFirst}'s order, and returns them. A day
 * partition's items, whose dates all share their day, are sorted as numbers (each date's time of
 * day times n plus its index, in a Float64Array: no comparator call per comparison, which a flush
 * of a first import's days of 24,000 items each paid about half a million times); any other list
 * by newestFirst.
 */
export const sortNewestFirst = (items: Item[]): Item[] => {
  const n = items.length
  // Past 2^53 / 10^9 items, a key would not be exact.
  if (n < 2 || n > 9_000_000) return items.sort(newestFirst)
  const prefix = items[0]!.publishedAt.slice(0, 11)
  const keys = new Float64Array(n)
  for (let k = 0; k < n; k++) {
    const t = timeDigits(items[k]!.publishedAt, prefix)
    if (t < 0) return items.sort(newestFirst)
    keys[k] = t * n + k
  }
  keys.sort()
  const sorted = items.slice()
  // A key's time, exactly (a remainder and a quotient of integers below 2^53, not a rounded division).
  const timeOf = (key: number): number => (key - (key % n)) / n
  // Newest first: from the greatest key; a run of one date, by id.
  let out = 0
  for (let i = n - 1; i >= 0; ) {
    const t = timeOf(keys[i]!)
    let j = i
    while (j > 0 && timeOf(keys[j - 1]!) === t) j--
    const from = out
    if (i - j >= SHORT_RUN) {
      // A long run of one date (undated items filed at their fetch time, say): sorted by id.
      const run: Item[] = []
      for (let m = j; m <= i; m++) run.push(sorted[keys[m]! % n]!)
      run.sort(greaterIdFirst)
      for (const item of run) items[out++] = item
    } else {
      for (let m = j; m <= i; m++) {
        // A run of a few items of one date: an insertion sort, the greater id first.
        const item = sorted[keys[m]! % n]!
        let at = out++
        while (at > from && items[at - 1]!.id < item.id) {
          items[at] = items[at - 1]!
          at--
        }
        items[at] = item
      }
    }
    i = j - 1
  }
  return items
}
