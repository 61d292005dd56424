/** Whole-store passes in PostgreSQL: re-tagging every item and retention. */
import type pg from 'pg'
import type { Item, Retention, SourceState } from '../../model/types.js'
import { sameList } from '../merge-item.js'
import { upsertItems } from './item-rows.js'
import { inTransaction } from './pg-pool.js'

const DAY_MS = 86_400_000
/** Items re-tagged per transaction: their rows stay locked only that long. */
const RETAG_BATCH = 1_000

/**
 * Recomputes every item's topics in batches by id, each in a transaction that locks its rows, so
 * a poll saving one of them meanwhile is neither lost nor overwritten. `announce` runs in each
 * transaction that changed items. Returns how many items changed. With `only`, the items with
 * those ids alone, in batches of them.
 */
export const retagPg = async (
  pool: pg.Pool,
  tagger: (item: Item) => string[],
  announce: (client: pg.PoolClient) => Promise<number>,
  only?: ReadonlySet<string>,
): Promise<number> => {
  let after = ''
  let changed = 0
  const ids = only && [...only].sort()
  for (let batch = 0; ; batch++) {
    const { count, last } = await inTransaction(pool, async (client) => {
      const { rows } = ids
        ? await client.query<{ doc: Item }>(
            'SELECT doc FROM items WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
            [ids.slice(batch * RETAG_BATCH, (batch + 1) * RETAG_BATCH)],
          )
        : await client.query<{ doc: Item }>(
            'SELECT doc FROM items WHERE id > $1 ORDER BY id LIMIT $2 FOR UPDATE',
            [after, RETAG_BATCH],
          )
      const updates: Item[] = []
      for (const { doc } of rows) {
        const topics = [...new Set(tagger(doc))].sort()
        if (!sameList(doc.topics, topics)) updates.push({ ...doc, topics })
      }
      await upsertItems(client, updates)
      if (updates.length > 0) await announce(client)
      const more = ids ? (batch + 1) * RETAG_BATCH < ids.length : rows.length === RETAG_BATCH
      return { count: updates.length, last: more ? (rows.at(-1)?.doc.id ?? '') : undefined }
    })
    changed += count
    if (last === undefined) return changed
    after = last
  }
}

/**
 * Retention, as the memory store does it: a story goes by age only when its newest member is older
 * than `maxAgeDays` (an undated item counts as old), then each source keeps its
 * `maxItemsPerSource` newest; states get their new item counts. One transaction.
 */
export const prunePg = async (
  pool: pg.Pool,
  policy: Retention,
  now: Date,
  announce: (client: pg.PoolClient) => Promise<number>,
): Promise<number> =>
  inTransaction(pool, async (client) => {
    const cutoff = now.getTime() - policy.maxAgeDays * DAY_MS
    let removed = 0
    const { rows: oldest } = await client.query<{ t: string | null }>(
      'SELECT min(published) AS t FROM items',
    )
    if (oldest[0]?.t !== null && oldest[0]?.t !== undefined && Number(oldest[0].t) < cutoff) {
      const r = await client.query(
        `DELETE FROM items WHERE cluster_id IN
           (SELECT cluster_id FROM items GROUP BY cluster_id HAVING max(published) < $1)`,
        [cutoff],
      )
      removed += r.rowCount ?? 0
    }
    const keep = Math.max(0, Math.floor(policy.maxItemsPerSource))
    const r = await client.query(
      `DELETE FROM items WHERE id IN (
         SELECT id FROM (
           SELECT id, row_number() OVER (PARTITION BY source_id ORDER BY published DESC, id DESC) AS n
           FROM items WHERE source_id IN
             (SELECT source_id FROM items GROUP BY source_id HAVING count(*) > $1)
         ) ranked WHERE n > $1)`,
      [keep],
    )
    removed += r.rowCount ?? 0
    if (removed === 0) return 0
    const { rows } = await client.query<{ doc: SourceState; n: string }>(
      `SELECT s.doc, coalesce(c.n, 0) AS n FROM states s
       LEFT JOIN (SELECT source_id, count(*) AS n FROM items GROUP BY source_id) c USING (source_id)
       FOR UPDATE OF s`,
    )
    const recount = rows.filter((row) => row.doc.itemCount !== Number(row.n))
    for (const row of recount) {
      await client.query('UPDATE states SET doc = $2 WHERE source_id = $1', [
        row.doc.sourceId,
        JSON.stringify({ ...row.doc, itemCount: Number(row.n) }),
      ])
    }
    await announce(client)
    return removed
  })
