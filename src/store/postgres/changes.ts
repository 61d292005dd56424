/** The store version across replicas: a local counter bumped by this process's writes and by other processes' change notices (LISTEN/NOTIFY). */
import pg from 'pg'
import type { Queryable } from './pg-pool.js'

/** The channel a change notice travels on; its payload is the writer's instance id. */
export const CHANGES_CHANNEL = 'topicwire_changes'

export interface ChangeFeed {
  /** Grows with every visible change, this process's or another's. */
  version(): number
  /**
   * Tells the other processes of a visible change; called inside the writing transaction, so the
   * notice goes out on commit (and not at all on a rollback).
   */
  announce(db: Queryable): Promise<void>
  /**
   * Counts a visible change of this process, after its commit: counted before, a reader could
   * cache what it read before the commit under the new version.
   */
  changed(): void
  close(): Promise<void>
}

/**
 * Listens on {@link CHANGES_CHANNEL} on a connection of its own. A lost connection is retried
 * (every `retryMs`) and, once back, counted as a change: notices sent meanwhile were missed, so
 * caches keyed on the version must not trust what they hold.
 */
export const startChangeFeed = async (opts: {
  url: string
  instanceId: string
  log?: (message: string) => void
  retryMs?: number
}): Promise<ChangeFeed> => {
  let version = 0
  let closed = false
  let client: pg.Client | undefined
  let retry: NodeJS.Timeout | undefined

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: opts.url, application_name: 'topicwire-listen' })
    c.on('notification', (n) => {
      if (n.channel === CHANGES_CHANNEL && n.payload !== opts.instanceId) version++
    })
    c.on('error', (err) => {
      opts.log?.(`PostgreSQL change notices interrupted (${err.message}); reconnecting`)
      lost(c)
    })
    c.on('end', () => lost(c))
    await c.connect()
    await c.query(`LISTEN ${CHANGES_CHANNEL}`)
    client = c
  }
  const lost = (c: pg.Client): void => {
    if (closed || client !== c) return
    client = undefined
    c.end().catch(() => undefined)
    schedule()
  }
  const schedule = (): void => {
    retry = setTimeout(() => {
      connect().then(
        () => {
          version++
        },
        () => schedule(),
      )
    }, opts.retryMs ?? 1_000)
    retry.unref()
  }

  await connect()
  return {
    version: () => version,
    changed() {
      version++
    },
    async announce(db) {
      await db.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, opts.instanceId])
    },
    async close() {
      closed = true
      if (retry) clearTimeout(retry)
      const c = client
      client = undefined
      await c?.end().catch(() => undefined)
    },
  }
}
