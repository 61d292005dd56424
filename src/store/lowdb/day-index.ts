/** A day partition's index file: the lean items, their words and where each item's JSON lies in the partition, stamped with the partition it describes. */
import { createHash } from 'node:crypto'
import type { Item } from '../../model/types.js'
import { DB_VERSION } from '../lowdb.js'
import { fromLeanRow, leanRow } from './lean-item.js'

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

/** The layout of index files this version writes; format 2 (no hash) is read too, others rebuilt. */
const INDEX_FORMAT = 3
const READ_FORMATS: readonly unknown[] = [2, INDEX_FORMAT]

/** An index's rows; `restamp`: they describe the partition, but its mtime is not the stamped one. */
export interface IndexRead {
  rows: IndexRow[]
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
 * {@link dayDocument} as the chunks it is made of, in order (the parts themselves, not copies):
 * a flush writes them one after another rather than holding a day's bytes twice.
 */
export const dayChunks = (
  day: string,
  gen: string,
  parts: readonly Buffer[],
): { chunks: Buffer[]; spans: [number, number][] } => {
  const head = Buffer.from(headOf(day, gen))
  const chunks: Buffer[] = [head]
  const spans: [number, number][] = []
  let at = head.length
  const comma = Buffer.from(',')
  for (const [k, p] of parts.entries()) {
    if (k > 0) {
      chunks.push(comma)
      at++
    }
    spans.push([at, p.length])
    chunks.push(p)
    at += p.length
  }
  chunks.push(Buffer.from(']}'))
  return { chunks, spans }
}

/** The index file of a partition stamped `stamp`. */
export const indexText = (day: string, stamp: DayStamp, rows: readonly IndexRow[]): string =>
  JSON.stringify({
    version: DB_VERSION,
    format: INDEX_FORMAT,
    day,
    ...stamp,
    items: rows.map((r) => ({
      o: r.off,
      n: r.len,
      w: r.words,
      i: leanRow(r.item),
    })),
  })

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
  if (doc.version !== DB_VERSION || !READ_FORMATS.includes(doc.format) || doc.day !== day) {
    return 'another version, layout or day'
  }
  if (doc.size !== stamp.size || doc.gen !== stamp.gen) return 'the partition changed since'
  const restamp = doc.mtimeMs !== stamp.mtimeMs
  if (restamp && (typeof doc.hash !== 'string' || doc.hash !== hashOf())) {
    return 'the partition changed since'
  }
  if (!Array.isArray(doc.items)) return 'no items'
  const rows: IndexRow[] = []
  for (const r of doc.items as Record<string, unknown>[]) {
    const item = fromLeanRow(r?.i)
    if (!item || typeof r.o !== 'number' || typeof r.n !== 'number') return 'an item is damaged'
    if (typeof r.w !== 'string') return 'an item has no words'
    if (r.o + r.n > stamp.size) return 'an item lies outside the partition'
    rows.push({ item, words: r.w, off: r.o, len: r.n })
  }
  return { rows, restamp }
}

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
  const end = head.indexOf('"items":')
  if (end < 0) return false
  let doc: Record<string, unknown>
  try {
    doc = JSON.parse(`${head.slice(0, end)}"items":[]}`) as Record<string, unknown>
  } catch {
    return false
  }
  return (
    doc.version === DB_VERSION &&
    READ_FORMATS.includes(doc.format) &&
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
