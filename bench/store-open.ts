/**
 * The store benchmark's reader, run in a fresh process (`tsx bench/store-open.ts driver path n`) so
 * its RSS is the store's: open-to-ready, RSS, query latencies, 100 feed renders, one day's
 * retention. Prints one JSON line.
 */
import { readFileSync } from 'node:fs'
import pg from 'pg'
import type { ItemQuery, Source } from '../src/model/types.js'
import { buildFeedDocument } from '../src/publish/feed.js'
import { renderRss } from '../src/publish/rss.js'
import { queryItemsPg } from '../src/store/postgres/item-query.js'
import { openPgPool, type Queryable } from '../src/store/postgres/pg-pool.js'
import { warmPg } from '../src/store/postgres/warm.js'
import { DRIVERS } from './store-drivers.js'
import { DAY_MS, NOW, SOURCES, sourceId, spanDays, TOPICS, words } from './store-world.js'

const [driver = 'old', path = '', sizeArg = '0'] = process.argv.slice(2)
const n = Number(sizeArg)
const mb = (): number => Math.round(process.memoryUsage().rss / 1_048_576)

const t0 = performance.now()
const store = await DRIVERS[driver]!(path)
const openMs = performance.now() - t0
const rssOpen = mb()

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}
/**
 * For PostgreSQL, the CPU time the server's backends of this store spent (ms), read from Linux's
 * `/proc/PID/schedstat` (time on a CPU, in ns) of every `topicwire` connection to this database:
 * unlike wall time, it leaves out the time a backend waited for a core on a busy machine. The
 * cluster is the benchmark's own, on this machine. Undefined elsewhere (no /proc).
 */
const monitor =
  driver === 'postgres'
    ? new pg.Client({ connectionString: path, application_name: 'topicwire-bench' })
    : undefined
await monitor?.connect()
const backendCpu = async (): Promise<Map<number, number> | undefined> => {
  if (!monitor) return undefined
  const { rows } = await monitor.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'topicwire'",
  )
  const out = new Map<number, number>()
  for (const { pid } of rows) {
    try {
      out.set(pid, Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6)
    } catch {
      return undefined
    }
  }
  return out
}
/** CPU ms the backends spent between two {@link backendCpu} readings (a backend opened between: all of its time). */
const cpuBetween = (a: Map<number, number>, b: Map<number, number>): number => {
  let ms = 0
  for (const [pid, t] of b) ms += t - (a.get(pid) ?? 0)
  return ms
}
/**
 * A shape's pages one after another: wall p50 and p99 (ms), and this process's CPU time per page
 * (`cpu`, ms, user + system, every thread: for PostgreSQL the client's part — building the
 * statement, pg's reading of the rows, the page's own work, parsing documents, collecting the
 * garbage — which the machine's load disturbs less than wall time), and for PostgreSQL the
 * server's CPU time per page (`serverCpu`, see {@link backendCpu}).
 */
const timeQueries = async (make: (i: number) => ItemQuery, times = 200) => {
  const ms: number[] = []
  const before = await backendCpu()
  const cpu0 = process.cpuUsage()
  for (let i = 0; i < times; i++) {
    const q = make(i)
    const t = performance.now()
    await store.queryItems(q)
    ms.push(performance.now() - t)
  }
  const cpu = process.cpuUsage(cpu0)
  const after = await backendCpu()
  return {
    p50: pct(ms, 50),
    p99: pct(ms, 99),
    cpu: (cpu.user + cpu.system) / 1000 / times,
    ...(before && after && { serverCpu: cpuBetween(before, after) / times }),
  }
}
const w = words(1)
const since = new Date(NOW - 2 * DAY_MS).toISOString()
const cursorPage = async (): Promise<string | undefined> => {
  let cursor: string | undefined
  for (let p = 0; p < 40; p++) {
    const page = await store.queryItems({
      limit: 50,
      clusters: 'collapse',
      ...(cursor && { cursor }),
    })
    cursor = page.nextCursor
    if (!cursor) break
  }
  return cursor
}
const deep = await cursorPage()
const shapes: Record<string, (i: number) => ItemQuery> = {
  latest: () => ({ limit: 50, clusters: 'collapse' }),
  topic: (i) => ({ limit: 50, clusters: 'collapse', topics: [TOPICS[i % 5]!] }),
  source: (i) => ({ limit: 50, clusters: 'all', sources: [sourceId(i % SOURCES)] }),
  // The same 200 source pages again: `source` pages each source once, so at 500k items (one row
  // in 300 a source's, each on its own page) its rows mostly come from the disk; this shape
  // shows what a source paged again costs.
  sourceAgain: (i) => ({ limit: 50, clusters: 'all', sources: [sourceId(i % SOURCES)] }),
  q: () => ({
    limit: 50,
    clusters: 'collapse',
    q: { include: [w.vocab[Math.floor(w.random() * 200)]!], exclude: [] },
  }),
  sinceTopic: (i) => ({ limit: 50, clusters: 'collapse', topics: [TOPICS[i % 5]!], since }),
  deepCursor: () => ({ limit: 50, clusters: 'collapse', ...(deep && { cursor: deep }) }),
}
type Timing = Awaited<ReturnType<typeof timeQueries>>
const queries: Record<string, Timing> = {}
for (const [name, make] of Object.entries(shapes)) queries[name] = await timeQueries(make)

