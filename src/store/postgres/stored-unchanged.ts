/** storedUnchangedPg: whether a poll's items are all stored already as they are (no story work needed to save them). */
import type { Item } from '../../model/types.js'
import { sameList } from '../merge-item.js'
import type { Queryable } from './pg-pool.js'

/**
 * True when every item is stored under its id with the same content hash and topics: saving them
 * then writes no item (unless a story moved, which the poller's index knows of). An item matched
 * only by its canonical URL counts as new. One read by primary key, no lock.
 */
export const storedUnchangedPg = async (
  db: Queryable,
  items: readonly Item[],
): Promise<boolean> => {
  if (items.length === 0) return true
  const { rows } = await db.query<{ id: string; content_hash: string; topics: string[] }>(
    'SELECT id, content_hash, topics FROM items WHERE id = ANY($1::text[])',
    [items.map((i) => i.id)],
  )
  const stored = new Map(rows.map((r) => [r.id, r]))
  return items.every((i) => {
    const s = stored.get(i.id)
    return s !== undefined && s.content_hash === i.contentHash && sameList(s.topics, i.topics)
  })
}
