/** One poll's items and state saved to PostgreSQL in one transaction, with the upsert rule of every driver (merge-item.ts). */
import type pg from 'pg'
import { StoreError } from '../../model/errors.js'
import type { IngestResult, Item, SaveSummary } from '../../model/types.js'
import { mergeItem, withChanged } from '../merge-item.js'
import type { ChangeDetail } from './changes.js'
import { upsertItems } from './item-rows.js'
import { inTransaction } from './pg-pool.js'
import { writeStates } from './states.js'

/**
 * Saves a poll: the stored items the incoming ones match (by id, else by the source's canonical
 * URL) are read and locked, merged in order exactly as the memory store merges them (a later
 * incoming item sees the earlier ones), the changed ones written, then the state with its item
 * count (which ends the source's lease). `announce` runs inside the transaction, last, when something
 * visible changed. Returns the summary and, when something visible changed, its shared version.
 */
export const saveIngestPg = async (
  pool: pg.Pool,
  r: IngestResult,
  announce: (client: pg.PoolClient, detail: ChangeDetail) => Promise<number>,
): Promise<{ summary: SaveSummary; version?: number }> => {
  const foreign = [r.state, ...r.items].find((x) => x.sourceId !== r.sourceId)
  if (foreign) {
    throw new StoreError(
      `saveIngest for source "${r.sourceId}" was given data of source "${foreign.sourceId}"`,
    )
  }
  return inTransaction(pool, async (client) => {
    const byId = new Map<string, Item>()
    /** canonical URL → ids of the source's items with it, in the order the memory index keeps. */
    const byCanonical = new Map<string, Set<string>>()
    const link = (item: Item, add: boolean): void => {
      if (!item.canonicalUrl) return
      const ids = byCanonical.get(item.canonicalUrl)
      if (!add) ids?.delete(item.id)
      else if (ids) ids.add(item.id)
      else byCanonical.set(item.canonicalUrl, new Set([item.id]))
    }
    if (r.items.length > 0) {
      const canonical = r.items.flatMap((i) => (i.canonicalUrl ? [i.canonicalUrl] : []))
      const { rows } = await client.query<{ doc: Item }>(
        `SELECT doc FROM items
         WHERE id = ANY($1) OR (source_id = $2 AND canonical_url = ANY($3))
         ORDER BY id FOR UPDATE`,
        [r.items.map((i) => i.id), r.sourceId, canonical],
      )
      for (const { doc } of rows) {
        byId.set(doc.id, doc)
        if (doc.sourceId === r.sourceId) link(doc, true)
      }
    }
    const summary: SaveSummary = { new: 0, updated: 0, unchanged: 0 }
    const writes = new Map<string, Item>()
    for (const incoming of r.items) {
      let stored = byId.get(incoming.id)
      if (!stored && incoming.canonicalUrl) {
        for (const id of byCanonical.get(incoming.canonicalUrl) ?? []) {
          stored = byId.get(id)
          break
        }
      }
      const out = mergeItem(stored, incoming)
      summary[out.kind]++
      if (!out.item) continue
      const before = byId.get(out.item.id)
      if (before) link(before, false)
      byId.set(out.item.id, out.item)
      link(out.item, true)
      writes.set(out.item.id, out.item)
    }
    await upsertItems(client, [...writes.values()])
    const { rows } = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM items WHERE source_id = $1',
      [r.sourceId],
    )
    const state = withChanged(r.state, summary.new + summary.updated)
    await writeStates(client, [{ ...state, itemCount: Number(rows[0]?.n ?? 0) }])
    if (writes.size === 0) return { summary }
    const version = await announce(client, { ids: [...writes.keys()], sources: [r.sourceId] })
    return { summary, version }
  })
}
