/** Work that one replica does for all (re-tagging, retention): run under a session advisory lock, skipped where another replica holds it. */
import type pg from 'pg'

/**
 * Runs `fn` while holding the advisory lock named `name` on this database; when another session
 * holds it (another replica doing the same work), returns `{ ran: false }` at once without running.
 */
export const runExclusivePg = async <T>(
  pool: pg.Pool,
  name: string,
  fn: () => Promise<T>,
): Promise<{ ran: true; value: T } | { ran: false }> => {
  const client = await pool.connect()
  try {
    const key = `topicwire:${name}`
    const { rows } = await client.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok',
      [key],
    )
    if (!rows[0]?.ok) return { ran: false }
    try {
      return { ran: true, value: await fn() }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key])
    }
  } finally {
    client.release()
  }
}
