/** The store benchmark's fast build for PostgreSQL: items written in large batched inserts, not poll by poll (the polls' own cost is measured apart). */
import type { Item } from '../src/model/types.js'
import { upsertItems } from '../src/store/postgres/item-rows.js'
import { migrate } from '../src/store/postgres/migrations.js'
import { inTransaction, openPgPool } from '../src/store/postgres/pg-pool.js'
import { writeStates } from '../src/store/postgres/states.js'
import { NOW, stateAt } from './store-world.js'

/** Items per statement (upsertItems splits further to stay under the parameter limit). */
const BATCH = 5_000

/**
 * Loads `items` (already clustered, as store-world makes them) and one state per source into the
 * database at `url`, migrating it first. The secondary indexes of items and of item_search (which
 * triggers fill) are dropped for the load and built again after it (a GIN index built at once
 * costs a fraction of row-by-row entries), then VACUUM ANALYZE leaves the tables as autovacuum
 * would: visible to index-only scans, with statistics.
 */
export const bulkLoadPg = async (url: string, items: readonly Item[]): Promise<void> => {
  const pool = await openPgPool({ url, statementTimeoutMs: 0 })
  try {
    await migrate(pool)
    const { rows: indexes } = await pool.query<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes
       WHERE tablename IN ('items', 'item_search') AND indexname NOT IN ('items_pkey', 'item_search_pkey')`,
    )
    for (const ix of indexes) await pool.query(`DROP INDEX "${ix.name}"`)
    for (let i = 0; i < items.length; i += BATCH) {
      await inTransaction(pool, (c) => upsertItems(c, items.slice(i, i + BATCH)))
    }
    const sources = [...new Set(items.map((i) => i.sourceId))]
    const counts = new Map<string, number>()
    for (const it of items) counts.set(it.sourceId, (counts.get(it.sourceId) ?? 0) + 1)
    await writeStates(
      pool,
      sources.map((s) => ({ ...stateAt(s, NOW), itemCount: counts.get(s) ?? 0 })),
    )
    for (const ix of indexes) await pool.query(ix.def)
    await pool.query('VACUUM ANALYZE items')
    await pool.query('VACUUM ANALYZE item_topics')
    await pool.query('VACUUM ANALYZE item_search')
  } finally {
    await pool.end()
  }
}

/**
 * The size on disk of each table of items (heap with its TOAST, and its indexes), in MB, as the
 * bench leaves them after the load: what a deployment's shared buffers and page cache must hold.
 */
export const pgTableSizes = async (url: string): Promise<Record<string, string>> => {
  const pool = await openPgPool({ url, statementTimeoutMs: 0 })
  try {
    const { rows } = await pool.query<{ t: string; heap: string; idx: string }>(
      `SELECT t, pg_table_size(t::regclass)::text AS heap, pg_indexes_size(t::regclass)::text AS idx
       FROM unnest(ARRAY['items', 'item_search', 'item_topics']) AS t`,
    )
    const mb = (b: string) => Math.round(Number(b) / 2 ** 20)
    return Object.fromEntries(rows.map((r) => [r.t, `${mb(r.heap)} + ${mb(r.idx)} MB`]))
  } finally {
    await pool.end()
  }
}
