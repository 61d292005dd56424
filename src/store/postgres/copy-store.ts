/** Copies a whole store (items with their ids and stories, source states, verdicts) into an empty PostgreSQL database, in one transaction. */
import { StoreError } from '../../model/errors.js'
import type { Item, Store } from '../../model/types.js'
import { CHANGES_CHANNEL } from './changes.js'
import { upsertItems } from './item-rows.js'
import { migrate } from './migrations.js'
import { describeTarget, inTransaction, openPgPool } from './pg-pool.js'
import { writeStates } from './states.js'
import { saveVerdictsPg } from './verdicts.js'

export interface CopySummary {
  items: number
  states: number
  verdicts: number
}

/** Items read from the source store per page. */
const PAGE = 500

/**
 * Reads every item (newest first, every copy of every story), state and verdict of `from` and
 * writes them unchanged into the database at `url` (migrated first), all in one transaction: a
 * failure leaves the database as it was. Refuses a database that already holds items or states.
 * @throws StoreError for a database that is not empty, or cannot be reached.
 */
export const copyStoreToPostgres = async (
  from: Store,
  url: string,
  onProgress?: (copiedItems: number) => void,
): Promise<CopySummary> => {
  const pool = await openPgPool({ url, statementTimeoutMs: 0 })
  try {
    await migrate(pool)
    return await inTransaction(pool, async (client) => {
      const { rows } = await client.query<{ items: string; states: string }>(
        'SELECT (SELECT count(*) FROM items) AS items, (SELECT count(*) FROM states) AS states',
      )
      const held = rows[0]
      if (held && (held.items !== '0' || held.states !== '0')) {
        throw new StoreError(
          `the database at ${describeTarget(url)} already holds ${held.items} items and ${held.states} source states: copy into an empty database (nothing was written)`,
        )
      }
      let items = 0
      let cursor: string | undefined
      for (;;) {
        const page = await from.queryItems({
          limit: PAGE,
          clusters: 'all',
          ...(cursor ? { cursor } : {}),
        })
        await upsertItems(client, page.items as Item[])
        items += page.items.length
        onProgress?.(items)
        if (!page.nextCursor) break
        cursor = page.nextCursor
      }
      const states = await from.listStates()
      for (let i = 0; i < states.length; i += PAGE)
        await writeStates(client, states.slice(i, i + PAGE))
      // in their history order (import sequence, then time and item), which the copy renumbers
      const verdicts = (await from.listVerdicts()).sort(
        (a, b) =>
          (a.seq ?? 0) - (b.seq ?? 0) ||
          (a.at < b.at ? -1 : a.at > b.at ? 1 : a.itemId < b.itemId ? -1 : 1),
      )
      await saveVerdictsPg(client, verdicts)
      // their learned models cover the history by count and sequence: the copy's sequence differs,
      // so they are not copied (the first start retrains)
      // A visible change like any other: the shared version moves (replicas read it on the notice).
      await client.query('UPDATE topicwire_version SET v = v + 1')
      await client.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, 'copy'])
      return { items, states: states.length, verdicts: verdicts.length }
    })
  } finally {
    await pool.end()
  }
}
