/** Items as rows of the `items` table: the columns derived from an Item, and a batched upsert. */
import type { Item } from '../../model/types.js'
import { searchTextOf } from '../query.js'
import { UNDATED } from './migrations.js'
import type { Queryable } from './pg-pool.js'
import { wordSignature } from './word-signature.js'

/** The row of one item, in {@link COLUMNS} order. */
const rowOf = (item: Item): unknown[] => {
  // Text columns cannot hold NUL (the json document can, escaped).
  const text = searchTextOf(item).replaceAll(String.fromCharCode(0), ' ')
  const published = Date.parse(item.publishedAt)
  const fetched = Date.parse(item.fetchedAt)
  const words = wordsOf(text)
  return [
    item.id,
    item.sourceId,
    item.clusterId,
    item.canonicalUrl ?? null,
    Number.isNaN(published) ? UNDATED : published,
    Number.isNaN(fetched) ? UNDATED : fetched,
    item.language?.toLowerCase().replace(/_/g, '-') ?? null,
    item.topics,
    text,
    words,
    JSON.stringify(item),
    item.contentHash,
    wordSignature(words),
  ]
}

/**
 * The distinct words of a search text (query.ts `searchTextOf`: normalised words separated by
 * single spaces, fields by ` | `): a padded word ` w ` occurs in the text exactly when w is one.
 */
export const wordsOf = (searchText: string): string[] => {
  const out = new Set<string>()
  for (const w of searchText.split(' ')) if (w !== '' && w !== '|') out.add(w)
  return [...out]
}

const COLUMNS = [
  'id',
  'source_id',
  'cluster_id',
  'canonical_url',
  'published',
  'fetched',
  'language',
  'topics',
  'search_text',
  'words',
  'doc',
  'content_hash',
  'word_sig',
] as const

/**
 * The shared version as this transaction sees it: after its announce (changes.ts), the version
 * that change took, so a write queued behind the announce needs no answer from it.
 */
const CURRENT_VERSION = '(SELECT v FROM topicwire_version)'

/** Rows per statement: far below PostgreSQL's 65,535 parameters. */
const CHUNK = 500

/**
 * Inserts items, or replaces the stored ones with their ids (every column; with `storedSeq`, the
 * rows' `stored_seq` too: a number, or `'current'`, the version this transaction announced). Every statement is sent before any answer is awaited, so on a
 * pipelined connection (pg-pool.ts) a caller may queue more statements behind them in order.
 */
export const upsertItems = (
  db: Queryable,
  items: readonly Item[],
  opts: { storedSeq?: number | 'current' } = {},
): Promise<unknown> => {
  const columns: readonly string[] =
    opts.storedSeq === undefined ? COLUMNS : [...COLUMNS, 'stored_seq']
  const updates = columns.filter((c) => c !== 'id').map((c) => `${c} = EXCLUDED.${c}`)
  const sent: Promise<unknown>[] = []
  for (let from = 0; from < items.length; from += CHUNK) {
    const chunk = items.slice(from, from + CHUNK)
    const params: unknown[] = []
    const values = chunk.map((item) => {
      const row = rowOf(item)
      const marks = row.map((v) => {
        params.push(v)
        return `$${params.length}`
      })
      if (opts.storedSeq === 'current') marks.push(CURRENT_VERSION)
      else if (opts.storedSeq !== undefined) {
        params.push(opts.storedSeq)
        marks.push(`$${params.length}`)
      }
      return `(${marks.join(', ')})`
    })
    sent.push(
      db.query(
        `INSERT INTO items (${columns.join(', ')}) VALUES ${values.join(', ')}
       ON CONFLICT (id) DO UPDATE SET ${updates.join(', ')}`,
        params,
      ),
    )
  }
  return Promise.all(sent)
}
