/** The PostgreSQL Store: one database shared by any number of replicas, with leases on polling and change notices between them. */
import { randomUUID } from 'node:crypto'
import type { Store } from '../../model/types.js'
import { readSharedVersion, startChangeFeed } from './changes.js'
import { runExclusivePg } from './exclusive.js'
import {
  clusterMembersPg,
  countItemsPg,
  getItemPg,
  queryItemsPg,
  recentItemsPg,
} from './item-query.js'
import { prunePg, retagPg } from './maintenance.js'
import { migrate, requireCurrentSchema } from './migrations.js'
import { connectError, inTransaction, openPgPool } from './pg-pool.js'
import { saveIngestPg } from './save-ingest.js'
import { claimDueStates, readState, readStates, writeStates } from './states.js'
import { storedSincePg } from './stored-since.js'
import { storedUnchangedPg } from './stored-unchanged.js'
import { createStoryLock } from './story-lock.js'
import { storyMembersPg } from './story-members.js'
import { listVerdictsPg, saveTopicModelPg, saveVerdictsPg, topicModelsPg } from './verdicts.js'

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (SPEC `storage.url` / `DATABASE_URL`). */
  url: string
  /** A source's preference as a story's lead (see memory.ts `MemoryStoreOptions.priorityOf`). */
  priorityOf?: (sourceId: string) => number
  /**
   * How long a claimed source stays away from other replicas unless its poll is saved first: a
   * replica killed mid-poll delays its sources by at most this (default 15 minutes). Make it
   * longer than a poll cycle's deadline.
   */
  leaseMs?: number
  /** Connections in the pool (default 10), besides the one that listens for change notices. */
  maxConnections?: number
  /** Told of lost connections and reconnections. */
  log?: (message: string) => void
  /**
   * Opens without migrating and with every transaction read-only (`check --preview`): a schema
   * older or newer than this code's is refused, naming both versions.
   */
  readOnly?: boolean
}

/** The store, plus what replicas and tests need to see. */
export type PostgresStore = Store &
  Required<Pick<Store, 'runExclusive' | 'clusterMembers' | 'onChange'>> & {
    /** This instance's name as a lease holder and in change notices. */
    readonly instanceId: string
    /** The schema versions this open applied (empty when the database was up to date). */
    readonly migrated: readonly number[]
  }

/**
 * Connects, migrates the schema (under an advisory lock: replicas starting together migrate once;
 * a database newer than this code is refused), and listens for other replicas' changes so that
 * `version()`, which must answer synchronously, follows every replica's writes.
 * @throws StoreError when the server cannot be reached (naming it, not the password) or the schema is newer.
 */
export const createPostgresStore = async (opts: PostgresStoreOptions): Promise<PostgresStore> => {
  const instanceId = randomUUID()
  const pool = await openPgPool({
    url: opts.url,
    ...(opts.maxConnections ? { max: opts.maxConnections } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.readOnly ? { readOnly: true } : {}),
  })
  let migrated: number[]
  let changes: Awaited<ReturnType<typeof startChangeFeed>>
  try {
    if (opts.readOnly) {
      await requireCurrentSchema(pool)
      migrated = []
    } else migrated = await migrate(pool)
    changes = await startChangeFeed({
      url: opts.url,
      instanceId,
      ...(opts.log ? { log: opts.log } : {}),
    }).catch((err: unknown) => {
      throw connectError(err, opts.url)
    })
  } catch (err) {
    await pool.end().catch(() => undefined)
    throw err
  }
  const announce = changes.announce
  let closed = false
  const storyLock = createStoryLock(pool)
  const claim = { holder: instanceId, leaseMs: opts.leaseMs ?? 15 * 60_000 }

  return {
    instanceId,
    migrated,
    // Other replicas write here too: the clusterer catches up with their items.
    shared: true,
    claimDue: (now, sourceIds, max) => claimDueStates(pool, now, sourceIds, max, claim),
    getState: (sourceId) => readState(pool, sourceId),
    listStates: () => readStates(pool),
    recentItems: (since) => recentItemsPg(pool, since),
    storedSince: (after, limit) => storedSincePg(pool, after, limit),
    storedPosition: async () => ({ seq: await readSharedVersion(pool), id: '' }),
    storedUnchanged: (items) => storedUnchangedPg(pool, items),
    async saveIngest(r) {
      const { summary, version } = await saveIngestPg(pool, r, announce)
      if (version !== undefined) changes.changed(version)
      return summary
    },
    saveState: (state) => writeStates(pool, [state]),
    queryItems: (q) => queryItemsPg(pool, q, opts.priorityOf),
    getItem: (id) => getItemPg(pool, id),
    clusterMembers: (clusterId) => clusterMembersPg(pool, clusterId),
    storyMembers: (clusterIds) => storyMembersPg(pool, clusterIds),
    countItems: (filter) => countItemsPg(pool, filter),
    saveVerdicts: (list) =>
      inTransaction(pool, async (client) => {
        const n = await saveVerdictsPg(client, list)
        // The other replicas' models of these topics learn from them (runtime.ts).
        if (n > 0) await changes.announceVerdicts(client, [...new Set(list.map((v) => v.topicId))])
        return n
      }),
    listVerdicts: (topicId) => listVerdictsPg(pool, topicId),
    async saveTopicModel(m) {
      if (!opts.readOnly) await saveTopicModelPg(pool, m)
    },
    topicModels: () => topicModelsPg(pool),
    async retag(tagger, only) {
      let v = 0
      const n = await retagPg(
        pool,
        tagger,
        async (c) => {
          v = await announce(c)
          return v
        },
        only,
      )
      if (n > 0) changes.changed(v)
      return n
    },
    async taggedWith() {
      const { rows } = await pool.query<{ value: string }>(
        "SELECT value FROM topicwire_facts WHERE name = 'tagged_with'",
      )
      return rows[0]?.value
    },
    async setTaggedWith(fingerprint) {
      if (opts.readOnly) return
      if (fingerprint === undefined) {
        await pool.query("DELETE FROM topicwire_facts WHERE name = 'tagged_with'")
        return
      }
      await pool.query(
        `INSERT INTO topicwire_facts (name, value) VALUES ('tagged_with', $1)
         ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
        [fingerprint],
      )
    },
    async prune(policy, now) {
      let v = 0
      const n = await prunePg(pool, policy, now, async (c) => {
        v = await announce(c)
        return v
      })
      if (n > 0) changes.changed(v)
      return n
    },
    runExclusive: (name, fn) => runExclusivePg(pool, name, fn),
    storyLock,
    version: () => changes.version(),
    onChange: (listener) => changes.onChange(listener),
    async flush() {},
    async close() {
      if (closed) return
      closed = true
      await changes.close()
      await pool.end()
    },
  }
}
