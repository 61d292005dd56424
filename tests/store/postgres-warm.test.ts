/** `topicwire store warm` on a real cluster restarted with empty buffers: what it reads into them, in which order, what it leaves out when they are small, and what it says without the extension. */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { upsertItems } from '../../src/store/postgres/item-rows.js'
import { migrate } from '../../src/store/postgres/migrations.js'
import { inTransaction, openPgPool } from '../../src/store/postgres/pg-pool.js'
import { warmPg } from '../../src/store/postgres/warm.js'
import { runCli } from '../helpers/cli.js'
import { makeItem } from '../helpers/items.js'
import { type PgCluster, pgSkipReason, startPgCluster } from '../helpers/postgres.js'

const skip = pgSkipReason()
if (skip) console.warn(`skipping the store warm suite: ${skip}`)

/** Blocks of each of the items' relations and how many of them are in shared buffers now. */
const buffered = async (url: string) => {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_buffercache')
    const { rows } = await c.query<{ name: string; blocks: number; cached: number }>(
      `WITH t AS (SELECT oid, reltoastrelid FROM pg_class
                  WHERE relname IN ('items', 'item_search', 'item_topics')
                    AND relnamespace = 'public'::regnamespace),
       rel AS (SELECT oid FROM t UNION SELECT reltoastrelid FROM t WHERE reltoastrelid <> 0
               UNION SELECT indexrelid FROM pg_index, t WHERE indrelid IN (t.oid, t.reltoastrelid))
       SELECT r.oid::regclass::text AS name,
         (pg_relation_size(r.oid) / 8192)::int AS blocks,
         (SELECT count(*)::int FROM pg_buffercache b
          WHERE b.relfilenode = pg_relation_filenode(r.oid) AND b.relforknumber = 0
            AND b.reldatabase = (SELECT oid FROM pg_database WHERE datname = current_database()))
           AS cached
       FROM rel r`,
    )
    return new Map(rows.map((r) => [r.name, r]))
  } finally {
    await c.end()
  }
}

