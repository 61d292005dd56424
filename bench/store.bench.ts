/**
 * The embedded store at scale (issue 18): builds stores of 10k and 100k items (`BENCH_SIZES=10000,100000,500000`)
 * through the Store interface with every driver of store-drivers.ts (PostgreSQL in bulk, store-bulk.ts), then measures one cycle's write
 * (30 new items over 10 sources plus their states, then flush), and in a fresh process open-to-ready,
 * RSS after open and after 100 feed renders, query p50/p99 and retention of one day.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import pgLib from 'pg'
import { findPgBin, type PgCluster, startPgCluster } from '../tests/helpers/postgres.js'
import { bulkLoadPg, pgTableSizes } from './store-bulk.js'
import { DRIVERS } from './store-drivers.js'
import { measureReplicas, pollWrites } from './store-replicas.js'
import { makeItems, NOW, sourceId, stateAt } from './store-world.js'

const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number)
const CYCLES = 5
/** The machine's memory in MB. */
const MEMORY_MB = Math.floor(totalmem() / 2 ** 20)
/**
 * The bench cluster's server settings, as a deployment would have them (README, Running at
 * scale): shared buffers of a quarter of the machine's memory (`BENCH_PG_SHARED_BUFFERS`, e.g.
 * `1GB`, overrides), which at 500k items hold the items' tables and indexes once read (the
 * default 128 MB is below the items table at 100k), the cache estimate half of the memory, no JIT
 * compilation (it pays off for long analytic queries, not for pages of a few milliseconds), and
 * I/O timing on, so EXPLAIN says how long a page waited for blocks from outside the buffers.
 */
const PG_SETTINGS = {
  shared_buffers: process.env.BENCH_PG_SHARED_BUFFERS ?? `${Math.floor(MEMORY_MB / 4)}MB`,
  effective_cache_size: `${Math.floor(MEMORY_MB / 2)}MB`,
  jit: 'off',
  track_io_timing: 'on',
}
/**
 * `BENCH_PG_DIR=folder` keeps the cluster there between runs: a size built once (database
 * `bench_N_built`) is copied for each run (`CREATE DATABASE … TEMPLATE`, file copy) instead of
 * built again, so runs of two commits can alternate at 500k items. The copy is measured, and
 * dropped at the next run; the built database is never written.
 */
