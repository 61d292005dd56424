/** `topicwire store migrate --from lowdb --to postgres`: an embedded store copied into PostgreSQL with every id, story, state and verdict intact. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SourceState } from '../../src/model/types.js'
import { createPartitionedStore } from '../../src/store/lowdb/partitioned-store.js'
import { MIGRATIONS, migrate } from '../../src/store/postgres/migrations.js'
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js'
import { runCli } from '../helpers/cli.js'
import { makeItem } from '../helpers/items.js'
import { type PgCluster, pgSkipReason, startPgCluster } from '../helpers/postgres.js'
import { hoursAfter } from '../store/contract.js'

const skip = pgSkipReason()
if (skip) console.warn(`skipping the store migrate suite: ${skip}`)

describe.skipIf(skip !== undefined)('topicwire store migrate --from lowdb --to postgres', () => {
  let cluster: PgCluster
  let dir: string
  beforeAll(async () => {
    cluster = await startPgCluster()
    dir = await mkdtemp(join(tmpdir(), 'topicwire-store-migrate-'))
  }, 120_000)
  afterAll(async () => {
    await cluster?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  }, 60_000)

  const configFor = async (name: string, db: string) => {
    const file = join(dir, `${name}.yaml`)
    await writeFile(
      file,
      `storage:\n  path: ${db}\nsources:\n  - { id: dawn, title: Dawn, url: "https://www.dawn.com/feeds/home" }\n`,
    )
    return file
  }

  it('copies every item, state and verdict unchanged; a second copy is refused', async () => {
    const db = join(dir, 'full', 'db.json')
    const lowdb = await createPartitionedStore({ path: db })
    const lead = makeItem({
      title: 'Torkham reopens',
      publishedAt: hoursAfter(1),
      topics: ['border'],
    })
    const items = [
      lead,
      makeItem({
        title: 'Kabul talks',
        publishedAt: hoursAfter(30),
        language: 'ps',
        categories: ['World'],
      }),
      makeItem({
        title: 'اسلام‌آباد',
        publishedAt: hoursAfter(50),
        enclosures: [{ url: 'https://x.org/a.mp3', length: 3 }],
      }),
    ]
    const copy = makeItem({
      sourceId: 'geo',
      title: 'Torkham open again',
      publishedAt: hoursAfter(2),
      clusterId: lead.id,
      clusterReason: { via: 'similar', matchedId: lead.id, score: 0.8 },
    })
    const polled: SourceState = {
      sourceId: 'dawn',
      failures: 0,
      nextPollAt: hoursAfter(60),
      etag: '"x"',
      lastFetchAt: hoursAfter(50),
      history: [{ at: hoursAfter(50), outcome: 'ok', status: 200 }],
    }
    await lowdb.saveIngest({ sourceId: 'dawn', items, state: polled })
    await lowdb.saveIngest({
      sourceId: 'geo',
      items: [copy],
      state: {
        sourceId: 'geo',
        failures: 2,
        nextPollAt: hoursAfter(3),
        lastError: { code: 'http', message: 'HTTP 503', at: hoursAfter(2) },
      },
    })
    await lowdb.saveState({ sourceId: 'gone', failures: 0, nextPollAt: hoursAfter(0), gone: true })
    await lowdb.saveVerdicts([
      { topicId: 'border', itemId: lead.id, in: true, at: hoursAfter(3), title: lead.title },
      {
        topicId: 'border',
        itemId: 'pruned-long-ago',
        in: false,
        at: hoursAfter(4),
        title: 'Quake',
        summary: 's',
      },
    ])
    const expected = {
      items: await Promise.all([...items, copy].map((i) => lowdb.getItem(i.id))),
      states: await lowdb.listStates(),
      verdicts: await lowdb.listVerdicts(),
    }
    await lowdb.close()

    const url = await cluster.createDatabase('migrate_full')
    const config = await configFor('full', db)
    const run = await runCli(
      ['store', 'migrate', '--from', 'lowdb', '--to', 'postgres', '--config', config],
      {
        DATABASE_URL: url,
      },
    )
    expect(run.err).toBe('')
    expect(run.code).toBe(0)
    expect(run.out).toContain('copied 4 items, 3 source states and 2 verdicts')

    const pg = await createPostgresStore({ url })
    try {
      expect(await Promise.all([...items, copy].map((i) => pg.getItem(i.id)))).toEqual(
        expected.items,
      )
      expect(await pg.listStates()).toEqual(expected.states)
      expect(await pg.listVerdicts()).toEqual(expected.verdicts)
      expect((await pg.clusterMembers(lead.id)).map((i) => i.id).sort()).toEqual(
        [lead.id, copy.id].sort(),
      )
      expect(
        (await pg.queryItems({ limit: 10, clusters: 'collapse' })).items.map((i) => i.title),
      ).toEqual(['اسلام‌آباد', 'Kabul talks', 'Torkham reopens'])
    } finally {
      await pg.close()
    }

    const again = await runCli(
      ['store', 'migrate', '--from', 'lowdb', '--to', 'postgres', '--config', config],
      {
        DATABASE_URL: url,
      },
    )
    expect(again.code).toBe(1)
    expect(again.err).toMatch(
      /already holds 4 items and 3 source states: copy into an empty database \(nothing was written\)/,
    )
  }, 30_000)

  it('says what it copies when --from or --to is missing or another driver', async () => {
    const run = await runCli(['store', 'migrate', '--from', 'lowdb'])
    expect(run.code).toBe(2)
    expect(run.err).toContain('copies --from lowdb --to postgres (got --from lowdb --to (none))')
    expect((await runCli(['store'])).code).toBe(2)
  })

  it('check --preview against PostgreSQL never migrates: an older schema is refused clearly, a current one is read read-only', async () => {
    const url = await cluster.createDatabase('preview_ro')
    const file = join(dir, 'preview.yaml')
    await writeFile(
      file,
      'storage:\n  driver: postgres\nsources:\n  - { id: dawn, title: Dawn, url: "https://www.dawn.com/feeds/home" }\n',
    )
    const pgc = new pg.Client({ connectionString: url })
    await pgc.connect()
    try {
      const fresh = await runCli(['check', '--preview', '--config', file], { DATABASE_URL: url })
      expect(fresh.code).toBe(1)
      expect(fresh.err).toMatch(/schema is version 0, older than this topicwire's \(\d+\)/)
      expect(fresh.err).toMatch(/never migrates/)
      const { rows } = await pgc.query("SELECT to_regclass('topicwire_migrations')::text AS t")
      expect(rows[0]?.t).toBeNull()
      // The first migration only: still older than the code.
      const pool = new pg.Pool({ connectionString: url })
      await migrate(pool, MIGRATIONS.slice(0, 1)).finally(() => pool.end())
      const older = await runCli(['check', '--preview', '--config', file], { DATABASE_URL: url })
      expect(older.err).toMatch(/schema is version 1, older/)
      const { rows: versions } = await pgc.query('SELECT version FROM topicwire_migrations')
      expect(versions).toEqual([{ version: 1 }])
      // Current: previewed, and the store it opens refuses any write.
      await (await createPostgresStore({ url })).close()
      const ok = await runCli(['check', '--preview', '--config', file], { DATABASE_URL: url })
      expect([ok.code, ok.err]).toEqual([0, ''])
      const ro = await createPostgresStore({ url, readOnly: true })
      try {
        await expect(
          ro.saveState({ sourceId: 'dawn', failures: 0, nextPollAt: hoursAfter(1) }),
        ).rejects.toThrow(/read-only transaction/)
      } finally {
        await ro.close()
      }
    } finally {
      await pgc.end()
    }
  })
})
