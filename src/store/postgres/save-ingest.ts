/** One poll's items and state saved to PostgreSQL in one transaction, with the upsert rule of every driver (merge-item.ts). */
import type pg from 'pg'
import { StoreError } from '../../model/errors.js'
import type { IngestResult, Item, SaveSummary } from '../../model/types.js'
import { mergeItem, withChanged } from '../merge-item.js'
import type { ChangeDetail } from './changes.js'
import { upsertItems } from './item-rows.js'
import { writeStates } from './states.js'

/** A stored item's columns a merge reads first: enough to see that an incoming copy changed nothing. */
interface StubRow {
  id: string
  source_id: string
  canonical_url: string | null
  content_hash: string
  topics: string[]
  cluster_id: string
}

/**
 * The fields of a stored item `mergeItem` reads to find an incoming one unchanged (hash, topics,
 * story) and the merge's canonical-URL index reads; the rest of the item is never looked at then.
 */
type Stub = Pick<Item, 'id' | 'sourceId' | 'contentHash' | 'topics' | 'clusterId'> &
  Pick<Partial<Item>, 'canonicalUrl'>

const stubOf = (r: StubRow): Stub => ({
  id: r.id,
  sourceId: r.source_id,
  contentHash: r.content_hash,
  topics: r.topics,
  clusterId: r.cluster_id,
  ...(r.canonical_url === null ? {} : { canonicalUrl: r.canonical_url }),
})

/**
 * The merge of a poll's items into the stored ones, in order, exactly as the memory store merges
 * them (a later incoming item sees the earlier ones). `stored` holds stubs, or whole items for
 * the ids in `whole`; a merge that would build an item out of a stub names it in `needed`.
 */
const mergeAll = (
  sourceId: string,
  incomingItems: readonly Item[],
  stored: readonly Stub[],
  whole: ReadonlySet<string>,
): { summary: SaveSummary; writes: Map<string, Item>; needed: Set<string> } => {
  const byId = new Map<string, Stub>()
  /** canonical URL → ids of the source's items with it, in the order the memory index keeps. */
  const byCanonical = new Map<string, Set<string>>()
  const link = (item: Stub, add: boolean): void => {
    if (!item.canonicalUrl) return
    const ids = byCanonical.get(item.canonicalUrl)
    if (!add) ids?.delete(item.id)
    else if (ids) ids.add(item.id)
    else byCanonical.set(item.canonicalUrl, new Set([item.id]))
  }
  for (const doc of stored) {
    byId.set(doc.id, doc)
    if (doc.sourceId === sourceId) link(doc, true)
  }
  const summary: SaveSummary = { new: 0, updated: 0, unchanged: 0 }
  const writes = new Map<string, Item>()
  const needed = new Set<string>()
  const complete = new Set(whole)
  for (const incoming of incomingItems) {
    let stored = byId.get(incoming.id)
    if (!stored && incoming.canonicalUrl) {
      for (const id of byCanonical.get(incoming.canonicalUrl) ?? []) {
        stored = byId.get(id)
        break
      }
    }
    // Only the fields of a Stub are read unless the outcome carries an item, checked next.
    const out = mergeItem(stored as Item | undefined, incoming)
    summary[out.kind]++
    if (!out.item) continue
    if (stored && !complete.has(stored.id)) needed.add(stored.id)
    const before = byId.get(out.item.id)
    if (before) link(before, false)
    byId.set(out.item.id, out.item)
    complete.add(out.item.id)
    link(out.item, true)
    writes.set(out.item.id, out.item)
  }
  return { summary, writes, needed }
}

/** The stubs of the stored items `items` match (by id, else by the source's canonical URL). */
const STUBS_SQL = `SELECT id, source_id, canonical_url, content_hash, topics, cluster_id FROM items
  WHERE id = ANY($1::text[]) OR (source_id = $2 AND canonical_url = ANY($3::text[]))
  ORDER BY id`

const stubParams = (sourceId: string, items: readonly Item[]): unknown[] => [
  items.map((i) => i.id),
  sourceId,
  items.flatMap((i) => (i.canonicalUrl ? [i.canonicalUrl] : [])),
]

/**
 * Saves a poll in one transaction: the stored items the incoming ones match are locked and read
 * as stubs (hash, topics, story: no documents) in the round trip that begins the transaction, and
 * merged in order exactly as the memory store merges them; only when a merge changes a stored item
 * are the documents of such items read and the merge run again on them. When something visible
 * changed, the shared version is taken (`announce`, one statement: counter, notice) and the
 * changed items (carrying that version as `stored_seq`), the state with its item count (which
 * ends the source's lease) and COMMIT go out behind it without waiting for its answer (pipelined,
 * pg-pool.ts): a poll costs two round trips, whether it changes anything or not. Returns the summary
 * and, when something visible changed, its shared version.
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
  const client = await pool.connect()
  try {
    const begin = client.query('BEGIN')
    let stored: Stub[] = []
    if (r.items.length > 0) {
      const read = client.query<StubRow>(`${STUBS_SQL} FOR UPDATE`, stubParams(r.sourceId, r.items))
      const [, { rows }] = await Promise.all([begin, read])
      stored = rows.map(stubOf)
    } else await begin
    let merged = mergeAll(r.sourceId, r.items, stored, new Set())
    if (merged.needed.size > 0) {
      const { rows } = await client.query<{ doc: Item }>(
        'SELECT doc FROM items WHERE id = ANY($1::text[])',
        [[...merged.needed]],
      )
      const docs = new Map(rows.map((row) => [row.doc.id, row.doc]))
      const full = stored.map((s) => docs.get(s.id) ?? s)
      merged = mergeAll(r.sourceId, r.items, full, new Set(docs.keys()))
      if (merged.needed.size > 0) {
        throw new StoreError(
          `saveIngest for source "${r.sourceId}": stored items ${[...merged.needed].join(', ')} could not be read back`,
        )
      }
    }
    const { summary, writes } = merged
    let announced: Promise<number> | undefined
    if (writes.size > 0) {
      // Old topics and stories too: an item leaving a topic or a story changes the feeds it left.
      // Sent first, so it runs before the write (no ids: the written rows take the version it
      // bumps as their stored_seq), the stories' members read are those besides the written
      // items, whose topics and source are given here.
      const before = stored.filter((s) => writes.has(s.id))
      const touched = [...before, ...writes.values()]
      announced = announce(client, {
        sources: [r.sourceId],
        topics: touched.flatMap((i) => i.topics),
        stories: [...new Set(touched.map((i) => i.clusterId))],
      })
    }
    const state = withChanged(r.state, summary.new + summary.updated)
    // One round trip: the announce, the items, the state and COMMIT go out together (pipelined).
    const [version] = await Promise.all([
      announced,
      upsertItems(client, [...writes.values()], announced ? { storedSeq: 'current' } : {}),
      writeStates(client, [state], { countItems: true }),
      // After a failed statement PostgreSQL answers COMMIT by rolling back: nothing half-saved.
      client.query('COMMIT'),
    ])
    return version === undefined ? { summary } : { summary, version }
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  } finally {
    client.release()
  }
}