const PG_DIR = process.env.BENCH_PG_DIR
/** `BENCH_DRIVERS=new,postgres` measures only those. */
const WANTED = process.env.BENCH_DRIVERS?.split(',')

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const f = (ms: number): string =>
  ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`

interface Timing {
  p50: number
  p99: number
  cpu?: number
  /** PostgreSQL: the server's CPU time per page (ms, its backends' own; store-open.ts). */
  serverCpu?: number
}

/** `shape p50/p99 (CPU c, server CPU s)` for each shape. */
const timingText = (queries: Record<string, Timing>): string =>
  Object.entries(queries)
    .map(([k, v]) => {
      const cpu = [
        ...(v.cpu === undefined ? [] : [`CPU ${f(v.cpu)}`]),
        ...(v.serverCpu === undefined ? [] : [`server CPU ${f(v.serverCpu)}`]),
      ]
      return `${k} ${f(v.p50)}/${f(v.p99)}${cpu.length ? ` (${cpu.join(', ')})` : ''}`
    })
    .join(', ')

interface ServerPart {
  p50: number
  buffers: number
  read: number
  ioMs: number
}

interface Row {
  size: number
  driver: string
  buildMs: number
  /** PostgreSQL: each items table's size after the build (heap with TOAST + indexes). */
  tables?: Record<string, string>
  cycle: number[]
  /** One poll's saveIngest: 50 items of a source, 45 unchanged (no flush). */
  pollWrite: { p50: number; p99: number }
  /** The longest the event loop was blocked during the cycles: what a `/healthz` would have waited. */
  stallMs: number
  /** The 1-minute load average when this size's queries had run (the machine is shared). */
  load: number
  open: {
    openMs: number
    rssOpen: number
    rssFeeds: number
    /** Per shape: wall p50 and p99, and the reader process's CPU time per page (ms; store-open.ts). */
    queries: Record<string, Timing>
    /**
     * PostgreSQL: the server's execution time of each shape's page (p50), the buffers it reads,
     * how many of them came from outside shared buffers and the time those reads took (ms).
     */
    server?: Record<string, ServerPart>
    /** PostgreSQL: the tables and indexes read into shared buffers (ms, MB), then the same shapes warm. */
    prewarm?: { ms: number; mb: number }
    queriesWarm?: Record<string, Timing>
    serverWarm?: Record<string, ServerPart>
    retentionMs: number
    removed: number
  }
}

const measure = async (size: number, driver: string, pg?: PgCluster): Promise<Row> => {
  const dir = mkdtempSync(join(tmpdir(), `topicwire-bench-store-${driver}-`))
  const path =
    driver === 'postgres' && pg
      ? PG_DIR
        ? pg.url(`bench_${size}`)
        : await pg.createDatabase(`bench_${size}`)
      : join(dir, 'db.json')
  try {
    const items = makeItems(size)
    const t0 = performance.now()
    if (driver === 'postgres' && PG_DIR && pg) {
      await copyBuilt(pg, size, items)
    } else if (driver === 'postgres') {
      // Batched inserts with the indexes built after: poll by poll, 500k items take hours here.
      await bulkLoadPg(path, items)
    } else {
      const bySource = new Map<string, typeof items>()
      for (const it of items) {
        const list = bySource.get(it.sourceId)
        if (list) list.push(it)
        else bySource.set(it.sourceId, [it])
      }
      const built = await DRIVERS[driver]!(path)
      for (const [id, list] of bySource) {
        for (let i = 0; i < list.length; i += 50) {
          await built.saveIngest({
            sourceId: id,
            items: list.slice(i, i + 50),
            state: stateAt(id, NOW),
          })
        }
      }
      await built.flush()
      await built.close()
    }
    const buildMs = performance.now() - t0
    const tables = driver === 'postgres' ? await pgTableSizes(path) : undefined
    const store = await DRIVERS[driver]!(path)
    const fresh = makeItems(30 * CYCLES, 99)
    const cycle: number[] = []
    let stallMs = 0
    let last = performance.now()
    const lag = setInterval(() => {
      const now = performance.now()
      stallMs = Math.max(stallMs, now - last - 5)
      last = now
    }, 5)
    for (let c = 0; c < CYCLES; c++) {
      const at = NOW + (c + 1) * 60_000
      const t = performance.now()
      for (let s = 0; s < 10; s++) {
        const id = sourceId(s)
        const mine = fresh.slice(c * 30 + s * 3, c * 30 + s * 3 + 3).map((it) => ({
          ...it,
          sourceId: id,
          publishedAt: new Date(at).toISOString(),
          fetchedAt: new Date(at).toISOString(),
        }))
        await store.saveIngest({ sourceId: id, items: mine, state: stateAt(id, at) })
      }
      await store.flush()
      cycle.push(performance.now() - t)
    }
    clearInterval(lag)
    const pollWrite = await pollWrites(store)
    await store.flush()
    await store.close()
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'store-open.ts'), driver, path, String(size)],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    )
    if (child.status !== 0) throw new Error(`store-open failed: ${child.stderr}`)
    const open = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Row['open']
    return {
      size,
      driver,
      buildMs,
      ...(tables && { tables }),
      cycle,
      pollWrite,
      stallMs,
      load: loadavg()[0]!,
      open,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Runs `fn` on a connection of its own to `url`, closed afterwards. */
const withClient = async <T>(url: string, fn: (c: pgLib.Client) => Promise<T>): Promise<T> => {
  const c = new pgLib.Client({ connectionString: url })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

const dropDatabase = (pg: PgCluster, name: string): Promise<unknown> =>
  withClient(pg.url('postgres'), (c) => c.query(`DROP DATABASE IF EXISTS "${name}"`))

/**
 * With BENCH_PG_DIR: builds `bench_N_built` unless the kept cluster has it (a database whose
 * build finished: the bench writes `bench_built` into it last), then makes `bench_N` a fresh
 * file copy of it. A copy leaves its tables where a build does: in the page cache, not in
 * PostgreSQL's buffers.
 */
const copyBuilt = async (pg: PgCluster, size: number, items: ReturnType<typeof makeItems>) => {
  const built = `bench_${size}_built`
  const exists = await withClient(pg.url('postgres'), async (c) => {
    const { rows } = await c.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_database WHERE datname = $1',
      [built],
    )
    return rows[0]!.n > 0
  })
  const done =
    exists &&
    (await withClient(pg.url(built), async (c) => {
      const { rows } = await c.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'bench_built'",
      )
      return rows[0]!.n > 0
    }))
  if (!done) {
    await dropDatabase(pg, built)
    await withClient(pg.url('postgres'), (c) => c.query(`CREATE DATABASE "${built}"`))
    await bulkLoadPg(pg.url(built), items)
    await withClient(pg.url(built), (c) =>
      c.query('CREATE TABLE bench_built (at timestamptz NOT NULL DEFAULT now())'),
    )
  }
  await dropDatabase(pg, `bench_${size}`)
  await withClient(pg.url('postgres'), (c) =>
    c.query(`CREATE DATABASE "bench_${size}" TEMPLATE "${built}" STRATEGY FILE_COPY`),
  )
}

export const run = async (): Promise<void> => {
  const rows: Row[] = []
  const drivers = Object.keys(DRIVERS).filter((d) => !WANTED || WANTED.includes(d))
  // PostgreSQL is measured when a throwaway cluster can be started here (tests/helpers/postgres.ts).
  const pg =
    drivers.includes('postgres') && findPgBin()
      ? await startPgCluster(PG_SETTINGS, PG_DIR)
      : undefined
  if (drivers.includes('postgres') && !pg) {
    console.log(
      'postgres: skipped (no PostgreSQL binaries: install the Debian package "postgresql")',
    )
  }
  try {
    await measureAll(
      rows,
      drivers.filter((d) => d !== 'postgres' || pg),
      pg,
    )
    if (pg) {
      if (PG_DIR) await dropDatabase(pg, 'bench_replicas')
      const r = await measureReplicas(await pg.createDatabase('bench_replicas'))
      console.log(
        `\npostgres, 3 replicas: poll write (50 items, 45 unchanged) p50 ${f(r.pollWrite.p50)} p99 ${f(r.pollWrite.p99)}; 1,000 due sources claimed (50 at a time, saved) in ${f(r.claims.ms)}, split ${r.claims.byReplica.join('/')}, double or missed claims: ${r.claims.doubles}; change notice to another replica p50 ${f(r.notify.p50)} p99 ${f(r.notify.p99)}`,
      )
    }
  } finally {
    await pg?.stop()
  }
  printTable(rows)
}

const measureAll = async (rows: Row[], drivers: string[], pg?: PgCluster): Promise<void> => {
  for (const size of SIZES) {
    for (const driver of drivers) {
      const row = await measure(size, driver, pg)
      rows.push(row)
      const q = timingText(row.open.queries)
      const server = serverText(row.open.server)
      console.log(
        `${size.toLocaleString('en')} items, ${driver}: build ${f(row.buildMs)}${
          row.tables
            ? ` (${Object.entries(row.tables)
                .map(([t, v]) => `${t} ${v}`)
                .join(', ')})`
            : ''
        }; poll write p50 ${f(row.pollWrite.p50)} p99 ${f(row.pollWrite.p99)}; cycle write median ${f(median(row.cycle))} max ${f(Math.max(...row.cycle))}, event loop blocked at most ${f(row.stallMs)}; open ${f(row.open.openMs)}; RSS ${row.open.rssOpen} MB after open, ${row.open.rssFeeds} MB after 100 feeds; retention of one day ${f(row.open.retentionMs)} (${row.open.removed} items); queries p50/p99 (client CPU, server CPU per page): ${q}${server && `; of which the server (p50): ${server}`}`,
      )
      const warm = row.open.queriesWarm
      if (row.open.prewarm && warm) {
        console.log(
          `${size.toLocaleString('en')} items, ${driver} warm (prewarmed ${row.open.prewarm.mb} MB in ${f(row.open.prewarm.ms)}): queries p50/p99 (client CPU, server CPU per page): ${timingText(warm)}; of which the server (p50): ${serverText(row.open.serverWarm)}`,
        )
      }
    }
  }
}

/** Each shape's server part: p50, buffers per page, of them read from outside shared buffers, and the read time. */
const serverText = (server: Record<string, ServerPart> | undefined): string =>
  Object.entries(server ?? {})
    .map(
      ([k, v]) =>
        `${k} ${f(v.p50)} (${v.buffers} buffers, ${v.read} read in ${v.ioMs.toFixed(2)} ms)`,
    )
    .join(', ')

const printTable = (rows: Row[]): void => {
  console.log(
    '\n| items | driver | poll write p50 | cycle write (median/max) | loop blocked (max) | open | RSS open | RSS 100 feeds | worst query p50/p99 | retention 1 day | load |',
  )
  console.log('|---|---|---|---|---|---|---|---|---|---|---|')
  for (const r of rows) {
    const worst = Object.entries(r.open.queries).sort((a, b) => b[1].p99 - a[1].p99)[0]!
    console.log(
      `| ${r.size.toLocaleString('en')} | ${r.driver} | ${f(r.pollWrite.p50)} | ${f(median(r.cycle))} / ${f(Math.max(...r.cycle))} | ${f(r.stallMs)} | ${f(r.open.openMs)} | ${r.open.rssOpen} MB | ${r.open.rssFeeds} MB | ${f(worst[1].p50)}/${f(worst[1].p99)} (${worst[0]}) | ${f(r.open.retentionMs)} | ${r.load.toFixed(1)} |`,
    )
  }
  // Every query shape, p50/p99: the targets are per shape.
  const shapes = Object.keys(rows[0]?.open.queries ?? {})
  console.log(`\n| items | driver | ${shapes.join(' | ')} |`)
  console.log(`|---|---|${shapes.map(() => '---|').join('')}`)
  for (const r of rows) {
    const cells = shapes.map((k) => {
      const v = r.open.queries[k]
      return v ? `${f(v.p50)} / ${f(v.p99)}` : '–'
    })
    console.log(`| ${r.size.toLocaleString('en')} | ${r.driver} | ${cells.join(' | ')} |`)
    const warm = r.open.queriesWarm
    if (warm) {
      const cellsWarm = shapes.map((k) => {
        const v = warm[k]
        return v ? `${f(v.p50)} / ${f(v.p99)}` : '–'
      })
      console.log(
        `| ${r.size.toLocaleString('en')} | ${r.driver} warm | ${cellsWarm.join(' | ')} |`,
      )
    }
  }
}
