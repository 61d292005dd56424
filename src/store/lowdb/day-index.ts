/** A day partition's index file: the lean items, their words and where each item's JSON lies in the partition, in columns, stamped with the partition it describes. */
import { createHash } from 'node:crypto'
import type { Item } from '../../model/types.js'
import { DB_VERSION } from '../lowdb.js'
import { fromLeanRow, leanOf } from './lean-item.js'

/**
 * What identifies one written partition: its size and mtime (a hand edit changes them), a token
 * written in it, and the SHA-256 of its bytes (what decides when only the mtime differs).
 */
export interface DayStamp {
  size: number
  mtimeMs: number
  gen: string
  /** Absent in indexes of format 2 (which an mtime change alone makes stale). */
  hash?: string
}

/**
 * The layout of index files this version writes: 4 keeps each field in a column (one array per
 * field, not one object per item), which a start parses with far fewer objects. Formats 2 (rows,
 * no hash) and 3 (rows) are read too; others are rebuilt.
 */
const INDEX_FORMAT = 4
const ROW_FORMATS: readonly unknown[] = [2, 3]

/**
 * An index's items, each with its distinct words and its bytes in the partition, in columns (the
 * arrays as parsed, no object per item); `restamp`: they describe the partition, but its mtime is
 * not the stamped one.
 */
export interface IndexRead {
  items: Item[]
  words: string[]
  off: number[]
  len: number[]
  restamp: boolean
}

/** One item of an index: its lean copy, its distinct words, and its bytes in the partition. */
export interface IndexRow {
  item: Item
  words: string
  off: number
  len: number
}

/** The head every partition this version writes starts with (a JSON DayDoc with a `gen` token). */
const headOf = (day: string, gen: string): string =>
  `{"version":${DB_VERSION},"day":"${day}","gen":"${gen}","items":[`