/**
 * A value as an SQL literal for `EXECUTE` (the prepared statement's parameter types convert
 * it): text, a number, or an array of either as an array literal.
 */
const literal = (v: unknown): string =>
  typeof v === 'number'
    ? String(v)
    : Array.isArray(v)
      ? pg.escapeLiteral(
          `{${v.map((x) => `"${String(x).replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`,
        )
      : pg.escapeLiteral(String(v))

/**
 * For PostgreSQL, the server's part of each shape's page: the execution time of the statements
 * a page sends (EXPLAIN ANALYZE with TIMING OFF: no round trip, no Node), p50 of 50 pages, the
 * buffers they read (a mean), how many of those came from outside shared buffers and the time
 * those reads took (`track_io_timing`). Each statement is explained before the page runs it, so
 * a page's first reads are counted where they happen (explained after the page, every block was
 * a hit), and prepared and explained with EXECUTE, so the plan is the generic one the store's
 * connections run (pg-pool.ts `plan_cache_mode`); an EXPLAIN of the text with its values would
 * plan it for those values.
 */
const serverSplit = async (): Promise<Record<string, ServerPart>> => {
  const pool = await openPgPool({ url: path, max: 1 })
  const out: Record<string, ServerPart> = {}
  try {
    for (const [name, make] of Object.entries(shapes)) {
      const ms: number[] = []
      let buffers = 0
      let read = 0
      let ioMs = 0
      for (let j = 0; j < 50; j++) {
        // Past the 200 timed pages, so `source` explains sources not paged yet (its first
        // pages), while `sourceAgain` explains sources the timed pages read.
        const i = name === 'sourceAgain' ? j : 200 + j
        let t = 0
        const spy = {
          query: async (c: pg.QueryConfig) => {
            const client = await pool.connect()
            let explained: ExplainJson
            try {
              await client.query(`PREPARE tw_bench AS ${c.text}`)
              const args = (c.values ?? []).map(literal)
              const { rows } = await client.query<{ 'QUERY PLAN': ExplainJson }>(
                `EXPLAIN (ANALYZE, TIMING OFF, BUFFERS, FORMAT JSON) EXECUTE tw_bench${args.length ? `(${args.join(', ')})` : ''}`,
              )
              explained = rows[0]!['QUERY PLAN']
            } finally {
              await client.query('DEALLOCATE tw_bench').catch(() => undefined)
              client.release()
            }
            const plan = explained[0]!
            t += plan['Execution Time']
            buffers += plan.Plan['Shared Hit Blocks'] + plan.Plan['Shared Read Blocks']
            read += plan.Plan['Shared Read Blocks']
            ioMs += plan.Plan['I/O Read Time'] ?? plan.Plan['Shared I/O Read Time'] ?? 0
            return pool.query(c)
          },
        }
        await queryItemsPg(spy as unknown as Queryable, make(i))
        ms.push(t)
      }
      out[name] = {
        p50: pct(ms, 50),
        buffers: Math.round(buffers / 50),
        read: Math.round(read / 50),
        ioMs: ioMs / 50,
      }
    }
  } finally {
    await pool.end()
  }
  return out
}
/**
 * A shape's server part: execution p50 (ms), buffers per page (mean), of which read from outside
 * PostgreSQL's buffers, and the time those reads took (mean ms per page, `track_io_timing`).
 */
