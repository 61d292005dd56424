/** What the store would compute of each item (its search words, the JSON of its fixed fields), computed in the worker and sent packed: the poll's thread takes it instead of computing it. */
import type { Item, PreparedItem } from '../../model/types.js'
import { searchWordsOf } from '../../topics/search-words.js'

/**
 * A feed's prepared items, flat, in two buffers the worker transfers (one pair per feed, whatever
 * its item count, rather than two strings per item for structured clone to copy).
 */
export interface PackedPrepared {
  /** Item i's JSON head, then its word filter (Latin-1), at `ends[3i-2] … ends[3i]` (ends absolute). */
  data: Uint8Array
  /** Per item: where its head ends, where its words end, and how many keys the head covers. */
  ends: Uint32Array
}

/** The key of an item from which the poll's thread may still change it (topics, story). */
const FIRST_OPEN_KEY = 'topics'

/**
 * The JSON of `item`'s keys before `topics` without the closing brace, and how many keys that is:
 * JSON.stringify of an object is `{`, its members (those with a value JSON writes) joined by
 * commas, `}`; so this head, a comma and the JSON of the other keys without its `{` is the JSON of
 * the item (see lowdb/prepared-json.ts).
 * @example jsonHead({ id: 'a', topics: [] } as unknown as Item) // { head: '{"id":"a"', keys: 1 }
 */
export const jsonHead = (item: Item): { head: string; keys: number } => {
  const head: Record<string, unknown> = {}
  let keys = 0
  for (const key of Object.keys(item)) {
    if (key === FIRST_OPEN_KEY) break
    head[key] = (item as unknown as Record<string, unknown>)[key]
    keys++
  }
  return { head: JSON.stringify(head).slice(0, -1), keys }
}

/**
 * Packs what the store would compute of each of `items` (see {@link PackedPrepared}).
 * @example worker.postMessage(packed, [packed.data.buffer, packed.ends.buffer])
 */
export const packPrepared = (items: readonly Item[]): PackedPrepared => {
  const heads: string[] = []
  const words: string[] = []
  const keys: number[] = []
  let size = 0
  for (const item of items) {
    const h = jsonHead(item)
    const w = searchWordsOf(item)
    heads.push(h.head)
    keys.push(h.keys)
    words.push(w)
    size += Buffer.byteLength(h.head, 'utf8') + w.length
  }
  const data = new Uint8Array(size)
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  const ends = new Uint32Array(items.length * 3)
  let at = 0
  for (let i = 0; i < items.length; i++) {
    at += bytes.write(heads[i]!, at, 'utf8')
    ends[3 * i] = at
    at += bytes.write(words[i]!, at, 'latin1')
    ends[3 * i + 1] = at
    ends[3 * i + 2] = keys[i]!
  }
  return { data, ends }
}

/**
 * The prepared items again, by id, each for the item it was packed from (`items`, in the order
 * packed): heads are views of the one buffer, words strings of their own.
 */
export const unpackPrepared = (
  packed: PackedPrepared,
  items: readonly Item[],
): Map<string, PreparedItem> => {
  const { data, ends } = packed
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  const out = new Map<string, PreparedItem>()
  let from = 0
  for (let i = 0; i < items.length; i++) {
    const headEnd = ends[3 * i]!
    const wordsEnd = ends[3 * i + 1]!
    const of = items[i]!
    out.set(of.id, {
      of,
      head: bytes.subarray(from, headEnd),
      words: bytes.toString('latin1', headEnd, wordsEnd),
      keys: ends[3 * i + 2]!,
    })
    from = wordsEnd
  }
  return out
}
