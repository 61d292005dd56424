/** `topicwire store warm`: reads the items' tables and indexes into PostgreSQL's shared buffers (pg_prewarm), so the first pages after a restart, a restore or a `store migrate` read no block from outside them. */
import type pg from 'pg'
import { StoreError } from '../../model/errors.js'

/**
 * The tables pages read, in the order they are read in (a `q` page's `item_search`, a topic's
 * `item_topics`, every page's shown documents in `items`); each with its TOAST table and every
 * index of both.
 */
const TABLES = ['item_search', 'item_topics', 'items'] as const

/** One relation read by {@link warmPg}: its name, kind and size in blocks. */
export interface WarmedRelation {
  name: string
  kind: 'index' | 'table' | 'toast'
  blocks: number
}

export interface WarmResult {
  /** The relations read, in the order they were read. */
  read: WarmedRelation[]
  /** Relations left out because the buffers were full (largest last, see {@link warmPg}). */
  skipped: WarmedRelation[]
  /** MB read, MB of all the relations, and the server's shared buffers in MB. */
  mb: number
  totalMb: number
  sharedBuffersMb: number
  ms: number
}

/** A share of the shared buffers left to everything else (catalogs, states, a poll's writes). */
const KEEP_FREE = 0.1

const mbOf = (blocks: number, blockSize: number): number =>
  Math.round((blocks * blockSize) / 2 ** 20)

/**
 * Reads the items' relations into shared buffers with `pg_prewarm` (contrib; Debian's
 * `postgresql` package ships it): indexes first (every page walks one), then `item_search`,
 * `item_topics` and `items`, then TOAST, each whole, while they fit in 90% of
 * `shared_buffers`; a relation that would pass it is skipped (reading more than the buffers
 * hold only evicts what was read before). Creates the extension when missing, which needs a
 * superuser once; then the tables' owner (the user topicwire connects as) can run it.
 * @throws StoreError when the extension is not installed or may not be created, or when the
 *   database holds no topicwire items.
 */
export const warmPg = async (pool: pg.Pool): Promise<WarmResult> => {
  const t = performance.now()
  await ensurePrewarm(pool)
  const { rows: settings } = await pool.query<{ buffers: string; block: string }>(
    `SELECT (SELECT setting FROM pg_settings WHERE name = 'shared_buffers') AS buffers,
       current_setting('block_size') AS block`,
  )
  const sharedBlocks = Number(settings[0]!.buffers)
  const blockSize = Number(settings[0]!.block)
  const { rows } = await pool.query<{ oid: string; name: string; kind: string; blocks: string }>(
    `WITH t AS (SELECT to_regclass(n) AS oid, ord FROM unnest($1::text[]) WITH ORDINALITY AS u(n, ord)),
     rel AS (
       SELECT c.oid, 'table' AS kind, 1 AS grp, t.ord FROM t JOIN pg_class c ON c.oid = t.oid
       UNION ALL
       SELECT c.reltoastrelid, 'toast', 2, t.ord FROM t JOIN pg_class c ON c.oid = t.oid
         WHERE c.reltoastrelid <> 0
       UNION ALL
       SELECT i.indexrelid, 'index', 0, t.ord FROM t JOIN pg_class c ON c.oid = t.oid
         JOIN pg_index i ON i.indrelid IN (c.oid, c.reltoastrelid))
     SELECT rel.oid::text, rel.oid::regclass::text AS name, rel.kind,
       (pg_relation_size(rel.oid) / current_setting('block_size')::int)::text AS blocks
     FROM rel ORDER BY rel.grp, rel.ord, pg_relation_size(rel.oid), rel.oid`,
    [TABLES],
  )
  if (!rows.some((r) => r.kind === 'table')) {
    throw new StoreError(
      'store warm: this database holds no topicwire items (tables items, item_search, item_topics); check storage.url / DATABASE_URL',
    )
  }
  const budget = Math.floor(sharedBlocks * (1 - KEEP_FREE))
  const read: WarmedRelation[] = []
  const skipped: WarmedRelation[] = []
  let used = 0
  let total = 0
  for (const r of rows) {
    const rel: WarmedRelation = {
      name: r.name,
      kind: r.kind as WarmedRelation['kind'],
      blocks: Number(r.blocks),
    }
    total += rel.blocks
    if (used + rel.blocks > budget) {
      skipped.push(rel)
      continue
    }
    await pool.query('SELECT pg_prewarm($1::oid::regclass)', [r.oid])
    used += rel.blocks
    read.push(rel)
  }
  return {
    read,
    skipped,
    mb: mbOf(used, blockSize),
    totalMb: mbOf(total, blockSize),
    sharedBuffersMb: mbOf(sharedBlocks, blockSize),
    ms: performance.now() - t,
  }
}

/** Creates pg_prewarm in this database unless it is there; explains what to do when it cannot. */
const ensurePrewarm = async (pool: pg.Pool): Promise<void> => {
  const { rows } = await pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'pg_prewarm'",
  )
  if (rows[0]!.n > 0) return
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm')
  } catch (err) {
    const code = (err as { code?: string }).code
    const why =
      code === '42501'
        ? 'creating the extension pg_prewarm needs a superuser'
        : `the extension pg_prewarm is not available (${err instanceof Error ? err.message : String(err)}; it is in PostgreSQL's contrib, Debian package "postgresql")`
    throw new StoreError(
      `store warm: ${why}: run CREATE EXTENSION pg_prewarm; in this database as a superuser once, then store warm again`,
      { cause: err },
    )
  }
}
