/** The PostgreSQL store: the Store contract on a throwaway cluster, the same answers as the memory store, migrations, versions across replicas, leases and exclusive work. */
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/http/app.js'
import { StoreError } from '../../src/model/errors.js'
import type { Item, ItemQuery, Page, SourceState, Store } from '../../src/model/types.js'
import { openStore } from '../../src/runtime.js'
import { createMemoryStore } from '../../src/store/memory.js'
import { holdsSql, queryItemsPg } from '../../src/store/postgres/item-query.js'
import { upsertItems, wordsOf } from '../../src/store/postgres/item-rows.js'
import { MIGRATIONS, migrate } from '../../src/store/postgres/migrations.js'
import { IDLE_MS, openPgPool } from '../../src/store/postgres/pg-pool.js'
import { createPostgresStore, type PostgresStore } from '../../src/store/postgres/postgres-store.js'
import {
  signatureBits,
  WORD_SIG_BITS,
  wordSignature,
} from '../../src/store/postgres/word-signature.js'
import { searchTextOf } from '../../src/store/query.js'
import { type ClusterStore, createClusterer } from '../../src/stories/clusterer.js'
import { makeItem } from '../helpers/items.js'
import { freePort } from '../helpers/ports.js'
import { type PgCluster, pgSkipReason, startPgCluster } from '../helpers/postgres.js'
import { seeded } from '../helpers/random.js'
import { createTestDeps, makeSource, PAK_AFGHAN_TOPIC, testConfig } from '../helpers/runtime.js'
import { describeStore, hoursAfter } from './contract.js'

const skip = pgSkipReason()

/** A row's search text as the store computes it (NUL cannot be in a text column). */
const textOfItem = (item: Item): string =>
  searchTextOf(item).replaceAll(String.fromCharCode(0), ' ')

/**
 * Writes items as the code of schemas 6 to 9 did, into `items` alone (search text and word
 * signature in the row; from schema 9 on, its triggers copied them into item_search).
 */
const upsertOld = async (db: pg.Pool, items: readonly Item[]): Promise<void> => {
  const texts = items.map(textOfItem)
  const time = (iso: string) => {
    const t = Date.parse(iso)
    return Number.isNaN(t) ? -8_640_000_000_000_001 : t
  }
  // One statement (topics and words as array literals: unnest cannot take a text[][] of rows).
  await db.query(
    `INSERT INTO items (id, source_id, cluster_id, canonical_url, published, fetched, language,
       topics, search_text, words, doc, content_hash, word_sig)
     SELECT id, source_id, cluster_id, canonical_url, published, fetched, language,
       topics::text[], search_text, words::text[], doc::json, content_hash, word_sig::bit(1024)
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],
       $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
       AS r(id, source_id, cluster_id, canonical_url, published, fetched, language, topics,
         search_text, words, doc, content_hash, word_sig)`,
    [
      items.map((it) => it.id),
      items.map((it) => it.sourceId),
      items.map((it) => it.clusterId),
      items.map((it) => it.canonicalUrl ?? null),
      items.map((it) => time(it.publishedAt)),
      items.map((it) => time(it.fetchedAt)),
      items.map((it) => it.language?.toLowerCase().replace(/_/g, '-') ?? null),
      items.map((it) => arrayLiteral(it.topics)),
      texts,
      texts.map((t) => arrayLiteral(wordsOf(t))),
      items.map((it) => JSON.stringify(it)),
      items.map((it) => it.contentHash),
      texts.map((t) => wordSignature(wordsOf(t))),
    ],
  )
}

/** A text[] literal of `values` (each quoted, `"` and `\\` escaped). */
const arrayLiteral = (values: readonly string[]): string =>
  `{${values.map((v) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`

/** A signature (PostgreSQL's `X` hex input) as PostgreSQL sends a bit string: its bits. */
const sigBits = (hex: string): string =>
  [...hex.slice(1)].map((d) => Number.parseInt(d, 16).toString(2).padStart(4, '0')).join('')

/**
 * item_search as the items say it must be (their walk columns, and the search text and
 * signature of their documents), and as it is, in id order.
 */
const itemSearchCheck = async (db: pg.Pool) => {
  const { rows } = await db.query<{ doc: string } & Record<string, unknown>>(
    'SELECT id, published, source_id, cluster_id, language, topics, doc::text AS doc FROM items ORDER BY id',
  )
  const want = rows.map(({ doc, ...walk }) => {
    const text = textOfItem(JSON.parse(doc) as Item)
    return { ...walk, word_sig: sigBits(wordSignature(wordsOf(text))), search_text: text }
  })
  const got = (
    await db.query(
      'SELECT id, published, source_id, cluster_id, language, topics, word_sig, search_text FROM item_search ORDER BY id',
    )
  ).rows
  return { want, got }
}
if (skip) console.warn(`skipping the PostgreSQL store suite: ${skip}`)

/** When the story-copy reports were published. */
/**
 * A memory store (the oracle) of `items`, each source's saved by one ingest; an item without a
 * story is its own (as the clusterer makes it).
 */
const memoryStoreOf = async (
  items: Item[],
  sources: readonly string[],
  nextPollAt: string,
): Promise<Store> => {
  for (const it of items) if (it.clusterId === undefined) it.clusterId = it.id
  const mem = createMemoryStore()
  for (const source of sources) {
    await mem.saveIngest({
      sourceId: source,
      items: items.filter((it) => it.sourceId === source),
      state: { sourceId: source, failures: 0, nextPollAt },
    })
  }
  return mem
}

/**
 * `count` reports of border crossings from `sources` in turn, two an hour, some of them tagged
 * and some in stories (what the migration tests store), each with `extra(i)`'s fields.
 */
const crossingReports = (
  count: number,
  sources: readonly string[],
  extra: (i: number) => Partial<Item> = () => ({}),
): Item[] =>
  Array.from({ length: count }, (_, i) =>
    makeItem({
      sourceId: sources[i % sources.length]!,
      title: `${i % 4 === 0 ? 'Torkham' : 'Chaman'} crossing report ${i}`,
      summary: i % 3 === 0 ? 'Trade resumes.' : 'Talks go on.',
      publishedAt: hoursAfter(Math.floor(i / 2)),
      topics: i % 5 === 0 ? ['border'] : [],
      clusterId: i % 6 === 0 ? `story-${i % 20}` : undefined,
      ...extra(i),
    }),
  )

/** Migrates `pool`'s database up to schema `version` (a database as that version's code left it). */
const migrateTo = (pool: pg.Pool, version: number) =>
  migrate(
    pool,
    MIGRATIONS.filter((m) => m.version <= version),
  )

type ReadPage = (q: ItemQuery) => Promise<Page<Item>>

/**
 * The ids of every page of each query, with stories collapsed and not, following cursors (at most
 * `maxPages` pages of `limit` items each): what two stores must give alike.
 */
const idsOfPages = async (
  read: ReadPage,
  queries: readonly Omit<ItemQuery, 'limit' | 'clusters'>[],
  limit: number,
  maxPages: number,
): Promise<string[][]> => {
  const out: string[][] = []
  for (const q of queries) {
    for (const clusters of ['all', 'collapse'] as const) {
      let cursor: string | undefined
      let n = 0
      do {
        const page = await read({ limit, clusters, ...q, ...(cursor ? { cursor } : {}) })
        out.push(page.items.map((i) => i.id))
        cursor = page.nextCursor
      } while (cursor && ++n < maxPages)
    }
  }
  return out
}

const STORY_AT = Date.parse('2026-11-20T08:00:00.000Z')
const STORY_PLACES = ['Torkham', 'Chaman', 'Ghulam Khan', 'Angoor Adda', 'Kharlachi']
const STORY_WHAT = ['trade', 'travellers', 'fuel trucks', 'patients', 'refugees returning']
/** One outlet's copy of story `n` (distinct stories for distinct `n`, near-identical copies across outlets). */
const storyCopy = (sourceId: string, n: number): Item => {
  const place = STORY_PLACES[n % STORY_PLACES.length]
  const what = STORY_WHAT[Math.floor(n / STORY_PLACES.length) % STORY_WHAT.length]
  const title =
    sourceId === 'dawn'
      ? `${place} crossing reopens for ${what} after ${n + 2}-day closure`
      : `${place} Crossing Reopens For ${what} After ${n + 2}-Day Closure`
  return makeItem({
    sourceId,
    guid: `${sourceId}-${n}`,
    title,
    summary: `The ${place} crossing reopened for ${what} on Sunday after a ${n + 2}-day closure, officials said.`,
    publishedAt: new Date(STORY_AT).toISOString(),
    fetchedAt: new Date(STORY_AT).toISOString(),
  })
}

