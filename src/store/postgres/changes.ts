/** The store version across replicas: a counter row in the database, bumped by each visible change in its transaction and carried to the other processes by LISTEN/NOTIFY. */
import pg from 'pg'
import type { StoreChange } from '../../model/types.js'
import type { Queryable } from './pg-pool.js'

/** The channel a change notice travels on; its payload is a {@link ChangeNotice} as JSON. */
export const CHANGES_CHANNEL = 'topicwire_changes'

/** Bytes of a notice payload at most (PostgreSQL refuses 8000 and more), with room for multi-byte ids. */
const MAX_PAYLOAD = 1_500

/** What one committed change tells the other processes. */
export interface ChangeNotice {
  /** The writer's instance id (a process ignores nothing: its own notice carries a version too). */
  from: string
  /** The shared version this change committed as; 0 for verdicts, which take none. */
  v: number
  /** `verdicts`: readers' verdicts of `topics` changed (no version). Absent: items changed. */
  kind?: 'verdicts'
  /** Sources of the items and story members the change touched (absent: any may have). */
  sources?: string[]
  /** Topics of the same, before and after (absent: any may have); for verdicts, their topics. */
  topics?: string[]
}

/** What a writing transaction says it changed; see {@link ChangeFeed.announce}. */
export interface ChangeDetail {
  /** Items written: their `stored_seq` becomes the change's version (catch-up reads past it). */
  ids?: readonly string[]
  /** Their sources. */
  sources?: readonly string[]
  /** Their topics before the change (after: read from the rows), when the caller knows them. */
  topics?: readonly string[]
  /**
   * Their stories before and after the change: every member's topics and source join the
   * notice (a new report changes its story's lead and links wherever a member shows). With
   * `topics` or `sources` given and no `stories`, the notice says any topic or source.
   */
  stories?: readonly string[]
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
  /**
   * Calls `listener` with each change once, as {@link version} moves: this process's own as it
   * counts them ({@link changed}, with all it announced), the others' as their notices arrive;
   * after a lost connection, a change that says anything may have changed (`missed`).
   */
  onChange(listener: (c: StoreChange) => void): () => void
  /** Tells the other processes that verdicts of these topics changed; inside the writing transaction. */
  announceVerdicts(db: Queryable, topics: readonly string[]): Promise<void>
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

/** What a notice says changed, for `Store.onChange`. */
const changeOf = (n: ChangeNotice, remote: boolean): StoreChange =>
  n.kind === 'verdicts'
    ? // Topics left out (a long list): any topic's verdicts may have changed.
      n.topics
      ? { verdicts: n.topics, remote }
      : { remote, missed: true }
    : {
        version: n.v,
        ...(n.topics ? { topics: n.topics } : {}),
        ...(n.sources ? { sources: n.sources } : {}),
        remote,
      }

/**
 * A notice as JSON within {@link MAX_PAYLOAD}: its lists are left out when too long (readers then
 * assume any source and topic), so a notice is always sent.
 */
export const noticePayload = (n: ChangeNotice): string => {
  const payload = JSON.stringify(n)
  if (payload.length <= MAX_PAYLOAD) return payload
  const { sources: _s, topics: _t, ...bare } = n
  return JSON.stringify(bare)
}

/**
 * A change announced in one statement (one round trip inside the writer's transaction): the
 * counter bumped, the written items stamped with it, and the notice, at most
 * {@link MAX_PAYLOAD} characters as {@link noticePayload} makes it, queued for the commit.
 * $1 channel, $2 instance id, $3 ids to stamp.
 */
const ANNOUNCE_SQL = `WITH ver AS (UPDATE topicwire_version SET v = v + 1 RETURNING v),
  stamp AS (UPDATE items SET stored_seq = (SELECT v FROM ver) WHERE id = ANY($3::text[])),
  note AS (SELECT v, json_build_object('from', $2::text, 'v', v)::text AS payload FROM ver)
  SELECT v, payload, pg_notify($1, payload) FROM note`

/**
 * {@link ANNOUNCE_SQL} for a change of stories: the notice names the topics and sources of their
 * members (the moved items' old stories too) and those given ($5 topics, $6 sources: a caller
 * announcing before its write gives the written items' own), read in the statement that stamps
 * the items (the stamp changes neither). $4 the stories. Sorted bytewise (`COLLATE "C"`), so
 * notices of equal changes read alike; past the payload bound the lists are left out (readers
 * then assume any source and topic), so a notice is always sent.
 */
const ANNOUNCE_STORIES_SQL = `WITH ver AS (UPDATE topicwire_version SET v = v + 1 RETURNING v),
  stamp AS (UPDATE items SET stored_seq = (SELECT v FROM ver) WHERE id = ANY($3::text[])),
  members AS (SELECT source_id, topics FROM items WHERE cluster_id = ANY($4::text[])),
  lists AS (SELECT
    ARRAY(SELECT t COLLATE "C" FROM (SELECT unnest(topics) FROM members
      UNION SELECT unnest($5::text[])) AS x(t) ORDER BY 1) AS topics,
    ARRAY(SELECT s COLLATE "C" FROM (SELECT source_id::text FROM members
      UNION SELECT unnest($6::text[])) AS x(s) ORDER BY 1) AS sources),
  note AS (SELECT v, json_build_object('from', $2::text, 'v', v, 'sources', sources,
      'topics', topics)::text AS whole, json_build_object('from', $2::text, 'v', v)::text AS bare
    FROM ver, lists),
  sized AS (SELECT v, CASE WHEN length(whole) <= ${MAX_PAYLOAD} THEN whole ELSE bare END AS payload
    FROM note)
  SELECT v, payload, pg_notify($1, payload) FROM sized`

/** Versions of this process's changes told to listeners, remembered at most (then the oldest go). */
const MAX_TOLD = 4_096

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
  const listeners = new Set<(c: StoreChange) => void>()
  /** What this process announced, by version, until it is counted or its notice comes back. */
  const own = new Map<number, StoreChange>()
  /** Versions already told: a change of this process is counted and heard back as a notice. */
  const told = new Set<number>()
  const advance = (v: number): void => {
    if (v > version) version = v
  }
  const tell = (change: StoreChange): void => {
    const v = change.version
    if (v !== undefined && !change.missed) {
      if (told.has(v)) return
      told.add(v)
      if (told.size > MAX_TOLD) told.delete(told.values().next().value as number)
    }
    for (const l of listeners) l(change)
  }
  /** This process's change `v`, told once with all it announced. */
  const tellOwn = (v: number, heard?: ChangeNotice): void => {
    const mine = own.get(v)
    own.delete(v)
    tell(mine ?? (heard ? changeOf(heard, false) : { version: v, remote: false }))
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
      const mine = notice.from === opts.instanceId
      if (notice.kind === 'verdicts') tell(changeOf(notice, !mine))
      else {
        advance(notice.v)
        if (mine) tellOwn(notice.v, notice)
        else tell(changeOf(notice, true))
      }
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
        // Any notice missed while away: listeners re-check everything.
        () => tell({ version, remote: true, missed: true }),
        () => schedule(),
      )
    }, opts.retryMs ?? 1_000)
    retry.unref()
  }

  await connect()
  return {
    version: () => version,
    changed(v) {
      advance(v)
      tellOwn(v)
    },
    onChange(listener) {
      const l = (c: StoreChange): void => listener(c)
      listeners.add(l)
      return () => listeners.delete(l)
    },
    async announce(db, detail = {}) {
      const { rows } = await db.query<{ v: string; payload: string }>(
        detail.stories ? ANNOUNCE_STORIES_SQL : ANNOUNCE_SQL,
        detail.stories
          ? [
              CHANGES_CHANNEL,
              opts.instanceId,
              detail.ids ?? [],
              detail.stories,
              detail.topics ?? [],
              detail.sources ?? [],
            ]
          : [CHANGES_CHANNEL, opts.instanceId, detail.ids ?? []],
      )
      const v = Number(rows[0]?.v)
      const notice = parseNotice(rows[0]?.payload) ?? { from: opts.instanceId, v }
      own.set(v, changeOf(notice, false))
      // A rolled-back change is never counted: its entry goes once the map is long.
      if (own.size > MAX_TOLD) own.delete(own.keys().next().value as number)
      return v
    },
    async announceVerdicts(db, topics) {
      const notice: ChangeNotice = {
        from: opts.instanceId,
        v: 0,
        kind: 'verdicts',
        topics: [...new Set(topics)],
      }
      await db.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, noticePayload(notice)])
    },
    async close() {
      closed = true
      if (retry) clearTimeout(retry)
      listeners.clear()
      const c = client
      client = undefined
      await c?.end().catch(() => undefined)
    },
  }
}
