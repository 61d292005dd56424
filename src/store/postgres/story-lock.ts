/** The story lock of PostgreSQL replicas: one batch's story assignment and save at a time across every replica (a session advisory lock). */
import type pg from 'pg'

/** The advisory lock key of story work ("storyw" in ASCII; migrations use another). */
const STORY_LOCK = 0x73746f727977

/**
 * A lock that `run(fn)` holds while `fn` runs, waiting for it when another replica (or another
 * poll of this one) holds it. Within a process the waiters queue in memory, so at most one pool
 * connection waits on the database lock: a pool full of waiters could not lend the holder the
 * connection its save needs.
 */
export const createStoryLock = (pool: pg.Pool) => {
  let tail: Promise<unknown> = Promise.resolve()
  const locked = async <T>(fn: () => Promise<T>): Promise<T> => {
    const client = await pool.connect()
    let held = false
    try {
      await client.query('SELECT pg_advisory_lock($1)', [STORY_LOCK])
      held = true
      return await fn()
    } finally {
      if (held) {
        await client.query('SELECT pg_advisory_unlock($1)', [STORY_LOCK]).then(
          () => client.release(),
          // A connection that cannot unlock is dropped: closing the session ends its lock.
          (err: Error) => client.release(err),
        )
      } else client.release()
    }
  }
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const turn = tail.then(() => locked(fn))
    tail = turn.catch(() => undefined)
    return turn
  }
}