describe.skipIf(skip !== undefined)('PostgreSQL store', () => {
  let cluster: PgCluster
  let contractUrl: string
  let n = 0
  /** A fresh database. */
  const freshUrl = () => cluster.createDatabase(`tw_${process.pid}_${++n}`)
  const opened: PostgresStore[] = []
  const open = async (
    url: string,
    extra: { leaseMs?: number; priorityOf?: (s: string) => number } = {},
  ) => {
    const s = await createPostgresStore({ url, ...extra })
    opened.push(s)
    return s
  }
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()))
  })

  beforeAll(async () => {
    cluster = await startPgCluster()
    contractUrl = await freshUrl()
  }, 120_000)
  afterAll(async () => {
    await cluster?.stop()
  }, 60_000)

  // One database for the contract, emptied before each test (creating one per test is slow).
  describeStore('postgres', async () => {
    const s = await createPostgresStore({ url: contractUrl })
    const c = new pg.Client({ connectionString: contractUrl })
    await c.connect()
    await c.query('TRUNCATE items, states, verdicts, topicwire_facts')
    await c.end()
    return s
  })

  describe('answers every query as the memory store does', () => {
    // Arabic-script spellings that fold together (ي/ی, ك/ک, a zero-width non-joiner as a space).
    const titles = [
      'Torkham crossing reopens for trade',
      'Kabul and Islamabad resume talks',
      'Cricket: Pakistan beat Afghanistan',
      'طورخم بارڈر کھل گیا',
      'طورخم بارڈر كھل گيا',
      'اسلام‌آباد اور کابل میں مذاکرات',
      'اسلام آباد مذاکرات',
      'Türkiye hosts envoys on the Durand Line',
      'Durand Line clashes reported',
      'Refugees return via Torkham',
    ]
    const items: Item[] = []
    for (let i = 0; i < 60; i++) {
      const source = ['dawn', 'geo', 'tolo'][i % 3]!
      items.push(
        makeItem({
          sourceId: source,
          title: `${titles[i % titles.length]} ${i}`,
          summary: i % 4 === 0 ? 'Trucks cross the border again.' : 'Talks continue.',
          publishedAt: hoursAfter(i % 17), // equal dates: order falls to the id
          topics: i % 5 === 0 ? ['border'] : i % 5 === 1 ? ['talks', 'border'] : [],
          language: i % 7 === 0 ? 'ur' : 'en-GB',
          categories: i % 6 === 0 ? ['World News'] : [],
          clusterId: i % 4 === 0 ? `story-${i % 3}` : undefined,
        }),
      )
    }
    // A story of three outlets whose newest copy (tolo, priority 2) leads it: pages past that
    // copy walk the older ones, whose story SQL must still send the newer lead of.
    for (const [k, source] of ['dawn', 'geo', 'tolo'].entries()) {
      items.push(
        makeItem({
          sourceId: source,
          title: `Chaman trade resumes ${k}`,
          publishedAt: hoursAfter(2 + 6 * k),
          topics: ['border'],
          clusterId: 'story-mixed',
        }),
      )
    }
    for (const it of items) if (it.clusterId === undefined) it.clusterId = it.id
    const priorityOf = (s: string) => (s === 'tolo' ? 2 : 0)
    const queries: Partial<ItemQuery>[] = [
      {},
      { topics: ['border'] },
      { notTopics: ['border'], sources: ['geo', 'tolo'] },
      { q: { include: ['torkham'], exclude: [] } },
      { q: { include: ['طورخم بارڈر کھل گیا'], exclude: [] } },
      { q: { include: ['اسلام آباد'], exclude: [] } },
      { q: { include: ['durand line'], exclude: ['clashes'] } },
      { q: { include: [], exclude: ['trucks cross', 'cricket'] } },
      {
        q: {
          include: [],
          exclude: [],
          scoped: [{ field: 'title', term: 'torkham', exclude: false }],
        },
      },
      {
        q: {
          include: ['border'],
          exclude: [],
          scoped: [{ field: 'title', term: 'torkham', exclude: true }],
        },
      },
      { q: { include: ['world news'], exclude: [] } },
      // Single words (SQL's words test decides them, without the search text).
      { q: { include: ['border', 'Trucks'], exclude: ['talks'] } },
      { q: { include: ['كھل'], exclude: ['refugees'] } },
      { q: { include: [], exclude: ['cricket', 'refugees'] }, topics: ['border'] },
      { q: { include: ['Türkiye', '--'], exclude: [] } },
      // A source's `q` walks item_search by its source index (migration 10).
      { q: { include: ['talks'], exclude: [] }, sources: ['geo'] },
      { q: { include: ['torkham'], exclude: ['refugees'] }, topics: ['border'], lang: 'en' },
      { lang: 'en', since: hoursAfter(3), until: hoursAfter(12) },
      { lang: 'ur' },
      // One topic walks item_topics (migration 8), with the other conditions beside it.
      { topics: ['talks'], since: hoursAfter(2), until: hoursAfter(14) },
      { topics: ['border'], sources: ['dawn', 'tolo'], lang: 'en' },
      { topics: ['border'], notTopics: ['talks'], since: hoursAfter(1) },
    ]
    let mem: Store
    let pgs: PostgresStore
    let url: string
    beforeAll(async () => {
      mem = createMemoryStore({ priorityOf })
      url = await freshUrl()
      pgs = await createPostgresStore({ url, priorityOf })
      for (const s of [mem, pgs] as Store[]) {
        for (const source of ['dawn', 'geo', 'tolo']) {
          await s.saveIngest({
            sourceId: source,
            items: items.filter((i) => i.sourceId === source),
            state: { sourceId: source, failures: 0, nextPollAt: hoursAfter(100) },
          })
        }
      }
    }, 60_000)
    afterAll(async () => {
      await pgs?.close()
    })
    const pages = async (s: Store, q: ItemQuery) => {
      const out: string[][] = []
      let cursor: string | undefined
      do {
        const page = await s.queryItems({ ...q, ...(cursor ? { cursor } : {}) })
        out.push(page.items.map((i) => i.title))
        cursor = page.nextCursor
      } while (cursor && out.length < 30)
      return out
    }
    it.each(
      queries.flatMap((q) => [
        { limit: 4, ...q, clusters: 'all' as const },
        { limit: 4, ...q, clusters: 'collapse' as const },
      ]),
    )('pages of 4 through %o', async (q) => {
      const expected = await pages(mem, q)
      expect(expected.flat().length).toBeGreaterThan(0)
      expect(await pages(pgs, q)).toEqual(expected)
    })
    it('a collapsed page, its documents and its story leads (by priority) come in one statement', async () => {
      const pool = new pg.Pool({ connectionString: url, max: 1 })
      const sent: string[] = []
      const db = {
        query: ((config: string | pg.QueryConfig, values?: unknown[]) => {
          sent.push(typeof config === 'string' ? config : config.text)
          return pool.query(config as pg.QueryConfig, values)
        }) as pg.Pool['query'],
      }
      try {
        // Stories of 'tolo' (priority 2) are led by its later copies: a first page learns the
        // sources, so SQL can guess those leads the next time.
        const q: ItemQuery = { limit: 4, clusters: 'collapse' }
        const expected = (await mem.queryItems(q)).items.map((i) => i.id)
        expect(items.some((i) => i.sourceId === 'tolo' && expected.includes(i.id))).toBe(true)
        await queryItemsPg(db, q, priorityOf)
        sent.length = 0
        const page = await queryItemsPg(db, q, priorityOf)
        expect(page.items.map((i) => i.id)).toEqual(expected)
        expect(sent).toHaveLength(1)
        // A priority function no page has used yet: SQL guesses every priority 0, JS decides
        // the leads all the same and reads the documents SQL did not send in one more statement.
        sent.length = 0
        const fresh = await queryItemsPg(db, q, (s) => priorityOf(s))
        expect(fresh.items.map((i) => i.id)).toEqual(expected)
        expect(sent.length).toBeLessThanOrEqual(2)
      } finally {
        await pool.end()
      }
    })
    it("a collapsed `q` page tests each row's search text once (every test reads it from TOAST again) and reads its documents in the same statement", async () => {
      const pool = new pg.Pool({ connectionString: url, max: 1 })
      const sent: string[] = []
      const db = {
        query: ((config: pg.QueryConfig) => {
          sent.push(config.text)
          return pool.query(config)
        }) as unknown as pg.Pool['query'],
      }
      try {
        const query: ItemQuery = {
          limit: 4,
          clusters: 'collapse',
          q: { include: ['border'], exclude: [] },
        }
        await queryItemsPg(db, query, priorityOf) // learns the sources' priorities
        sent.length = 0
        const page = await queryItemsPg(db, query, priorityOf)
        expect(page.items.map((i) => i.id)).toEqual(
          (await mem.queryItems(query)).items.map((i) => i.id),
        )
        expect(sent[0]!.match(/split_part\(/g)).toHaveLength(1)
        // The shown documents came with the page's statements (read by their rows' places):
        // none was missing and read again by id.
        expect(sent.filter((t) => t.includes('WHERE id = ANY'))).toEqual([])
      } finally {
        await pool.end()
      }
    })
    /**
     * Pages through latest, a topic and a `q` (collapsed, 4 a page, at most 30 pages) on `db`,
     * each page equal to the memory store's, ids and cursor; `before`/`after` run around each
     * page, `done` after each query's last.
     */
    const pageLikeMemory = async (
      db: Pick<pg.Pool, 'query'>,
      hooks: { before?: () => void; after?: () => void; done?: () => void } = {},
    ): Promise<void> => {
      for (const q of [{}, { topics: ['border'] }, { q: { include: ['border'], exclude: [] } }]) {
        let cursor: string | undefined
        for (let n = 0; n === 0 || (cursor && n < 30); n++) {
          hooks.before?.()
          const query: ItemQuery = {
            limit: 4,
            clusters: 'collapse',
            ...q,
            ...(cursor && { cursor }),
          }
          const page = await queryItemsPg(db, query, priorityOf)
          const expected = await mem.queryItems(query)
          expect(page.items.map((i) => i.id)).toEqual(expected.items.map((i) => i.id))
          expect(page.nextCursor).toBe(expected.nextCursor)
          cursor = page.nextCursor
          hooks.after?.()
        }
        hooks.done?.()
      }
    }
    it('a collapsed page puts its rows in walk order itself (its statement has no ORDER BY)', async () => {
      const pool = new pg.Pool({ connectionString: url, max: 1 })
      // Rows as a statement without ORDER BY may send them: reversed.
      const db = {
        query: (async (config: pg.QueryConfig) => {
          const res = await pool.query(config)
          res.rows.reverse()
          return res
        }) as unknown as pg.Pool['query'],
      }
      try {
        await pageLikeMemory(db)
      } finally {
        await pool.end()
      }
    })
    it('a collapsed page sends each row once: a walk row is not sent again as a member of its story', async () => {
      const pool = new pg.Pool({ connectionString: url, max: 1 })
      const sent: string[][][] = []
      const db = {
        query: (async (config: pg.QueryConfig) => {
          const res = await pool.query(config)
          sent.push(res.rows as string[][])
          return res
        }) as unknown as pg.Pool['query'],
      }
      try {
        // Every page (past a cursor, members newer than it are outside the walk and sent).
        let several = false
        await pageLikeMemory(db, {
          before: () => {
            sent.length = 0
          },
          after: () => {
            const ids = sent[0]!.map((r) => r[0])
            const stories = sent[0]!.map((r) => r[2])
            if (new Set(stories).size < stories.length) several = true
            expect(new Set(ids).size).toBe(ids.length)
          },
          // Stories of several members were read (a story's id on two rows), each row once.
          done: () => {
            expect(several).toBe(true)
            several = false
          },
        })
      } finally {
        await pool.end()
      }
    })
  })

  it("a later batch of a page is a prepared statement of a power-of-two walk, and its pages stay the memory store's", async () => {
    const url = await freshUrl()
    const pool = new pg.Pool({ connectionString: url, max: 1 })
    const sent: pg.QueryConfig[] = []
    const db = {
      query: ((config: pg.QueryConfig) => {
        sent.push(config)
        return pool.query(config)
      }) as unknown as pg.Pool['query'],
    }
    try {
      await migrate(pool)
      // Stories of six copies: a walk of 2.5 or 3 times the page finds too few leads, and the
      // page takes more batches.
      const sources = ['dawn', 'geo', 'tolo', 'ary', 'bbc', 'voa']
      const stored = Array.from({ length: 120 }, (_, i) =>
        makeItem({
          sourceId: sources[i % 6]!,
          title: `Torkham crossing report ${i}`,
          publishedAt: hoursAfter(i),
          clusterId: `story-${Math.floor(i / 6)}`,
        }),
      )
      await upsertItems(pool, stored)
      const mem = await memoryStoreOf(stored, sources, hoursAfter(9_999))
      const queries: Omit<ItemQuery, 'limit' | 'clusters'>[] = [
        {},
        { q: { include: ['torkham'], exclude: [] } },
      ]
      const want = await idsOfPages((q) => mem.queryItems(q), queries, 4, 10)
      // The statements after a page's first are its later batches.
      const later: pg.QueryConfig[] = []
      const read = async (q: ItemQuery) => {
        const from = sent.length
        const page = await queryItemsPg(db, q)
        later.push(...sent.slice(from + 1))
        return page
      }
      expect(await idsOfPages(read, queries, 4, 10)).toEqual(want)
      expect(later.length).toBeGreaterThan(0)
      for (const c of later.filter((x) => x.text.includes('WITH walk'))) {
        // A batch past the page's first walks 16, 32, 64… rows.
        const walk = Number(/LIMIT (\d+)\)/.exec(c.text)?.[1])
        expect(Math.log2(walk) % 1).toBe(0)
      }
      expect(sent.every((c) => c.name?.startsWith('tw_items_'))).toBe(true)
      // Few statement texts, however many pages and batches.
      expect(new Set(sent.map((c) => c.text)).size).toBeLessThan(20)
    } finally {
      await pool.end()
    }
  })

  it("keeps an idle connection past pg's default of 10 s, so a page after a pause is not planned again", async () => {
    const pool = await openPgPool({ url: await freshUrl(), max: 1 })
    try {
      const pid = async () =>
        (await pool.query<{ p: number }>('SELECT pg_backend_pid() AS p')).rows[0]!.p
      const before = await pid()
      await new Promise((ok) => setTimeout(ok, 11_000))
      expect(await pid()).toBe(before)
      expect(IDLE_MS).toBeGreaterThanOrEqual(60_000)
    } finally {
      await pool.end()
    }
  }, 30_000)

  it("runs its statements' generic plans (plan_cache_mode), a read-only pool too; a connection string's own options win", async () => {
    const url = await freshUrl()
    const modes = async (opts: { url: string; readOnly?: boolean }) => {
      const pool = await openPgPool(opts)
      try {
        const { rows } = await pool.query(
          "SELECT current_setting('plan_cache_mode') AS plan, current_setting('default_transaction_read_only') AS ro",
        )
        return rows[0]
      } finally {
        await pool.end()
      }
    }
    expect(await modes({ url })).toEqual({ plan: 'force_generic_plan', ro: 'off' })
    expect(await modes({ url, readOnly: true })).toEqual({ plan: 'force_generic_plan', ro: 'on' })
    const own = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent('-c plan_cache_mode=auto')}`
    expect((await modes({ url: own })).plan).toBe('auto')
  })
  it("reads a signature's bits with get_bit as signatureBits numbers them, so a walk's sum of them keeps the rows `& mask = mask` keeps", async () => {
    const c = new pg.Client({ connectionString: await freshUrl() })
    await c.connect()
    try {
      const rows = [['torkham', 'crossing', 'طورخم'], ['trade'], [], ['w1', 'w2', 'w3', 'w4']]
      const masks = [['torkham'], ['torkham', 'crossing'], ['trade'], ['w3'], ['nowhere']]
      for (const words of rows) {
        const { rows: got } = await c.query<{ b: number[] }>(
          `SELECT array_agg(n ORDER BY n) FILTER (WHERE get_bit($1::bit(${WORD_SIG_BITS}), n) = 1) AS b
           FROM generate_series(0, ${WORD_SIG_BITS - 1}) AS n`,
          [wordSignature(words)],
        )
        expect(got[0]!.b ?? []).toEqual(signatureBits(words))
        for (const mask of masks) {
          const bits = signatureBits(mask)
          const sum = bits.map((_, i) => `get_bit($1::bit(${WORD_SIG_BITS}), $${i + 3}::int)`)
          const { rows: pass } = await c.query<{ sum: boolean; and: boolean }>(
            `SELECT (${sum.join(' + ')}) >= ${bits.length} AS sum,
               ($1::bit(${WORD_SIG_BITS}) & $2::bit(${WORD_SIG_BITS})) = $2::bit(${WORD_SIG_BITS}) AS and`,
            [wordSignature(words), wordSignature(mask), ...bits],
          )
          expect(pass[0]!.sum).toBe(pass[0]!.and)
          if (mask.every((w) => words.includes(w))) expect(pass[0]!.sum).toBe(true)
        }
      }
    } finally {
      await c.end()
    }
  })
  it("tests a term in a stored text as the embedded store's substring test does (split_part, not strpos)", async () => {
    const c = new pg.Client({ connectionString: await freshUrl() })
    await c.connect()
    try {
      // Long texts are stored compressed; multibyte characters before a match are what strpos
      // counted; a match at either end, twice, or only as part of a longer word.
      const long = ` ${Array.from({ length: 900 }, (_, i) => `w${i % 97}`).join(' ')} `
      const texts = [
        ' torkham | crossing ',
        ' crossing | torkham ',
        ' کابل torkham طورخم | ',
        ' torkhamx | xtorkham ',
        ' torkham torkham ',
        ' | | ',
        long,
        `${long}torkham `,
        ` ${'é'.repeat(3000)} torkham `,
      ]
      await c.query('CREATE TABLE t (n int, s text)')
      await c.query(
        'INSERT INTO t SELECT n, s FROM unnest($1::text[]) WITH ORDINALITY AS u(s, n)',
        [texts],
      )
      const { rows: sizes } = await c.query<{ c: number }>(
        'SELECT count(*)::int AS c FROM t WHERE pg_column_size(s) < octet_length(s)',
      )
      expect(sizes[0]!.c).toBeGreaterThan(0) // some are stored compressed
      for (const term of [' torkham ', ' w5 ', ' w96 ', ' کابل ', ' é ', ' | ', ' nowhere ']) {
        const { rows } = await c.query<{ yes: boolean; no: boolean }>(
          `SELECT ${holdsSql('s', '$1')} AS yes, ${holdsSql('s', '$1', false)} AS no FROM t ORDER BY n`,
          [term],
        )
        expect(rows.map((r) => r.yes)).toEqual(texts.map((t) => t.includes(term)))
        expect(rows.map((r) => r.no)).toEqual(texts.map((t) => !t.includes(term)))
      }
    } finally {
      await c.end()
    }
  })

  it('keeps any text an item holds, NUL included, and finds it by its words', async () => {
    const s = await open(await freshUrl())
    const odd = makeItem({ title: 'Torkham\u0000crossing', summary: 'a\u0000b' })
    await s.saveIngest({
      sourceId: 'dawn',
      items: [odd],
      state: { sourceId: 'dawn', failures: 0, nextPollAt: hoursAfter(1) },
    })
    expect(await s.getItem(odd.id)).toEqual(odd)
    const q = { include: ['torkham'], exclude: [] }
    expect((await s.queryItems({ limit: 5, clusters: 'all', q })).items.map((i) => i.id)).toEqual([
      odd.id,
    ])
  })

  it('a topic written into the statement is quoted: quotes and backslashes in its name find its items and no other', async () => {
    const s = await open(await freshUrl())
    const odd = `it's "odd" \\ topic'); DROP TABLE items; --`
    const tagged = makeItem({ title: 'Tagged', topics: [odd], publishedAt: hoursAfter(2) })
    const other = makeItem({ title: 'Other', topics: ['border'], publishedAt: hoursAfter(3) })
    await s.saveIngest({
      sourceId: 'dawn',
      items: [tagged, other],
      state: { sourceId: 'dawn', failures: 0, nextPollAt: hoursAfter(1) },
    })
    for (const clusters of ['all', 'collapse'] as const) {
      const page = await s.queryItems({ limit: 5, clusters, topics: [odd] })
      expect(page.items.map((i) => i.id)).toEqual([tagged.id])
    }
    expect(await s.countItems()).toBe(2)
  })

  it('finds an item by its words after an update changes them (the stored word signature follows the row), and a rare word past a long walk of common ones', async () => {
    const s = await open(await freshUrl())
    const state = { sourceId: 'dawn', failures: 0, nextPollAt: hoursAfter(1) }
    const common = Array.from({ length: 300 }, (_, i) =>
      makeItem({
        id: `c-${i}`,
        title: `Border talks ${i}`,
        summary: 'Trade resumes.',
        publishedAt: hoursAfter(10 + i / 100),
      }),
    )
    const old = makeItem({
      id: 'x',
      title: 'Torkham reopens',
      contentHash: 'h1',
      publishedAt: hoursAfter(1),
    })
    await s.saveIngest({ sourceId: 'dawn', items: [old, ...common], state })
    const ids = async (include: string[], clusters: 'all' | 'collapse' = 'all') =>
      (await s.queryItems({ limit: 5, clusters, q: { include, exclude: [] } })).items.map(
        (i) => i.id,
      )
    expect(await ids(['torkham'])).toEqual(['x'])
    expect(await ids(['torkham'], 'collapse')).toEqual(['x'])
    await s.saveIngest({
      sourceId: 'dawn',
      items: [{ ...old, title: 'Chaman reopens', contentHash: 'h2' }],
      state,
    })
    expect(await ids(['torkham'])).toEqual([])
    expect(await ids(['chaman reopens'])).toEqual(['x'])
    expect(await ids(['border talks'])).toHaveLength(5)
  })

  it("walks item_search's index for a q page, in the generic plan (the pool's) and a custom one, when most rows are row versions autovacuum has not seen", async () => {
    const url = await freshUrl()
    const s = await open(url)
    const next = seeded(7)
    const vocab = Array.from({ length: 400 }, (_, i) => `w${i.toString(36)}x`)
    const items = Array.from({ length: 3_000 }, (_, i) =>
      makeItem({
        id: `i-${String(i).padStart(5, '0')}`,
        sourceId: `s-${Math.floor(i / 500)}`,
        title: `Border talks ${i}`,
        summary: Array.from({ length: 60 }, () => vocab[next() % vocab.length]).join(' '),
        publishedAt: new Date(Date.parse(hoursAfter(1)) + i * 60_000).toISOString(),
      }),
    )
    for (let i = 0; i < items.length; i += 500) {
      const chunk = items.slice(i, i + 500)
      await s.saveIngest({
        sourceId: chunk[0]!.sourceId,
        items: chunk,
        state: { sourceId: chunk[0]!.sourceId, failures: 0, nextPollAt: hoursAfter(1) },
      })
    }
    const pool = await openPgPool({ url, max: 1 })
    const client = await pool.connect()
    try {
      // As a re-tag leaves the table until autovacuum runs: every row a new version, the
      // visibility map empty, so a walk of the index would visit the rows too.
      await client.query('ALTER TABLE item_search SET (autovacuum_enabled = off)')
      await client.query('VACUUM ANALYZE item_search')
      await client.query('UPDATE item_search SET topics = topics')
      await client.query('ANALYZE item_search')
      const q: ItemQuery = {
        limit: 50,
        clusters: 'collapse',
        q: { include: ['border'], exclude: [] },
      }
      const sent: pg.QueryConfig[] = []
      const spy = {
        query: (c: pg.QueryConfig) => {
          sent.push(c)
          return client.query(c)
        },
      }
      const page = await queryItemsPg(spy as unknown as pg.Pool, q)
      expect(page.items.map((i) => i.id)).toEqual(
        items
          .slice(-50)
          .reverse()
          .map((i) => i.id),
      )
      const literal = (v: unknown): string =>
        Array.isArray(v)
          ? `'{${v.map((x) => JSON.stringify(String(x))).join(',')}}'`
          : typeof v === 'number'
            ? String(v)
            : pg.escapeLiteral(String(v))
      const walks: string[] = []
      for (const mode of ['force_generic_plan', 'force_custom_plan']) {
        await client.query(`SET plan_cache_mode = ${mode}`)
        await client.query(`PREPARE page AS ${sent[0]!.text}`)
        const args = (sent[0]!.values ?? []).map(literal)
        const { rows } = await client.query(
          `EXPLAIN (FORMAT JSON) EXECUTE page${args.length ? `(${args.join(', ')})` : ''}`,
        )
        await client.query('DEALLOCATE page')
        const scans: string[] = []
        const visit = (node: {
          'Node Type': string
          'Index Name'?: string
          'Relation Name'?: string
          Plans?: unknown[]
        }) => {
          if (node['Node Type'].endsWith('Scan') && !node['Node Type'].startsWith('CTE'))
            scans.push(`${node['Node Type']} ${node['Index Name'] ?? node['Relation Name']}`)
          for (const c of node.Plans ?? []) visit(c as typeof node)
        }
        visit(rows[0]['QUERY PLAN'][0].Plan)
        walks.push(scans[0]!)
        expect(scans).not.toContain('Seq Scan item_search')
      }
      expect(walks).toEqual([
        'Index Only Scan item_search_walk',
        'Index Only Scan item_search_walk',
      ])
    } finally {
      client.release()
      await pool.end()
    }
  })

  describe("a poll's write", () => {
    const at = (h: number): SourceState => ({
      sourceId: 'dawn',
      failures: 0,
      nextPollAt: hoursAfter(h),
    })

    it('a write that fails stores nothing of the poll, not its state either, and the store goes on', async () => {
      const s = await open(await freshUrl())
      const kept = makeItem({ title: 'Torkham reopens' })
      await s.saveIngest({ sourceId: 'dawn', items: [kept], state: at(1) })
      const before = await s.getState('dawn')
      // A text column cannot hold NUL: the item's row is refused by the write itself, after the
      // stored items were read and the version taken.
      const bad = makeItem({ title: 'Chaman', language: 'en\u0000' })
      const v = s.version()
      const fresh = makeItem({ title: 'Angoor Adda' })
      await expect(
        s.saveIngest({ sourceId: 'dawn', items: [fresh, bad], state: at(5) }),
      ).rejects.toThrow(/0x00/)
      expect(await s.getState('dawn')).toEqual(before)
      expect(s.version()).toBe(v)
      expect(await s.getItem(fresh.id)).toBeUndefined()
      expect(await s.countItems()).toBe(1)
      expect(await s.saveIngest({ sourceId: 'dawn', items: [fresh, kept], state: at(6) })).toEqual({
        new: 1,
        updated: 0,
        unchanged: 1,
      })
      expect((await s.getState('dawn'))?.itemCount).toBe(2)
    })
  })

  describe('openStore (runtime.ts)', () => {
    const config = (url: string) =>
      testConfig({
        storage: {
          driver: 'postgres',
          path: 'unused.json',
          url,
          retention: { maxAgeDays: 30, maxItemsPerSource: 100 },
        },
      })

    it('opens storage.driver postgres at storage.url', async () => {
      const url = await freshUrl()
      const store = await openStore(config(url))
      try {
        await store.saveIngest({
          sourceId: 'dawn',
          items: [makeItem({ title: 'via runtime' })],
          state: { sourceId: 'dawn', failures: 0, nextPollAt: hoursAfter(1) },
        })
        expect(store.runExclusive).toBeTypeOf('function')
      } finally {
        await store.close()
      }
      const again = await open(url)
      expect(await again.countItems()).toBe(1)
    })

    it('says which server it cannot reach, without the password', async () => {
      const port = await freePort()
      await expect(openStore(config(`postgres://tw:pw-123@127.0.0.1:${port}/tw`))).rejects.toThrow(
        new RegExp(
          `^cannot connect to PostgreSQL at tw@127\\.0\\.0\\.1:${port}/tw \\((?!.*pw-123)`,
        ),
      )
    })
  })

  describe('migrations', () => {
    it('migration 6 gives the items stored before it their word signatures: q finds them', async () => {
      const url = await freshUrl()
      const pool = new pg.Pool({ connectionString: url })
      const item = makeItem({ id: 'before-6', title: 'Torkham crossing reopens' })
      try {
        await migrateTo(pool, 5)
        const text = searchTextOf(item)
        await pool.query(
          `INSERT INTO items (id, source_id, cluster_id, published, fetched, topics, search_text,
             words, doc, content_hash) VALUES ($1, $2, $1, $3, $3, '{}', $4, $5, $6, 'h')`,
          [
            item.id,
            item.sourceId,
            Date.parse(item.publishedAt),
            text,
            wordsOf(text),
            JSON.stringify(item),
          ],
        )
        expect(await migrateTo(pool, 6)).toEqual([6])
      } finally {
        await pool.end()
      }
      const s = await open(url)
      const q = { include: ['torkham crossing'], exclude: [] }
      expect(
        (await s.queryItems({ limit: 5, clusters: 'collapse', q })).items.map((i) => i.id),
      ).toEqual(['before-6'])
    })

    it('migration 7 keeps a document of a few KB in its row (no TOAST chunks), and items stored before it read back as they were', async () => {
      // Words that compress poorly, as real text does: a ~2.6 KB body, the size of a news item.
      const next = seeded(19)
      const syllables =
        'ka ri to ma shen lo ve dar kun bal ti pra zo hel gan mu sor fi ne qa'.split(' ')
      const word = () =>
        Array.from({ length: 2 + (next() % 3) }, () => syllables[next() % syllables.length]).join(
          '',
        )
      const body = (n: number) => Array.from({ length: n }, word).join(' ')
      const article = (id: string) =>
        makeItem({ id, title: body(8), summary: body(30), contentHtml: `<p>${body(220)}</p>` })
      const url = await freshUrl()
      const pool = new pg.Pool({ connectionString: url })
      const chunks = async () => {
        const { rows } = await pool.query<{ t: string }>(
          "SELECT reltoastrelid::regclass::text AS t FROM pg_class WHERE relname = 'items'",
        )
        const { rows: n } = await pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${rows[0]!.t}`,
        )
        return n[0]!.n
      }
      const before = article('before-7')
      const after = article('after-7')
      expect(JSON.stringify(after).length).toBeGreaterThan(2_400)
      try {
        await migrateTo(pool, 6)
        await upsertOld(pool, [before])
        // Under schema 6 the document goes out of its row with the search text and the words.
        const chunksBefore = await chunks()
        expect(await migrate(pool)).toEqual(
          MIGRATIONS.filter((m) => m.version >= 7).map((m) => m.version),
        )
        await upsertItems(pool, [after])
        // An item of the same make under schema 7 takes fewer chunks: its search text and words
        // still go out, its document stays (here 3 chunks where the first took 5).
        expect(await chunks()).toBeLessThan(2 * chunksBefore)
      } finally {
        await pool.end()
      }
      const s = await open(url)
      expect(await s.getItem('before-7')).toEqual(before)
      expect(await s.getItem('after-7')).toEqual(after)
      const page = await s.queryItems({ limit: 5, clusters: 'collapse' })
      expect(page.items.map((i) => i.id).sort()).toEqual(['after-7', 'before-7'])
      expect(page.items.find((i) => i.id === 'after-7')).toEqual(after)
    })

    it('migration 8 fills item_topics from the items stored before it, and every write after keeps it equal to the items (upsert, re-tag, retention, truncate)', async () => {
      const url = await freshUrl()
      const pool = new pg.Pool({ connectionString: url })
      const at = (h: number) => hoursAfter(h)
      const stored = Array.from({ length: 30 }, (_, i) =>
        makeItem({
          sourceId: ['dawn', 'geo'][i % 2]!,
          title: `Torkham report ${i}`,
          publishedAt: at(i),
          topics: i % 3 === 0 ? ['border', 'trade'] : i % 3 === 1 ? ['talks'] : [],
          clusterId: i % 4 === 0 ? 'story-a' : undefined,
        }),
      )
      for (const it of stored) if (it.clusterId === undefined) it.clusterId = it.id
      // item_topics as the items say it must be, and as it is.
      const expected = `SELECT DISTINCT t AS topic, published, id, source_id, cluster_id, language, topics
        FROM items, unnest(topics) AS t ORDER BY 1, 2, 3`
      const actual = `SELECT topic, published, id, source_id, cluster_id, language, topics
        FROM item_topics ORDER BY 1, 2, 3`
      const same = async () => {
        const [want, got] = [(await pool.query(expected)).rows, (await pool.query(actual)).rows]
        expect(got).toEqual(want)
        return got.length
      }
      try {
        await migrateTo(pool, 7)
        await upsertOld(pool, stored)
        expect(await migrate(pool)).toEqual(
          MIGRATIONS.filter((m) => m.version >= 8).map((m) => m.version),
        )
        expect(await same()).toBe(30) // 10 items with two topics, 10 with one
        const s = await open(url)
        const mem = createMemoryStore()
        for (const source of ['dawn', 'geo']) {
          await mem.saveIngest({
            sourceId: source,
            items: stored.filter((it) => it.sourceId === source),
            state: { sourceId: source, failures: 0, nextPollAt: at(99) },
          })
        }
        for (const q of [
          { topics: ['border'] },
          { topics: ['talks'], since: at(5), sources: ['geo'] },
        ]) {
          for (const clusters of ['all', 'collapse'] as const) {
            const page = async (st: Store) =>
              (await st.queryItems({ limit: 50, clusters, ...q })).items.map((i) => i.id)
            expect(await page(s)).toEqual(await page(mem))
          }
        }
        // A poll changes an item's topics, date and story; another item is new.
        const changed = {
          ...stored[0]!,
          topics: ['talks'],
          publishedAt: at(40),
          clusterId: 'story-b',
          contentHash: 'h-changed',
        }
        const fresh = makeItem({
          sourceId: 'dawn',
          title: 'Chaman reopens',
          publishedAt: at(41),
          topics: ['trade'],
        })
        await s.saveIngest({
          sourceId: 'dawn',
          items: [changed, fresh],
          state: { sourceId: 'dawn', failures: 0, nextPollAt: at(99) },
        })
        expect(await same()).toBe(30)
        expect(
          (await s.queryItems({ limit: 5, clusters: 'all', topics: ['talks'] })).items[0]?.id,
        ).toBe(changed.id)
        // A re-tag moves every titled "report 1…" item into 'security' alone.
        await s.retag((it) => (/report 1/.test(it.title ?? '') ? ['security'] : it.topics))
        expect(await same()).toBeGreaterThan(0)
        expect(
          (await s.queryItems({ limit: 50, clusters: 'all', topics: ['security'] })).items,
        ).toHaveLength(11)
        // Retention drops the older half.
        expect(
          await s.prune({ maxAgeDays: 1, maxItemsPerSource: 1_000 }, new Date(Date.parse(at(42)))),
        ).toBeGreaterThan(0)
        await same()
        await pool.query('TRUNCATE items')
        expect(await same()).toBe(0)
      } finally {
        await pool.end()
      }
    })

    it('migration 9 copies the items stored before it into item_search (in batches, past the batch size), and every write after keeps it equal to the items; q pages read it', async () => {
      const url = await freshUrl()
      const pool = new pg.Pool({ connectionString: url })
      const at = (h: number) => hoursAfter(h)
      // More rows than one batch of the copy (5,000), some sharing a date (order falls to the id).
      const stored = Array.from({ length: 5_300 }, (_, i) =>
        makeItem({
          sourceId: ['dawn', 'geo'][i % 2]!,
          title: `${i % 7 === 0 ? 'Torkham' : 'Chaman'} report ${i}`,
          summary: i % 3 === 0 ? 'Trade resumes.' : 'Talks go on.',
          publishedAt: at(Math.floor(i / 3)),
          topics: i % 5 === 0 ? ['border'] : [],
          clusterId: i % 4 === 0 ? `story-${i % 40}` : undefined,
        }),
      )
      for (const it of stored) if (it.clusterId === undefined) it.clusterId = it.id
      const same = async () => {
        const { want, got } = await itemSearchCheck(pool)
        expect(got).toEqual(want)
        return got.length
      }
      try {
        await migrateTo(pool, 8)
        await upsertOld(pool, stored)
        expect(await migrateTo(pool, 9)).toEqual([9])
        expect(await same()).toBe(5_300)
        // The copy follows the walk order (the newest rows last in the table).
        const order = async (by: string) =>
          (await pool.query<{ id: string }>(`SELECT id FROM item_search ORDER BY ${by}`)).rows
        expect(await order('ctid')).toEqual(await order('published, id'))
        const s = await open(url)
        const mem = createMemoryStore()
        const save = async (st: Store, items: Item[]) => {
          for (const source of ['dawn', 'geo']) {
            await st.saveIngest({
              sourceId: source,
              items: items.filter((it) => it.sourceId === source),
              state: { sourceId: source, failures: 0, nextPollAt: at(9_999) },
            })
          }
        }
        await save(mem, stored)
        const samePages = async () => {
          for (const q of [
            { q: { include: ['torkham'], exclude: [] } },
            { q: { include: ['trade'], exclude: ['torkham'] }, topics: ['border'] },
            {
              q: {
                include: ['report'],
                exclude: [],
                scoped: [{ field: 'title' as const, term: 'chaman', exclude: false }],
              },
            },
          ]) {
            for (const clusters of ['all', 'collapse'] as const) {
              const page = async (st: Store) =>
                (await st.queryItems({ limit: 20, clusters, ...q })).items.map((i) => i.id)
              expect(await page(s)).toEqual(await page(mem))
            }
          }
        }
        await samePages()
        // A poll changes an item's words, date and story; another item is new.
        const changed = {
          ...stored[7]!,
          title: 'Torkham trade resumes',
          publishedAt: at(4_000),
          clusterId: 'story-b',
          contentHash: 'h-changed',
        }
        const fresh = makeItem({
          sourceId: 'geo',
          title: 'Torkham reopens',
          publishedAt: at(4_001),
        })
        await save(s, [changed, fresh])
        await save(mem, [changed, fresh])
        expect(await same()).toBe(5_301)
        await samePages()
        // A re-tag, then retention of the older half.
        const tag = (it: Item) => (/report 1/.test(it.title ?? '') ? ['security'] : it.topics)
        await s.retag(tag)
        await mem.retag(tag)
        await same()
        const now = new Date(Date.parse(at(1_800)))
        expect(await s.prune({ maxAgeDays: 30, maxItemsPerSource: 100_000 }, now)).toBe(
          await mem.prune({ maxAgeDays: 30, maxItemsPerSource: 100_000 }, now),
        )
        expect(await same()).toBeLessThan(5_301)
        await samePages()
        await pool.query('TRUNCATE items')
        expect(await same()).toBe(0)
      } finally {
        await pool.end()
      }
    })

    it("migration 10 drops the items' copy of the search text and signature: item_search keeps them, q pages are the same before and after and as the memory store's", async () => {
      const url = await freshUrl()
      const pool = new pg.Pool({ connectionString: url })
      const at = (h: number) => hoursAfter(h)
      const sources = ['dawn', 'geo', 'tolo']
      const stored = Array.from({ length: 400 }, (_, i) =>
        makeItem({
          sourceId: sources[i % 3]!,
          title: `${i % 5 === 0 ? 'Torkham' : 'Chaman'} crossing report ${i}${i === 222 ? ' qilla' : ''}`,
          summary:
            i % 3 === 0 ? 'Trade resumes.' : i % 7 === 0 ? 'Refugees return.' : 'Talks go on.',
          publishedAt: at(Math.floor(i / 2)),
          topics: i % 4 === 0 ? ['border'] : [],
          clusterId: i % 6 === 0 ? `story-${i % 30}` : undefined,
          language: i % 2 === 0 ? 'en' : 'ur',
        }),
      )
      const mem = await memoryStoreOf(stored, sources, at(9_999))
      const queries: Omit<ItemQuery, 'limit' | 'clusters'>[] = [
        { q: { include: ['torkham'], exclude: [] } },
        { q: { include: ['trade'], exclude: ['torkham'] }, topics: ['border'] },
        // A source's q (item_search's source index), one word rare enough to turn the walk to
        // `words`, a q of exclusions alone (no word required: walked by `words` from the start).
        { q: { include: ['crossing report'], exclude: [] }, sources: ['geo'] },
        { q: { include: ['qilla'], exclude: [] } },
        { q: { include: [], exclude: ['talks', 'trade'] }, lang: 'en' },
        {
          q: {
            include: ['report'],
            exclude: [],
            scoped: [{ field: 'title' as const, term: 'chaman', exclude: false }],
          },
          sources: ['dawn', 'tolo'],
        },
      ]
      const pages = (read: ReadPage) => idsOfPages(read, queries, 7, 60)
      const columns = async () =>
        (
          await pool.query<{ c: string }>(
            "SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'items' ORDER BY 1",
          )
        ).rows.map((r) => r.c)
      try {
        await migrateTo(pool, 9)
        // A database of schema 9, written as its code wrote (its triggers fill item_search).
        await upsertOld(pool, stored)
        const want = await pages((q) => mem.queryItems(q))
        expect(want.flat().length).toBeGreaterThan(400)
        expect(await pages((q) => queryItemsPg(pool, q))).toEqual(want)
        expect(await columns()).toContain('search_text')
        expect(await migrateTo(pool, 10)).toEqual([10])
        expect(await columns()).not.toContain('search_text')
        expect(await columns()).not.toContain('word_sig')
        const { want: rows, got } = await itemSearchCheck(pool)
        expect(got).toHaveLength(400)
        expect(got).toEqual(rows)
        expect(await pages((q) => queryItemsPg(pool, q))).toEqual(want)
        // Writing an item again as it is leaves its row of item_search as it was.
        const version = async (id: string) =>
          (await pool.query('SELECT xmin::text AS x FROM item_search WHERE id = $1', [id])).rows[0]
            ?.x
        const before = await version(stored[5]!.id)
        await upsertItems(pool, [stored[5]!])
        expect(await version(stored[5]!.id)).toBe(before)
        // A poll's change (new text, story and topics) is written to both.
        const changed = {
          ...stored[5]!,
          title: 'Qilla Saifullah crossing closes',
          clusterId: 'story-z',
          topics: ['border'],
        }
        const s = await open(url)
        for (const st of [s, mem]) {
          await st.saveIngest({
            sourceId: changed.sourceId,
            items: [changed],
            state: { sourceId: changed.sourceId, failures: 0, nextPollAt: at(9_999) },
          })
        }
        const again = await itemSearchCheck(pool)
        expect(again.got).toEqual(again.want)
        expect(await pages((q) => queryItemsPg(pool, q))).toEqual(
          await pages((q) => mem.queryItems(q)),
        )
        // Deleting items deletes their rows of item_search (retention's way).
        await pool.query("DELETE FROM items WHERE source_id = 'geo'")
        const pruned = await itemSearchCheck(pool)
        expect(pruned.got).toEqual(pruned.want)
        expect(pruned.got.length).toBeLessThan(300)
      } finally {
        await pool.end()
      }
    })

    it("migration 11 lowers autovacuum's insert threshold on the walked tables of a schema-10 database, and keeps its data and pages", async () => {
      const url = await freshUrl()
      const pool = new pg.Pool({ connectionString: url })
      const sources = ['dawn', 'geo', 'tolo']
      const stored = crossingReports(150, sources)
      const mem = await memoryStoreOf(stored, sources, hoursAfter(9_999))
      const queries: Omit<ItemQuery, 'limit' | 'clusters'>[] = [
        {},
        { topics: ['border'] },
        { sources: ['geo'] },
        { q: { include: ['torkham'], exclude: [] } },
        { q: { include: ['report'], exclude: ['trade'] }, sources: ['dawn'] },
      ]
      const pages = (read: ReadPage) => idsOfPages(read, queries, 9, 40)
      const options = async () =>
        Object.fromEntries(
          (
            await pool.query<{ t: string; o: string[] | null }>(
              `SELECT relname AS t, reloptions AS o FROM pg_class
               WHERE relname IN ('items', 'item_search', 'item_topics') ORDER BY 1`,
            )
          ).rows.map((r) => [
            r.t,
            (r.o ?? []).filter((o) => o.startsWith('autovacuum_vacuum_insert')),
          ]),
        )
      try {
        await migrateTo(pool, 10)
        // A database of schema 10, written by this code's writer.
        await upsertItems(pool, stored)
        const want = await pages((q) => mem.queryItems(q))
        expect(want.flat().length).toBeGreaterThan(150)
        expect(await pages((q) => queryItemsPg(pool, q))).toEqual(want)
        expect(await options()).toEqual({ item_search: [], item_topics: [], items: [] })
        const ids = async () =>
          (await pool.query<{ id: string }>('SELECT id FROM items ORDER BY id')).rows.map(
            (r) => r.id,
          )
        const before = await ids()
        expect(await migrateTo(pool, 11)).toEqual([11])
        const set = ['autovacuum_vacuum_insert_scale_factor=0.01']
        expect(await options()).toEqual({ item_search: set, item_topics: set, items: set })
        expect(await ids()).toEqual(before)
        expect(before).toHaveLength(150)
        const { want: rows, got } = await itemSearchCheck(pool)
        expect(got).toEqual(rows)
        expect(await pages((q) => queryItemsPg(pool, q))).toEqual(want)
        // A store opened on it writes as before, and its pages stay the memory store's.
        const s = await open(url)
        const more = makeItem({
          sourceId: 'geo',
          title: 'Torkham crossing closes again',
          publishedAt: hoursAfter(500),
        })
        for (const st of [s, mem]) {
          await st.saveIngest({
            sourceId: 'geo',
            items: [more],
            state: { sourceId: 'geo', failures: 0, nextPollAt: hoursAfter(9_999) },
          })
        }
        expect(await pages((q) => queryItemsPg(pool, q))).toEqual(
          await pages((q) => mem.queryItems(q)),
        )
      } finally {
        await pool.end()
      }
    })

    it("migration 12 stores item_search's new rows uncompressed, keeps the old rows (compressed) and every page of a schema-11 database", async () => {
      const url = await freshUrl()
      const pool = new pg.Pool({ connectionString: url })
      const sources = ['dawn', 'geo', 'tolo']
      // Texts of ~2.1 KB: a row past ~2 KB is compressed under PostgreSQL's default target.
      const body = (i: number) =>
        Array.from({ length: 60 }, (_, k) => `<p>Paragraph ${k} of report ${i} on trade.</p>`)
      const stored = crossingReports(60, sources, (i) => ({ contentHtml: body(i).join('') }))
      const mem = await memoryStoreOf(stored, sources, hoursAfter(9_999))
      const queries: Omit<ItemQuery, 'limit' | 'clusters'>[] = [
        {},
        { topics: ['border'] },
        { q: { include: ['torkham'], exclude: [] } },
        { q: { include: ['report'], exclude: ['trade resumes'] }, sources: ['dawn'] },
        { q: { include: ['paragraph 59'], exclude: [] } },
      ]
      const pages = (read: ReadPage) => idsOfPages(read, queries, 7, 20)
      /** Ids of item_search's rows whose search text is stored compressed. */
      const compressed = async () =>
        (
          await pool.query<{ id: string }>(
            'SELECT id FROM item_search WHERE pg_column_compression(search_text) IS NOT NULL ORDER BY id',
          )
        ).rows.map((r) => r.id)
      const target = async () =>
        (
          await pool.query<{ o: string[] | null }>(
            "SELECT reloptions AS o FROM pg_class WHERE relname = 'item_search'",
          )
        ).rows[0]!.o?.filter((o) => o.startsWith('toast_tuple_target')) ?? []
      try {
        await migrateTo(pool, 11)
        await upsertItems(pool, stored)
        const want = await pages((q) => mem.queryItems(q))
        expect(want.flat().length).toBeGreaterThan(60)
        expect(await pages((q) => queryItemsPg(pool, q))).toEqual(want)
        // Schema 11 compresses every row's text.
        const before = await compressed()
        expect(before).toEqual(stored.map((i) => i.id).sort())
        expect(await target()).toEqual([])
        expect(await migrate(pool)).toEqual([12])
        expect(await target()).toEqual(['toast_tuple_target=8160'])
        // Nothing is rewritten: the old rows keep their compressed text, and every page is the same.
        expect(await compressed()).toEqual(before)
        const { want: rows, got } = await itemSearchCheck(pool)
        expect(got).toEqual(rows)
        expect(await pages((q) => queryItemsPg(pool, q))).toEqual(want)
        // A store opened on it writes new rows, and rewrites a changed one, uncompressed; its
        // pages stay the memory store's.
        const s = await open(url)
        const more = makeItem({
          sourceId: 'geo',
          title: 'Torkham crossing closes again',
          contentHtml: body(99).join(''),
          publishedAt: hoursAfter(500),
        })
        const changed = {
          ...stored[7]!,
          title: 'Torkham crossing report seven, revised',
          contentHash: 'revised',
        }
        for (const st of [s, mem]) {
          await st.saveIngest({
            sourceId: 'geo',
            items: [more],
            state: { sourceId: 'geo', failures: 0, nextPollAt: hoursAfter(9_999) },
          })
          await st.saveIngest({
            sourceId: changed.sourceId,
            items: [changed],
            state: { sourceId: changed.sourceId, failures: 0, nextPollAt: hoursAfter(9_999) },
          })
        }
        const { rows: sizes } = await pool.query<{ id: string; n: number }>(
          'SELECT id, octet_length(search_text) AS n FROM item_search WHERE id = ANY($1::text[])',
          [[more.id, changed.id]],
        )
        // (Texts that schema 11 compressed: past the ~2 KB a row may hold uncompressed by default.)
        expect(sizes.map((r) => r.n > 2_000)).toEqual([true, true])
        expect(await compressed()).toEqual(before.filter((id) => id !== changed.id))
        const after = await itemSearchCheck(pool)
        expect(after.got).toEqual(after.want)
        expect(await pages((q) => queryItemsPg(pool, q))).toEqual(
          await pages((q) => mem.queryItems(q)),
        )
      } finally {
        await pool.end()
      }
    })

    it('three opens racing on a new database migrate it once', async () => {
      const url = await freshUrl()
      const pools = [0, 1, 2].map(() => new pg.Pool({ connectionString: url }))
      try {
        const applied = await Promise.all(pools.map((p) => migrate(p)))
        expect(applied.flat().sort((a, b) => a - b)).toEqual(MIGRATIONS.map((m) => m.version))
        const { rows } = await pools[0]!.query('SELECT version FROM topicwire_migrations')
        expect(rows).toHaveLength(MIGRATIONS.length)
      } finally {
        await Promise.all(pools.map((p) => p.end()))
      }
      // Stores opening together on a migrated database apply nothing and all work.
      const stores = await Promise.all([0, 1, 2].map(() => open(url)))
      expect(stores.map((s) => s.migrated)).toEqual([[], [], []])
    })

    it('version 2 gives the items of a version-1 database their content hashes', async () => {
      const url = await freshUrl()
      const pool = new pg.Pool({ connectionString: url })
      const item = makeItem({ sourceId: 'dawn', title: 'Torkham reopens', contentHash: 'h-1' })
      try {
        await migrate(pool, MIGRATIONS.slice(0, 1))
        await pool.query(
          `INSERT INTO items (id, source_id, cluster_id, published, fetched, topics, search_text, words, doc)
           VALUES ($1, 'dawn', $1, 0, 0, '{}', ' torkham reopens ', '{torkham,reopens}', $2)`,
          [item.id, JSON.stringify(item)],
        )
      } finally {
        await pool.end()
      }
      const s = await open(url)
      expect(s.migrated).toEqual(MIGRATIONS.slice(1).map((m) => m.version))
      // The backfilled hash is what a poll compares: the same item again is unchanged.
      const again = { sourceId: 'dawn', failures: 0, nextPollAt: hoursAfter(1) }
      expect(await s.saveIngest({ sourceId: 'dawn', items: [item], state: again })).toEqual({
        new: 0,
        updated: 0,
        unchanged: 1,
      })
      const edited = { ...item, title: 'Torkham reopens for trade', contentHash: 'h-2' }
      expect(await s.saveIngest({ sourceId: 'dawn', items: [edited], state: again })).toEqual({
        new: 0,
        updated: 1,
        unchanged: 0,
      })
      expect((await s.getItem(item.id))?.title).toBe('Torkham reopens for trade')
      expect((await s.getState('dawn'))?.itemCount).toBe(1)
    })

    it('refuses a database migrated by a newer topicwire, and leaves it as it is', async () => {
      const url = await freshUrl()
      await (await open(url)).close()
      const c = new pg.Client({ connectionString: url })
      await c.connect()
      await c.query("INSERT INTO topicwire_migrations (version, name) VALUES (99, 'future')")
      try {
        const err = await createPostgresStore({ url }).catch((e: unknown) => e)
        expect(err).toBeInstanceOf(StoreError)
        expect((err as Error).message).toContain(
          `schema is version 99, newer than this topicwire knows (${MIGRATIONS.at(-1)!.version})`,
        )
        const { rows } = await c.query('SELECT max(version) AS v FROM topicwire_migrations')
        expect(rows[0].v).toBe(99)
      } finally {
        await c.end()
      }
    })

    it('names the server, never the password, when it cannot connect', async () => {
      const port = await freePort()
      const err = await createPostgresStore({
        url: `postgres://tw:s3cret-pw@127.0.0.1:${port}/news`,
      }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(StoreError)
      expect((err as Error).message).toMatch(
        `cannot connect to PostgreSQL at tw@127.0.0.1:${port}/news`,
      )
      expect((err as Error).message).not.toContain('s3cret-pw')
    })
  })

  describe('replicas', () => {
    const state = (sourceId: string, extra: Partial<SourceState> = {}): SourceState => ({
      sourceId,
      failures: 0,
      nextPollAt: hoursAfter(0),
      ...extra,
    })

    it("one replica's write makes the other's version grow (change notices)", async () => {
      const url = await freshUrl()
      const [a, b] = [await open(url), await open(url)]
      const v0 = b.version()
      await a.saveIngest({
        sourceId: 'dawn',
        items: [makeItem({ title: 'x' })],
        state: state('dawn'),
      })
      await expect.poll(() => b.version(), { timeout: 10_000 }).toBeGreaterThan(v0)
      // A state alone is not a visible change: no notice, no bump on either side.
      const [va, vb] = [a.version(), b.version()]
      await a.saveState(state('geo'))
      await a.saveIngest({ sourceId: 'dawn', items: [], state: state('dawn') })
      await b.saveIngest({
        sourceId: 'geo',
        items: [makeItem({ sourceId: 'geo', title: 'y' })],
        state: state('geo'),
      })
      await expect.poll(() => a.version(), { timeout: 10_000 }).toBe(va + 1)
      expect(b.version()).toBe(vb + 1)
    })

    it('three replicas claiming 1,000 due sources at once: each source claimed exactly once', async () => {
      const url = await freshUrl()
      const stores = [await open(url), await open(url), await open(url)]
      const ids = Array.from({ length: 1000 }, (_, i) => `s${String(i).padStart(4, '0')}`)
      const now = new Date(hoursAfter(1))
      const claims = new Map<string, number>()
      const byReplica = await Promise.all(
        stores.map(async (s) => {
          let mine = 0
          for (;;) {
            const got = await s.claimDue(now, ids, 37)
            if (got.length === 0) return mine
            mine += got.length
            for (const st of got) claims.set(st.sourceId, (claims.get(st.sourceId) ?? 0) + 1)
            // The poll is done: its saved state ends the lease and is due in an hour.
            for (const st of got) await s.saveState({ ...st, nextPollAt: hoursAfter(2) })
          }
        }),
      )
      expect(claims.size).toBe(1000)
      expect([...claims.values()].filter((c) => c !== 1)).toEqual([])
      expect(byReplica.reduce((a, b) => a + b, 0)).toBe(1000)
      // A thousand saves are a thousand round trips: seconds on a loaded machine.
    }, 60_000)

    it('a claim keeps other replicas away until its lease ends or its poll is saved', async () => {
      const url = await freshUrl()
      const [a, b] = [await open(url, { leaseMs: 60_000 }), await open(url, { leaseMs: 60_000 })]
      const t = Date.parse(hoursAfter(1))
      const at = (ms: number) => new Date(t + ms)
      expect((await a.claimDue(at(0), ['x', 'y'], 1)).map((s) => s.sourceId)).toEqual(['x'])
      expect((await b.claimDue(at(1_000), ['x', 'y'], 5)).map((s) => s.sourceId)).toEqual(['y'])
      // A vanishes without saving x: x is claimable once the lease has run out, not before.
      expect(await b.claimDue(at(59_999), ['x'], 5)).toEqual([])
      expect((await b.claimDue(at(60_000), ['x'], 5)).map((s) => s.sourceId)).toEqual(['x'])
      // b saves y's poll (due again at once, say after an error): the lease ends with it.
      await b.saveState(state('y', { failures: 1, nextPollAt: at(0).toISOString() }))
      expect((await a.claimDue(at(2_000), ['y'], 5)).map((s) => s.sourceId)).toEqual(['y'])
    })

    it('runs exclusive work on one replica at a time; the others skip it', async () => {
      const url = await freshUrl()
      const [a, b] = [await open(url), await open(url)]
      let release = () => {}
      const gate = new Promise<void>((ok) => {
        release = ok
      })
      let started = () => {}
      const running = new Promise<void>((ok) => {
        started = ok
      })
      const first = a.runExclusive('retention', async () => {
        started()
        await gate
        return 'a'
      })
      await running
      expect(await b.runExclusive('retention', async () => 'b')).toEqual({ ran: false })
      expect(await b.runExclusive('retag', async () => 'b')).toEqual({ ran: true, value: 'b' })
      release()
      expect(await first).toEqual({ ran: true, value: 'a' })
      expect(await b.runExclusive('retention', async () => 'b')).toEqual({ ran: true, value: 'b' })
    })

    it('replicas that saw the same changes hold the same version (the shared counter)', async () => {
      const url = await freshUrl()
      const [a, b] = [await open(url), await open(url)]
      for (const [store, src] of [
        [a, 'dawn'],
        [b, 'geo'],
        [a, 'dawn'],
      ] as const) {
        await store.saveIngest({
          sourceId: src,
          items: [makeItem({ sourceId: src, title: `t ${src} ${store.version()}` })],
          state: state(src),
        })
      }
      await expect.poll(() => b.version(), { timeout: 10_000 }).toBe(a.version())
      expect(a.version()).toBe(3)
      // A replica opened later starts from the counter, not from zero.
      expect((await open(url)).version()).toBe(3)
    })

    it('two PG-backed apps answer the index page and a feed with the same ETag for the same content', async () => {
      const url = await freshUrl()
      const config = testConfig({
        sources: [makeSource({ id: 'dawn' }), makeSource({ id: 'geo' })],
        topics: [PAK_AFGHAN_TOPIC],
      })
      const a = await open(url)
      const write = (store: PostgresStore, sourceId: string, title: string) =>
        store.saveIngest({
          sourceId,
          items: [makeItem({ sourceId, title, topics: [PAK_AFGHAN_TOPIC.id] })],
          state: state(sourceId),
        })
      await write(a, 'dawn', 'Torkham reopens')
      await write(a, 'geo', 'Chaman talks resume')
      // Opened after those writes: a local counter would start at zero here.
      const b = await open(url)
      const apps = [a, b].map((store) => createApp({ ...createTestDeps(config), store }))
      const tags = async (path: string) =>
        Promise.all(
          apps.map(async (app) => {
            const res = await app.request(path)
            expect(res.status).toBe(200)
            return res.headers.get('etag')
          }),
        )
      const feed = `/topics/${PAK_AFGHAN_TOPIC.id}.rss`
      const [index1, feed1] = [await tags('/'), await tags(feed)]
      expect(index1[0]).toBe(index1[1])
      expect(feed1[0]).toBe(feed1[1])
      await write(b, 'geo', 'Border trade figures published')
      await expect.poll(() => a.version(), { timeout: 10_000 }).toBe(b.version())
      const [index2, feed2] = [await tags('/'), await tags(feed)]
      expect(index2[0]).toBe(index2[1])
      expect(index2[0]).not.toBe(index1[0])
      expect(feed2[0]).toBe(feed2[1])
    })

    it('storyMembers reads the members of many stories at once, as clusterMembers does one by one', async () => {
      const a = await open(await freshUrl())
      const items = [0, 1, 2].flatMap((n) => [
        { ...storyCopy('dawn', n), clusterId: `story-${n}` },
        { ...storyCopy('geo', n), clusterId: `story-${n}` },
      ])
      await a.saveIngest({
        sourceId: 'dawn',
        items: items.filter((i) => i.sourceId === 'dawn'),
        state: state('dawn'),
      })
      await a.saveIngest({
        sourceId: 'geo',
        items: items.filter((i) => i.sourceId === 'geo'),
        state: state('geo'),
      })
      const ids = (xs: readonly Item[]) => xs.map((i) => i.id).sort()
      const many = await (a.storyMembers as NonNullable<Store['storyMembers']>)([
        'story-0',
        'story-2',
        'none',
      ])
      const one = [...(await a.clusterMembers('story-0')), ...(await a.clusterMembers('story-2'))]
      expect(ids(many)).toEqual(ids(one))
      expect(many).toHaveLength(4)
      expect(await (a.storyMembers as NonNullable<Store['storyMembers']>)([])).toEqual([])
    })

    it('storedSince: items in write order past a position, bounded, none twice', async () => {
      const url = await freshUrl()
      const [a, b] = [await open(url), await open(url)]
      const start = await a.storedPosition?.()
      expect(start).toEqual({ seq: 0, id: '' })
      const titles = ['one', 'two', 'three', 'four', 'five']
      const written = titles.map((title, i) =>
        makeItem({ sourceId: i % 2 ? 'geo' : 'dawn', title }),
      )
      for (const [i, item] of written.entries()) {
        await (i % 2 ? b : a).saveIngest({
          sourceId: item.sourceId,
          items: [item],
          state: state(item.sourceId),
        })
      }
      const seen: string[] = []
      let at = start as NonNullable<typeof start>
      for (let page = 0; page < 10; page++) {
        const { items, next } = await (a.storedSince as NonNullable<Store['storedSince']>)(at, 2)
        expect(items.length).toBeLessThanOrEqual(2)
        seen.push(...items.map((i) => i.title))
        at = next
        if (items.length === 0) break
      }
      expect(seen).toEqual(titles)
      // An update moves its item to the end of the order; an unchanged save does not.
      const one = await a.getItem(written[0]?.id ?? '')
      await a.saveIngest({
        sourceId: 'dawn',
        items: [{ ...(one as Item), summary: 'revised', contentHash: 'changed' }],
        state: state('dawn'),
      })
      const after = await (a.storedSince as NonNullable<Store['storedSince']>)(at, 10)
      expect(after.items.map((i) => [i.title, i.summary])).toEqual([['one', 'revised']])
    })

    it("a replica's story index catches up with only the rows written since its last read", async () => {
      const url = await freshUrl()
      const [a, b] = [await open(url), await open(url)]
      const rows: number[] = []
      const spied: ClusterStore = {
        ...a,
        storedSince: async (after, limit) => {
          const r = await (a.storedSince as NonNullable<Store['storedSince']>)(after, limit)
          rows.push(r.items.length)
          return r
        },
      }
      const cluster = createClusterer(spied, { catchUpEveryMs: 0 })
      const now = new Date(STORY_AT + 60_000)
      await cluster([], now)
      await b.saveIngest({ sourceId: 'geo', items: [storyCopy('geo', 0)], state: state('geo') })
      const [joined] = await cluster([storyCopy('dawn', 0)], now)
      expect(joined?.clusterId).toBe(storyCopy('geo', 0).id)
      expect(cluster.caughtUp()).toBe(1)
      await cluster([], now)
      await cluster([], now)
      // The first read took the one row; later reads found nothing new (no window re-read).
      expect(rows).toEqual([1, 0, 0])
    })

    it('two replicas saving copies of one story at the same instant make one story, every time', async () => {
      const url = await freshUrl()
      const [a, b] = [await open(url), await open(url)]
      const now = new Date(STORY_AT + 60_000)
      const ca = createClusterer(a, { catchUpEveryMs: 0 })
      const cb = createClusterer(b, { catchUpEveryMs: 0 })
      // Seeded first, so that each round's race is between the two saves only.
      await Promise.all([ca([], now), cb([], now)])
      const save = (store: PostgresStore, sourceId: string) => (items: Item[]) =>
        store.saveIngest({ sourceId, items, state: state(sourceId) })
      const split: number[] = []
      for (let round = 0; round < 25; round++) {
        const x = storyCopy('dawn', round)
        const y = storyCopy('geo', round)
        await Promise.all([
          ca.assignAndSave([x], now, undefined, save(a, 'dawn')),
          cb.assignAndSave([y], now, undefined, save(b, 'geo')),
        ])
        const [sx, sy] = [await a.getItem(x.id), await a.getItem(y.id)]
        if (sx?.clusterId !== sy?.clusterId) split.push(round)
      }
      expect(split).toEqual([])
    })
  })
})
