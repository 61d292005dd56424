/** The members of a page's stories in one PostgreSQL read (Store.storyMembers). */
import type { Item } from '../../model/types.js'
import type { Queryable } from './pg-pool.js'

/**
 * Every stored member of the stories `clusterIds`, in one query on the `cluster_id` index: a
 * rendered page of 50 collapsed stories costs one round trip, not 50.
 */
export const storyMembersPg = async (
  db: Queryable,
  clusterIds: readonly string[],
): Promise<Item[]> => {
  if (clusterIds.length === 0) return []
  const { rows } = await db.query<{ doc: Item }>(
    'SELECT doc FROM items WHERE cluster_id = ANY($1::text[])',
    [[...clusterIds]],
  )
  return rows.map((r) => r.doc)
}