describe.skipIf(skip !== undefined)('store warm (pg_prewarm of the items)', () => {
  let dir: string
  let cluster: PgCluster | undefined
  let url: string

  /** (Re)starts the kept cluster with `settings`: its shared buffers start empty. */
  const restart = async (settings: Record<string, string>) => {
    await cluster?.stop()
    cluster = await startPgCluster(settings, join(dir, 'pg'))
    url = cluster.url('warm')
  }

  /** `store warm` run by the CLI with a configuration of the postgres driver, the database at `dbUrl`. */
  const warmCommand = async (name: string, dbUrl: string) => {
    const config = join(dir, name)
    await writeFile(
      config,
      'storage:\n  driver: postgres\nsources:\n  - { id: dawn, title: Dawn, url: "https://www.dawn.com/feeds/home" }\n',
    )
    return runCli(['store', 'warm', '--config', config], { DATABASE_URL: dbUrl })
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'topicwire-warm-'))
    // The cluster's folder is inside: the server (as `nobody` when tests run as root) must reach it.
    await chmod(dir, 0o755)
    await restart({ shared_buffers: '64MB' })
    await cluster!.createDatabase('warm')
    const pool = await openPgPool({ url, statementTimeoutMs: 0 })
    try {
      await migrate(pool)
      // 600 items of a few KB each, a third tagged: every table and index holds pages.
      const items = Array.from({ length: 600 }, (_, i) =>
        makeItem({
          title: `Border talks round ${i} on trade and transit`,
          sourceId: `src-${i % 7}`,
          publishedAt: new Date(Date.UTC(2024, 4, 1) + i * 60_000).toISOString(),
          contentHtml: `<p>${`Round ${i} of talks on the crossing and its trade. `.repeat(40)}</p>`,
          topics: i % 3 === 0 ? ['border-trade'] : [],
        }),
      )
      await inTransaction(pool, (c) => upsertItems(c, items))
    } finally {
      await pool.end()
    }
  }, 120_000)

  afterAll(async () => {
    await cluster?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  }, 60_000)

  it('reads every table, TOAST table and index of the items into buffers emptied by a restart', async () => {
    await restart({ shared_buffers: '64MB' })
    const before = await buffered(url)
    const total = [...before.values()].reduce((n, r) => n + r.blocks, 0)
    const cachedBefore = [...before.values()].reduce((n, r) => n + r.cached, 0)
    expect(before.has('items') && before.has('item_search') && before.has('item_topics')).toBe(true)
    expect(cachedBefore).toBeLessThan(total)

    const pool = await openPgPool({ url, max: 1, statementTimeoutMs: 0 })
    const result = await warmPg(pool).finally(() => pool.end())

    const after = await buffered(url)
    for (const r of after.values())
      expect({ name: r.name, cached: r.cached }).toEqual({ name: r.name, cached: r.blocks })
    expect(result.skipped).toEqual([])
    expect(new Set(result.read.map((r) => r.name))).toEqual(new Set(after.keys()))
    expect(result.read.reduce((n, r) => n + r.blocks, 0)).toBe(total)
    // Indexes first, then the tables in the order pages use them, TOAST last.
    const rank = result.read.map((r) => ['index', 'table', 'toast'].indexOf(r.kind))
    expect(rank).toEqual([...rank].sort((a, b) => a - b))
    expect(new Set(rank)).toEqual(new Set([0, 1, 2]))
    expect(result.read.filter((r) => r.kind === 'table').map((r) => r.name)).toEqual([
      'item_search',
      'item_topics',
      'items',
    ])
    expect(result.sharedBuffersMb).toBe(64)
  }, 120_000)

  it('leaves out what would pass 90% of small shared buffers, and the command says so', async () => {
    await restart({ shared_buffers: '1MB' })
    const r = await warmCommand('topicwire.yaml', url)
    expect(r.code).toBe(0)
    expect(r.out).toMatch(
      /^read \d+ MB of \d+ MB \(\d+ tables and indexes of the items\) into the shared buffers \(1 MB\)/,
    )
    expect(r.err).toMatch(/^store warm: left out, to keep 10% of the shared buffers free: .*items/)

    const pool = await openPgPool({ url, max: 1, statementTimeoutMs: 0 })
    const result = await warmPg(pool).finally(() => pool.end())
    const budget = Math.floor(128 * 0.9)
    expect(result.read.reduce((n, x) => n + x.blocks, 0)).toBeLessThanOrEqual(budget)
    expect(result.skipped.length).toBeGreaterThan(0)
    // Each relation left out would have passed the budget on top of those read before it.
    const read = result.read.reduce((n, x) => n + x.blocks, 0)
    for (const s of result.skipped) expect(read + s.blocks).toBeGreaterThan(budget)
  }, 120_000)

  it('without the extension and without the right to create it, says what a superuser must run', async () => {
    await restart({ shared_buffers: '64MB' })
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    try {
      await admin.query('DROP EXTENSION IF EXISTS pg_prewarm')
      await admin.query('DROP ROLE IF EXISTS tw_plain')
      await admin.query('CREATE ROLE tw_plain LOGIN')
    } finally {
      await admin.end()
    }
    const plainUrl = url.replace('postgres@', 'tw_plain@')
    const pool = await openPgPool({ url: plainUrl, max: 1 })
    const err = await warmPg(pool)
      .catch((e: unknown) => e)
      .finally(() => pool.end())
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toMatch(
      /needs a superuser: run CREATE EXTENSION pg_prewarm; in this database as a superuser once/,
    )
    const r = await warmCommand('plain.yaml', plainUrl)
    expect(r.code).toBe(1)
    expect(r.err).toMatch(
      /^topicwire: store warm: creating the extension pg_prewarm needs a superuser/,
    )

    // Once a superuser created it, the tables' owner warms them (TOAST and indexes included).
    const admin2 = new pg.Client({ connectionString: url })
    await admin2.connect()
    try {
      await admin2.query('CREATE EXTENSION pg_prewarm')
      for (const t of ['items', 'item_search', 'item_topics'])
        await admin2.query(`ALTER TABLE ${t} OWNER TO tw_plain`)
    } finally {
      await admin2.end()
    }
    const owner = await openPgPool({ url: plainUrl, max: 1 })
    const warmed = await warmPg(owner).finally(() => owner.end())
    expect(warmed.skipped).toEqual([])
    expect(warmed.read.map((x) => x.kind)).toContain('toast')
    const after = await buffered(url)
    for (const x of after.values()) expect(x.cached).toBe(x.blocks)
  }, 120_000)
})
