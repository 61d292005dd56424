/** Items in write order past a position (`stored_seq`, id): what a replica's story index catches up with. */
import type { Item, StoredPosition } from '../../model/types.js'
import type { Queryable } from './pg-pool.js'

/**
 * The items whose (`stored_seq`, id) is past `after`, in that order, at most `limit` (1 to
 * 10,000), and the position of the last one (`after` when none). `stored_seq` is the shared
 * version of the transaction that last wrote the row, taken in commit order (changes.ts), so a
 * reader that moves past what it read never skips a row committed later.
 */
export const storedSincePg = async (
  db: Queryable,
  after: StoredPosition,
  limit: number,
): Promise<{ items: Item[]; next: StoredPosition }> => {
  const n = Math.min(10_000, Math.max(1, Math.floor(limit)))
  const { rows } = await db.query<{ doc: Item; seq: string; id: string }>(
    `SELECT doc, stored_seq AS seq, id FROM items
     WHERE (stored_seq, id) > ($1::bigint, $2::text COLLATE "C")
     ORDER BY stored_seq, id LIMIT $3`,
    [after.seq, after.id, n],
  )
  const last = rows.at(-1)
  return {
    items: rows.map((r) => r.doc),
    next: last ? { seq: Number(last.seq), id: last.id } : after,
  }
}
