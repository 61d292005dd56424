/** Readers' verdicts in PostgreSQL: one per topic and item, the latest wins. */
import type pg from 'pg'
import type { StoredTopicModel, Verdict } from '../../model/types.js'
import { inTransaction, type Queryable } from './pg-pool.js'

const key = (v: Pick<Verdict, 'topicId' | 'itemId'>): string => `${v.topicId}\u0000${v.itemId}`

/** Stores verdicts, in order (a later one for the same topic and item replaces it); returns how many changed something. */
export const saveVerdictsPg = async (
  db: pg.Pool | pg.PoolClient,
  list: readonly Verdict[],
): Promise<number> => {
  if (list.length === 0) return 0
  // On a client, the caller's transaction holds the writes; on the pool, one of their own.
  const run = <T>(fn: (client: Queryable) => Promise<T>): Promise<T> =>
    'release' in db ? fn(db) : inTransaction(db, fn)
  return run(async (client) => {
    const { rows } = await client.query<{ doc: Verdict }>(
      `SELECT doc FROM verdicts WHERE (topic_id, item_id) IN
         (SELECT * FROM unnest($1::text[], $2::text[])) FOR UPDATE`,
      [list.map((v) => v.topicId), list.map((v) => v.itemId)],
    )
    const current = new Map(rows.map((r) => [key(r.doc), r.doc]))
    const writes = new Map<string, Verdict>()
    let n = 0
    for (const v of list) {
      const old = current.get(key(v))
      if (old && old.in === v.in && old.title === v.title && old.summary === v.summary) continue
      current.set(key(v), v)
      // a verdict given again goes to the end of the history, as the memory store orders it
      writes.delete(key(v))
      writes.set(key(v), v)
      n++
    }
    // The store's import sequence (Verdict.seq), one block per save: the counter's row lock holds
    // a concurrent save until this one commits, so sequences grow in commit order.
    let seq = 0
    if (writes.size > 0) {
      const { rows: top } = await client.query<{ value: string }>(
        `INSERT INTO topicwire_facts (name, value) VALUES ('verdict_seq', $1::text)
         ON CONFLICT (name) DO UPDATE SET value = (topicwire_facts.value::bigint + $1::bigint)::text
         RETURNING value`,
        [writes.size],
      )
      seq = Number(top[0]?.value) - writes.size
    }
    const all = [...writes.values()].map((v) => ({ ...v, seq: ++seq }))
    for (let from = 0; from < all.length; from += 1_000) {
      const chunk = all.slice(from, from + 1_000)
      await client.query(
        `INSERT INTO verdicts (topic_id, item_id, doc)
         SELECT * FROM unnest($1::text[], $2::text[], $3::json[])
         ON CONFLICT (topic_id, item_id) DO UPDATE SET doc = EXCLUDED.doc`,
        [
          chunk.map((v) => v.topicId),
          chunk.map((v) => v.itemId),
          chunk.map((v) => JSON.stringify(v)),
        ],
      )
    }
    return n
  })
}

/** The verdicts of one topic (or all), by topic and item id. */
export const listVerdictsPg = async (db: Queryable, topicId?: string): Promise<Verdict[]> => {
  const { rows } =
    topicId === undefined
      ? await db.query<{ doc: Verdict }>('SELECT doc FROM verdicts ORDER BY topic_id, item_id')
      : await db.query<{ doc: Verdict }>(
          'SELECT doc FROM verdicts WHERE topic_id = $1 ORDER BY item_id',
          [topicId],
        )
  return rows.map((r) => r.doc)
}

const MODEL_FACT = 'topic_model:'

/** Keeps a topic's learned model (one row of topicwire_facts per topic). */
export const saveTopicModelPg = async (db: Queryable, m: StoredTopicModel): Promise<void> => {
  await db.query(
    `INSERT INTO topicwire_facts (name, value) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
    [`${MODEL_FACT}${m.topicId}`, JSON.stringify(m)],
  )
}

/** The learned models stored, by topic id. */
export const topicModelsPg = async (db: Queryable): Promise<StoredTopicModel[]> => {
  const { rows } = await db.query<{ value: string }>(
    `SELECT value FROM topicwire_facts WHERE starts_with(name, $1) ORDER BY name`,
    [MODEL_FACT],
  )
  return rows.map((r) => JSON.parse(r.value) as StoredTopicModel)
}