interface ServerPart {
  p50: number
  buffers: number
  read: number
  ioMs: number
}
/** The fields of EXPLAIN's JSON that {@link serverSplit} reads (the I/O time's name is PostgreSQL 17's in 17). */
type ExplainJson = {
  'Execution Time': number
  Plan: {
    'Shared Hit Blocks': number
    'Shared Read Blocks': number
    'I/O Read Time'?: number
    'Shared I/O Read Time'?: number
  }
}[]
const server = driver === 'postgres' ? await serverSplit() : undefined

/**
 * PostgreSQL, warm: the items' tables, their TOAST and every index read into shared buffers
 * (`topicwire store warm`: pg_prewarm, what `pg_prewarm.autoprewarm` restores after a restart,
 * and what a long-running server's buffers hold once pages have read them), then every shape
 * measured again. Returns how long the prewarm took and how many MB it loaded; cold (above) is
 * the state a build or a restart without autoprewarm leaves: nothing of the items in shared
 * buffers.
 */
const prewarm = async (): Promise<{ ms: number; mb: number }> => {
  const pool = await openPgPool({ url: path, max: 1, statementTimeoutMs: 0 })
  try {
    // What `topicwire store warm` reads (src/store/postgres/warm.ts).
    const r = await warmPg(pool)
    return { ms: r.ms, mb: r.mb }
  } finally {
    await pool.end()
  }
}
const warmed = driver === 'postgres' ? await prewarm() : undefined
const queriesWarm: Record<string, Timing> = {}
if (warmed) {
  // Untimed pages first, as the cold shapes follow the walk to `deep` and one another: after the
  // prewarm (30–50 s at 500,000 items, this process waiting) V8's first scavenge judges the
  // allocation rate over the whole pause and shrinks the young generation to 2 MB; it grows back
  // over the next ~400 pages, with twice the scavenges and thousands of page faults, and the first
  // shape measured (latest) paid for that alone (README, Running at scale: warm latest's p99).
  await cursorPage()
  await timeQueries(shapes.latest!, 400)
  for (const [name, make] of Object.entries(shapes)) queriesWarm[name] = await timeQueries(make)
}
const serverWarm = warmed ? await serverSplit() : undefined

const sources: Source[] = Array.from({ length: SOURCES }, (_, s) => ({
  id: sourceId(s),
  title: `Source ${s}`,
  url: `https://news.example.org/${s}.xml`,
  tags: [],
  priority: 0,
  enabled: true,
}))
const topics = TOPICS.map((id) => ({
  id,
  title: id,
  match: { any: [id] },
  in: [],
})) as never
let bytes = 0
for (let r = 0; r < 100; r++) {
  const topic = TOPICS[r % 5]!
  const page = await store.queryItems({ limit: 50, clusters: 'collapse', topics: [topic] })
  const members = new Map<string, readonly import('../src/model/types.js').Item[]>()
  for (const it of page.items)
    members.set(it.clusterId, (await store.clusterMembers?.(it.clusterId)) ?? [])
  const doc = buildFeedDocument(
    { id: `tag:x,2026:${topic}`, title: topic, path: `/topics/${topic}` },
    page.items,
    {
      baseUrl: 'http://localhost:8080',
      sources,
      topics,
      members: (id) => members.get(id) ?? [],
    },
  )
  bytes += renderRss(doc).length
}
const rssFeeds = mb()

const t1 = performance.now()
const removed = await store.prune(
  { maxAgeDays: spanDays(n) - 1, maxItemsPerSource: 1_000_000 },
  new Date(NOW),
)
await store.flush()
const retentionMs = performance.now() - t1
await store.close()
await monitor?.end()
console.log(
  JSON.stringify({
    openMs,
    rssOpen,
    rssFeeds,
    queries,
    ...(server && { server }),
    ...(warmed && { prewarm: warmed, queriesWarm, serverWarm }),
    retentionMs,
    removed,
    feedBytes: bytes,
  }),
)
