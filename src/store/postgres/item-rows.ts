/** Items as rows of the `items` table and of `item_search` (its search text and signature, migration 10): the columns derived from an Item, and a batched upsert of both. */
import type { Item } from '../../model/types.js'
import { searchTextOf } from '../query.js'
import { UNDATED } from './migrations.js'
import type { Queryable } from './pg-pool.js'
import { WORD_SIG_BITS, wordSignature } from './word-signature.js'

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

/** The values of a row ({@link rowOf}'s order), each with the type its marks are cast to. */
const COLUMNS = [
  ['id', 'text'],
  ['source_id', 'text'],
  ['cluster_id', 'text'],
  ['canonical_url', 'text'],
  ['published', 'bigint'],
  ['fetched', 'bigint'],
  ['language', 'text'],
  ['topics', 'text[]'],
  ['search_text', 'text'],
  ['words', 'text[]'],
  ['doc', 'json'],
  ['content_hash', 'text'],
  ['word_sig', `bit(${WORD_SIG_BITS})`],
] as const

/** The columns of `items` (migration 10: the search text and signature are item_search's alone). */
const ITEM_COLUMNS = COLUMNS.map(([c]) => c).filter((c) => c !== 'search_text' && c !== 'word_sig')

/** The columns of `item_search` (migration 9): the walk columns, the signature and the text. */
const SEARCH_COLUMNS = [
  'id',
  'published',
  'source_id',
  'cluster_id',
  'language',
  'topics',
  'word_sig',
  'search_text',
]

/**
 * The shared version as this transaction sees it: after its announce (changes.ts), the version
 * that change took, so a write queued behind the announce needs no answer from it.
 */
const CURRENT_VERSION = '(SELECT v FROM topicwire_version)'

/** Rows per statement: far below PostgreSQL's 65,535 parameters. */
const CHUNK = 500

/** `col = EXCLUDED.col` for every column but the key. */
const assignments = (columns: readonly string[]): string =>
  columns
    .filter((c) => c !== 'id')
    .map((c) => `${c} = EXCLUDED.${c}`)
    .join(', ')

/** An upsert's update of every column, skipped when the row would not change. */
const setAll = (table: string, columns: readonly string[]): string => {
  const cols = columns.filter((c) => c !== 'id')
  return `DO UPDATE SET ${assignments(cols)}
      WHERE (${cols.map((c) => `${table}.${c}`).join(', ')})
        IS DISTINCT FROM (${cols.map((c) => `EXCLUDED.${c}`).join(', ')})`
}

/**
 * Inserts items, or replaces the stored ones with their ids (every column; with `storedSeq`, the
 * rows' `stored_seq` too: a number, or `'current'`, the version this transaction announced), and
 * their rows of item_search, in one statement per chunk (its values sent once: a data-modifying
 * `WITH` writes item_search, the statement the items). A row of either equal to the one stored
 * is left as it is (no new row version). Every statement is sent before any answer is awaited,
 * so on a pipelined connection (pg-pool.ts) a caller may queue more statements behind them in
 * order.
 */
export const upsertItems = (
  db: Queryable,
  items: readonly Item[],
  opts: { storedSeq?: number | 'current' } = {},
): Promise<unknown> => {
  const valueNames = [...COLUMNS.map(([c]) => c), 'stored_seq']
  const itemColumns = opts.storedSeq === undefined ? ITEM_COLUMNS : [...ITEM_COLUMNS, 'stored_seq']
  const sent: Promise<unknown>[] = []
  for (let from = 0; from < items.length; from += CHUNK) {
    const chunk = items.slice(from, from + CHUNK)
    const params: unknown[] = []
    const values = chunk.map((item) => {
      const marks = rowOf(item).map((v, i) => {
        params.push(v)
        return `$${params.length}::${COLUMNS[i]![1]}`
      })
      if (opts.storedSeq === 'current') marks.push(CURRENT_VERSION)
      else if (opts.storedSeq !== undefined) {
        params.push(opts.storedSeq)
        marks.push(`$${params.length}::bigint`)
      } else marks.push('NULL::bigint')
      return `(${marks.join(', ')})`
    })
    sent.push(
      db.query(
        `WITH v (${valueNames.join(', ')}) AS (VALUES ${values.join(', ')}),
        s AS (INSERT INTO item_search (${SEARCH_COLUMNS.join(', ')})
          SELECT ${SEARCH_COLUMNS.join(', ')} FROM v
          ON CONFLICT (id) ${setAll('item_search', SEARCH_COLUMNS)})
        INSERT INTO items (${itemColumns.join(', ')}) SELECT ${itemColumns.join(', ')} FROM v
        ON CONFLICT (id) DO UPDATE SET ${assignments(itemColumns)}`,
        params,
      ),
    )
  }
  return Promise.all(sent)
}
