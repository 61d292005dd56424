/** Source states in PostgreSQL: reads, writes (which end a poll's lease) and claiming due sources under leases. */
import type pg from 'pg'
import type { SourceState } from '../../model/types.js'
import { inTransaction, type Queryable } from './pg-pool.js'

/** The time a state's next poll is due in epoch ms; 0 (due at once) when it cannot be read, as the memory store reads it. */
const nextPollMs = (s: SourceState): number => {
  const t = Date.parse(s.nextPollAt)
  return Number.isNaN(t) ? 0 : t
}

/**
 * Writes states (insert or replace) and releases their leases: the poll they record is over.
 * With `countItems`, each state's `itemCount` is counted from its source's stored items in the
 * same statement (a poll's save then needs no round trip of its own for it).
 */
export const writeStates = async (
  db: Queryable,
  states: readonly SourceState[],
  opts: { countItems?: boolean } = {},
): Promise<void> => {
  if (states.length === 0) return
  const params: unknown[] = []
  const values = states.map((s) => {
    if (opts.countItems) {
      const { itemCount: _stale, ...rest } = s
      // The object's JSON without its closing brace, then the count as its last member.
      params.push(s.sourceId, nextPollMs(s), s.gone === true, JSON.stringify(rest).slice(0, -1))
    } else {
      params.push(s.sourceId, nextPollMs(s), s.gone === true, JSON.stringify(s))
    }
    const n = params.length
    const doc = opts.countItems
      ? `($${n} || ',"itemCount":' || (SELECT count(*) FROM items WHERE source_id = $${n - 3}) || '}')::json`
      : `$${n}::json`
    return `($${n - 3}, $${n - 2}::bigint, $${n - 1}::boolean, ${doc})`
  })
  await db.query(
    `INSERT INTO states (source_id, next_poll, gone, doc) VALUES ${values.join(', ')}
     ON CONFLICT (source_id) DO UPDATE SET next_poll = EXCLUDED.next_poll, gone = EXCLUDED.gone,
       doc = EXCLUDED.doc, lease_until = NULL, holder = NULL`,
    params,
  )
}

export const readState = async (
  db: Queryable,
  sourceId: string,
): Promise<SourceState | undefined> => {
  const { rows } = await db.query<{ doc: SourceState }>(
    'SELECT doc FROM states WHERE source_id = $1',
    [sourceId],
  )
  return rows[0]?.doc
}

export const readStates = async (db: Queryable): Promise<SourceState[]> => {
  const { rows } = await db.query<{ doc: SourceState }>('SELECT doc FROM states ORDER BY source_id')
  return rows.map((r) => r.doc)
}

export interface ClaimOptions {
  /** Who claims (one per store instance): its own leases do not keep it out. */
  holder: string
  /** How long a claim keeps other claimants away unless the poll is saved first. */
  leaseMs: number
}

/**
 * The due, not-gone states of `sourceIds` (a missing state is created due at `now`), oldest due
 * first then in the order given, at most `max`, that no other holder leases: each is leased to
 * `opts.holder` until `now + leaseMs`. `FOR UPDATE SKIP LOCKED` lets claimants that run at once
 * split the due sources without waiting for each other or taking one twice; saving the source's
 * state (its poll done) ends the lease, and a holder that never saves loses it when it expires.
 */
export const claimDueStates = async (
  pool: pg.Pool,
  now: Date,
  sourceIds: readonly string[],
  max: number,
  opts: ClaimOptions,
): Promise<SourceState[]> => {
  const ids = [...new Set(sourceIds)]
  if (ids.length === 0) return []
  const nowMs = now.getTime()
  // Sorted, so that claimants creating the same states at once lock them in one order.
  await pool.query(
    `INSERT INTO states (source_id, next_poll, doc)
     SELECT id, $2, json_build_object('sourceId', id, 'failures', 0, 'nextPollAt', $3::text)
     FROM unnest($1::text[]) AS id ORDER BY id
     ON CONFLICT (source_id) DO NOTHING`,
    [[...ids].sort(), nowMs, now.toISOString()],
  )
  const limit = Math.max(0, Math.floor(max))
  if (limit === 0) return []
  return inTransaction(pool, async (client) => {
    const { rows } = await client.query<{ source_id: string; doc: SourceState }>(
      `SELECT source_id, doc FROM states
       WHERE source_id = ANY($1) AND NOT gone AND next_poll <= $2
         AND (lease_until IS NULL OR lease_until <= $2 OR holder = $3)
       ORDER BY next_poll, array_position($1, source_id)
       LIMIT $4
       FOR UPDATE SKIP LOCKED`,
      [ids, nowMs, opts.holder, Math.min(limit, ids.length)],
    )
    if (rows.length > 0) {
      await client.query(
        'UPDATE states SET lease_until = $2, holder = $3 WHERE source_id = ANY($1)',
        [rows.map((r) => r.source_id), nowMs + opts.leaseMs, opts.holder],
      )
    }
    return rows.map((r) => r.doc)
  })
}
