/** The store version across replicas: a counter row in the database, bumped by each visible change in its transaction and carried to the other processes by LISTEN/NOTIFY. */
import pg from 'pg'
import type { Queryable } from './pg-pool.js'

/** The channel a change notice travels on; its payload is a {@link ChangeNotice} as JSON. */
export const CHANGES_CHANNEL = 'topicwire_changes'

/** Bytes of a notice payload at most (PostgreSQL refuses 8000 and more), with room for multi-byte ids. */
const MAX_PAYLOAD = 1_500

/** What one committed change tells the other processes. */
export interface ChangeNotice {
  /** The writer's instance id (a process ignores nothing: its own notice carries a version too). */
  from: string
  /** The shared version this change committed as. */
  v: number
  /** Sources whose items changed, when the change knows them (absent: any may have). */
  sources?: string[]
}

/** What a writing transaction says it changed; see {@link ChangeFeed.announce}. */
export interface ChangeDetail {
  /** Items written: their `stored_seq` becomes the change's version (catch-up reads past it). */
  ids?: readonly string[]
  sources?: readonly string[]
}

export interface ChangeFeed {
  /**
   * The newest shared version this process knows of: the same number on every replica that has
   * seen the same changes, so validators built on it agree across replicas.
   */
  version(): number
  /**
   * Takes the next shared version for a visible change and tells the other processes; called
   * inside the writing transaction, at its end: the counter row stays locked until the commit, so
   * versions are taken in commit order, and the notice goes out on commit (not on a rollback).
   * Returns the version, for {@link changed} after the commit.
   */
  announce(db: Queryable, detail?: ChangeDetail): Promise<number>
  /**
   * Counts a committed change of this process: counted before the commit, a reader could cache
   * what it read before the commit under the new version.
   */
  changed(v: number): void
  /** Called with each notice of another process (after {@link version} has moved). */
  onNotice(listener: (n: ChangeNotice) => void): void
  close(): Promise<void>
}

/** Reads the shared version (0 before any change). */
export const readSharedVersion = async (db: Queryable): Promise<number> => {
  const { rows } = await db.query<{ v: string }>('SELECT v FROM topicwire_version')
  return Number(rows[0]?.v ?? 0)
}

/** A notice's payload, or undefined when it is not ours (an older writer sent a bare id). */
const parseNotice = (payload: string | undefined): ChangeNotice | undefined => {
  try {
    const n = JSON.parse(payload ?? '') as Partial<ChangeNotice>
    return typeof n.v === 'number' && typeof n.from === 'string' ? (n as ChangeNotice) : undefined
  } catch {
    return undefined
  }
}

/**
 * Listens on {@link CHANGES_CHANNEL} on a connection of its own. A lost connection is retried
 * (every `retryMs`) and, once back, the shared version is read again: notices sent meanwhile were
 * missed, and the counter says whether anything changed.
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
  const listeners: ((n: ChangeNotice) => void)[] = []
  const advance = (v: number): void => {
    if (v > version) version = v
  }

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: opts.url, application_name: 'topicwire-listen' })
    c.on('notification', (n) => {
      if (n.channel !== CHANGES_CHANNEL) return
      const notice = parseNotice(n.payload)
      if (!notice) {
        // Not a versioned notice (a copy, an older writer): ask the counter.
        readSharedVersion(c).then(advance, () => undefined)
        return
      }
      advance(notice.v)
      if (notice.from !== opts.instanceId) for (const l of listeners) l(notice)
    })
    c.on('error', (err) => {
      opts.log?.(`PostgreSQL change notices interrupted (${err.message}); reconnecting`)
      lost(c)
    })
    c.on('end', () => lost(c))
    await c.connect()
    await c.query(`LISTEN ${CHANGES_CHANNEL}`)
    // After LISTEN: a change committed between this read and the LISTEN still arrives as a notice.
    advance(await readSharedVersion(c))
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
          // Any notice missed while away: listeners re-check everything.
          for (const l of listeners) l({ from: '', v: version })
        },
        () => schedule(),
      )
    }, opts.retryMs ?? 1_000)
    retry.unref()
  }

  await connect()
  return {
    version: () => version,
    changed: advance,
    onNotice(listener) {
      listeners.push(listener)
    },
    async announce(db, detail = {}) {
      const { rows } = await db.query<{ v: string }>(
        'UPDATE topicwire_version SET v = v + 1 RETURNING v',
      )
      const v = Number(rows[0]?.v)
      if (detail.ids && detail.ids.length > 0) {
        await db.query('UPDATE items SET stored_seq = $1 WHERE id = ANY($2)', [v, detail.ids])
      }
      const bare: ChangeNotice = { from: opts.instanceId, v }
      let payload = JSON.stringify(detail.sources ? { ...bare, sources: detail.sources } : bare)
      // A payload is bounded (8000 bytes): a long list is left out, and readers assume any source.
      if (payload.length > MAX_PAYLOAD) payload = JSON.stringify(bare)
      await db.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, payload])
      return v
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