const HEAD = /^\{"version":\d+,"day":"[0-9-]+","gen":"([0-9a-z]+)","items":\[/

/** How many bytes of a partition {@link genOf} needs. */
export const HEAD_BYTES = 80

/** The `gen` token at the start of a partition this version wrote (undefined for any other). */
export const genOf = (head: string): string | undefined => HEAD.exec(head)?.[1]

/**
 * A day document (DayDoc plus `gen`) made of items' JSON texts, newest first, and where each lies
 * in it (byte offset and length), so one item is read back without parsing the day.
 * @example dayDocument('2026-03-10', 'k3x9', [Buffer.from(JSON.stringify(item))]).spans // [[41, 812]]
 */
export const dayDocument = (
  day: string,
  gen: string,
  parts: readonly Buffer[],
): { bytes: Buffer; spans: [number, number][] } => {
  const { chunks, spans } = dayChunks(day, gen, parts)
  return { bytes: Buffer.concat(chunks), spans }
}

/**
 * The bytes a day document puts around and between its items' JSON texts: a writer that makes
 * the items one at a time writes `head`, the items separated by `comma`, then `tail`.
 */
export const dayFrame = (
  day: string,
  gen: string,
): { head: Buffer; comma: Buffer; tail: Buffer } => ({
  head: Buffer.from(headOf(day, gen)),
  comma: Buffer.from(','),
  tail: Buffer.from(']}'),
})

/**
 * {@link dayDocument} as the chunks it is made of, in order (the parts themselves, not copies).
 */
export const dayChunks = (
  day: string,
  gen: string,
  parts: readonly Buffer[],
): { chunks: Buffer[]; spans: [number, number][] } => {
  const { head, comma, tail } = dayFrame(day, gen)
  const chunks: Buffer[] = [head]
  const spans: [number, number][] = []
  let at = head.length
  for (const [k, p] of parts.entries()) {
    if (k > 0) {
      chunks.push(comma)
      at++
    }
    spans.push([at, p.length])
    chunks.push(p)
    at += p.length
  }
  chunks.push(tail)
  return { chunks, spans }
}

/**
 * The index file of a partition stamped `stamp`, in columns. A story's own id (`cluster`) and a
 * fetch date equal to the publication date are written as null: read back, they share the string
 * of the id or the date instead of holding a copy each.
 */
export const indexText = (day: string, stamp: DayStamp, rows: readonly IndexRow[]): string =>
  [...indexParts(day, stamp, rows)].join('')

/**
 * Characters of a column's JSON made at once by {@link columnParts}: JSON.stringify of a whole
 * column of tens of thousands of values made a string of MBs in pieces, which its writer then
 * copied whole into one new string in the large-object space (a flush of a first import spent
 * more on those copies than on the JSON itself); texts of this size are made and dropped in the
 * young generation.
 */
const COLUMN_PIECE_CHARS = 32 * 1024

/** About how many characters value `v` adds to a column's JSON. */
const charsOf = (v: unknown): number => (typeof v === 'string' ? v.length + 3 : 16)

/**
 * {@link indexText} in pieces whose concatenation is that text, a column at a time and each
 * column in pieces of about `pieceChars` characters: a flush writing the index of a day of tens of
 * thousands of items holds one such piece and its values, not a column's text, nor the whole.
 */
export function* indexParts(
  day: string,
  stamp: DayStamp,
  rows: readonly IndexRow[],
  pieceChars = COLUMN_PIECE_CHARS,
): Generator<string, void, undefined> {
  // Same keys in the same order as one JSON.stringify of the whole object (the head ends with
  // the number n, so its closing brace is the last character).
  const head = JSON.stringify({
    version: DB_VERSION,
    format: INDEX_FORMAT,
    day,
    ...stamp,
    n: rows.length,
  })
  yield head.slice(0, -1)
  const cols: [string, (r: IndexRow) => unknown][] = [
    ['off', (r) => r.off],
    ['len', (r) => r.len],
    ['words', (r) => r.words],
    ['id', (r) => r.item.id],
    ['source', (r) => r.item.sourceId],
    ['title', (r) => r.item.title],
    ['canonical', (r) => r.item.canonicalUrl ?? null],
    ['language', (r) => r.item.language ?? null],
    ['published', (r) => r.item.publishedAt],
    ['updated', (r) => r.item.updatedAt ?? null],
    ['fetched', (r) => (r.item.fetchedAt === r.item.publishedAt ? null : r.item.fetchedAt)],
    ['contentHash', (r) => r.item.contentHash],
    ['topics', (r) => r.item.topics],
    ['cluster', (r) => (r.item.clusterId === r.item.id ? null : r.item.clusterId)],
    ['reason', (r) => r.item.clusterReason ?? null],
  ]
  for (const [key, f] of cols) {
    yield `,"${key}":`
    yield* columnParts(rows, f, pieceChars)
  }
  yield '}'
}

/**
 * The JSON of the column `rows.map(f)` in pieces of about `pieceChars` characters (a column that
 * fits in one is one piece: the array's JSON), whose concatenation is `JSON.stringify(rows.map(f))`.
 */
function* columnParts(
  rows: readonly IndexRow[],
  f: (r: IndexRow) => unknown,
  pieceChars: number,
): Generator<string, void, undefined> {
  const n = rows.length
  let from = 0
  while (from < n || from === 0) {
    const values: unknown[] = []
    let chars = 0
    let k = from
    while (k < n && (chars < pieceChars || values.length === 0)) {
      const v = f(rows[k]!)
      values.push(v)
      chars += charsOf(v)
      k++
    }
    const text = JSON.stringify(values)
    if (from === 0 && k === n) {
      yield text
      return
    }
    // Without the brackets of this piece's array: `[` before the first, `,` between, `]` after the last.
    yield from === 0 ? text.slice(0, -1) : ','
    if (from > 0) yield text.slice(1, -1)
    if (k === n) yield ']'
    from = k
  }
}

const isStr = (v: unknown): v is string => typeof v === 'string'
const isOpt = (v: unknown): boolean => v === null || typeof v === 'string'
const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0
const isTopics = (v: unknown): boolean => Array.isArray(v) && v.every(isStr)
const isReason = (v: unknown): boolean => v === null || (typeof v === 'object' && !Array.isArray(v))

/** A column of `n` values that `ok` accepts, or undefined. */
const column = <T>(
  doc: Record<string, unknown>,
  key: string,
  n: number,
  ok: (v: unknown) => boolean,
) => {
  const c = doc[key]
  if (!Array.isArray(c) || c.length !== n) return undefined
  for (let k = 0; k < n; k++) if (!ok(c[k])) return undefined
  return c as T[]
}

/** The items of a format 4 index, or what is wrong with it. */
const readColumns = (
  doc: Record<string, unknown>,
  size: number,
): Omit<IndexRead, 'restamp'> | string => {
  const n = doc.n
  if (!isNat(n)) return 'no items'
  const off = column<number>(doc, 'off', n, isNat)
  const len = column<number>(doc, 'len', n, isNat)
  const words = column<string>(doc, 'words', n, isStr)
  if (!off || !len) return 'an item is damaged'
  if (!words) return 'an item has no words'
  for (let k = 0; k < n; k++)
    if (off[k]! + len[k]! > size) return 'an item lies outside the partition'
  const id = column<string>(doc, 'id', n, isStr)
  const source = column<string>(doc, 'source', n, isStr)
  const title = column<string>(doc, 'title', n, isStr)
  const canonical = column<string | null>(doc, 'canonical', n, isOpt)
  const language = column<string | null>(doc, 'language', n, isOpt)
  const published = column<string>(doc, 'published', n, isStr)
  const updated = column<string | null>(doc, 'updated', n, isOpt)
  const fetched = column<string | null>(doc, 'fetched', n, isOpt)
  const hash = column<string>(doc, 'contentHash', n, isStr)
  const topics = column<string[]>(doc, 'topics', n, isTopics)
  const cluster = column<string | null>(doc, 'cluster', n, isOpt)
  const reason = column<Item['clusterReason'] | null>(doc, 'reason', n, isReason)
  if (!id || !source || !title || !canonical || !language || !published || !updated) {
    return 'an item is damaged'
  }
  if (!fetched || !hash || !topics || !cluster || !reason) return 'an item is damaged'
  const items = new Array<Item>(n)
  for (let k = 0; k < n; k++) {
    items[k] = leanOf(
      id[k]!,
      source[k]!,
      title[k]!,
      canonical[k] ?? undefined,
      language[k] ?? undefined,
      published[k]!,
      updated[k] ?? undefined,
      fetched[k] ?? published[k]!,
      hash[k]!,
      topics[k]!,
      cluster[k] ?? id[k]!,
      reason[k] ?? undefined,
    )
  }
  return { items, words, off, len }
}

/** The items of an index of format 2 or 3 (one object per item), or what is wrong with it. */
const readRows = (
  doc: Record<string, unknown>,
  size: number,
): Omit<IndexRead, 'restamp'> | string => {
  if (!Array.isArray(doc.items)) return 'no items'
  const out: Omit<IndexRead, 'restamp'> = { items: [], words: [], off: [], len: [] }
  for (const r of doc.items as Record<string, unknown>[]) {
    const item = fromLeanRow(r?.i)
    if (!item || typeof r.o !== 'number' || typeof r.n !== 'number') return 'an item is damaged'
    if (typeof r.w !== 'string') return 'an item has no words'
    if (r.o + r.n > size) return 'an item lies outside the partition'
    out.items.push(item)
    out.words.push(r.w)
    out.off.push(r.o)
    out.len.push(r.n)
  }
  return out
}

/**
 * The rows of an index file if it describes the partition stamped `stamp`, else why not (the
 * partition is then read whole and the index written again). A partition whose size and token
 * match but whose mtime does not (a copy without times: `cp -r`, rsync without -t, a restore) is
 * hashed with `hashOf`: the same bytes keep their index (to be stamped again), others do not.
 */
export const readIndex = (
  text: string,
  day: string,
  stamp: Omit<DayStamp, 'hash'>,
  hashOf: () => string,
): IndexRead | string => {
  let doc: Record<string, unknown>
  try {
    doc = JSON.parse(text) as Record<string, unknown>
  } catch {
    return 'not JSON'
  }
  const rows = ROW_FORMATS.includes(doc.format)
  if (doc.version !== DB_VERSION || (!rows && doc.format !== INDEX_FORMAT) || doc.day !== day) {
    return 'another version, layout or day'
  }
  if (doc.size !== stamp.size || doc.gen !== stamp.gen) return 'the partition changed since'
  const restamp = doc.mtimeMs !== stamp.mtimeMs
  if (restamp && (typeof doc.hash !== 'string' || doc.hash !== hashOf())) {
    return 'the partition changed since'
  }
  const read = rows ? readRows(doc, stamp.size) : readColumns(doc, stamp.size)
  return typeof read === 'string' ? read : { ...read, restamp }
}

/** The rows of an index read (to write it again, stamped anew). */
export const rowsOf = (read: Omit<IndexRead, 'restamp'>): IndexRow[] =>
  read.items.map((item, k) => ({
    item,
    words: read.words[k]!,
    off: read.off[k]!,
    len: read.len[k]!,
  }))

/** Bytes of an index file that hold its stamp (indexText writes it before the items). */
export const INDEX_HEAD_BYTES = 512

/**
 * Whether the first {@link INDEX_HEAD_BYTES} of an index file stamp it as describing the partition
 * stamped `stamp` exactly (same mtime: no hash to check), without parsing its items: what lets a
 * store open its states and leave the items for when something asks for them.
 */
export const indexHeadMatches = (
  head: string,
  day: string,
  stamp: Omit<DayStamp, 'hash'>,
): boolean => {
  // The stamp comes first: before the items (formats 2, 3) or the columns' count (format 4).
  const ends = [head.indexOf('"items":'), head.indexOf('"n":')].filter((at) => at >= 0)
  if (ends.length === 0) return false
  const end = Math.min(...ends)
  let doc: Record<string, unknown>
  try {
    doc = JSON.parse(`${head.slice(0, end)}"items":[]}`) as Record<string, unknown>
  } catch {
    return false
  }
  return (
    doc.version === DB_VERSION &&
    (ROW_FORMATS.includes(doc.format) || doc.format === INDEX_FORMAT) &&
    doc.day === day &&
    doc.size === stamp.size &&
    doc.gen === stamp.gen &&
    doc.mtimeMs === stamp.mtimeMs
  )
}

/** The {@link DayStamp} hash of a partition's bytes (given whole, or as the chunks they are made of). */
export const hashOfPartition = (bytes: Uint8Array | readonly Uint8Array[]): string => {
  const hash = createHash('sha256')
  if (bytes instanceof Uint8Array) hash.update(bytes)
  else for (const chunk of bytes) hash.update(chunk)
  return hash.digest('base64url')
}
