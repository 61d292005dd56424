/** Fetch/parse benchmark: 1,000 loopback feeds of 50 items through runCycle, against a bare undici + rss-parser loop. */
import { readdirSync, readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { gzipSync } from 'node:zlib'
import Parser from 'rss-parser'
import { Agent, request, fetch as undiciFetch } from 'undici'
import { loadConfig } from '../src/config/load.js'
import { createHttpFetch } from '../src/ingest/fetch/http-client.js'
import type { PollDeps } from '../src/ingest/poll-deps.js'
import { type CycleSummary, runCycle } from '../src/ingest/scheduler.js'
import type { AppConfig, Source } from '../src/model/types.js'
import { createRuntime } from '../src/runtime.js'
import { createMemoryStore } from '../src/store/memory.js'
import { silentLogger } from '../src/util/logger.js'
import { createMetrics } from '../src/util/metrics.js'

/** 1,000 as the issue asks; `BENCH_FEEDS=200` for a quick profile. */
const FEEDS = Number(process.env.BENCH_FEEDS ?? 1000)
const ITEMS = 50
/** Requests at once, for runCycle (fetch.concurrency, and per_host since all feeds share one host) and the bare loop alike. */
const CONCURRENCY = 8
/**
 * Items that are new in each version of a feed (the rest are the previous version's), one run
 * each: 3 is a busy outlet polled every 15 minutes (a dozen stories an hour), 10 a wire service.
 * `BENCH_NEW=2,5` runs other rates.
 */
const NEW_PER_VERSION = (process.env.BENCH_NEW ?? '3,10').split(',').map(Number)
/** Rounds of (c), (a), (b); the best time of each is compared (this machine varies ±10% run to run). */
const ROUNDS = 3

// ------------------------------------------------------------------ the documents

/**
 * A news desk's vocabulary: 50,000 made-up words from syllables (no digits: the story index
 * leaves words with digits out), drawn with Zipf-like frequencies (log-uniform ranks), so that a
 * few hundred words are everywhere and most are rare, as in real reports. Unrelated items then
 * share few words (mean Jaccard of their story keys about 0.05). One item in five is a report of
 * a story that one other feed also carries, reworded a little (see `textOf`): the story index
 * merges those.
 */
const SYLLABLES =
  'ka ri to ma ne sa lu bo de fi ga hu ji ko la mi no pu ra se ti vo wa ya zu'.split(' ')
const VOCABULARY = 50_000
const WORDS = Array.from({ length: VOCABULARY }, (_, i) => {
  let w = ''
  for (let n = i + 7, k = 0; k < 4 && (k < 2 || n > 0); k++, n = Math.floor(n / SYLLABLES.length)) {
    w += SYLLABLES[n % SYLLABLES.length]
  }
  return w
})
const PLACES = [
  'Pakistan',
  'Afghanistan',
  'Kabul',
  'Islamabad',
  'Torkham',
  'Doha',
  'Tehran',
  'Delhi',
]

/**
 * Deterministic words from a seed. The generator's high bits pick them: the low bits of this
 * linear congruential generator repeat with short periods, which made different seeds give
 * nearly the same words.
 */
const words = (seed: number, count: number, reword = -1): string => {
  const out: string[] = []
  let x = seed >>> 0
  for (let i = 0; i < count; i++) {
    x = (x * 1_103_515_245 + 12_345) >>> 0
    // A reworded position draws another word (from other bits of the same state).
    const reworded = i % 5 !== 2 && i % 7 === reword
    const y = reworded ? Math.imul(x ^ 0x5bd1e995, 69_069) >>> 16 : x >>> 16
    // A log-uniform rank: rank r is drawn about as often as 1/r.
    const rank = Math.floor(VOCABULARY ** (y / 65_536))
    out.push(i % 5 === 2 ? (PLACES[y % PLACES.length] ?? '') : (WORDS[rank - 1] ?? ''))
  }
  return out.join(' ')
}

/**
 * Title and summary paragraphs of item n of feed f. When (f + n) % 5 = 0 the item reports story
 * (n, ⌊f / 10⌋), which the other feed of its ten with (f + n) % 5 = 0 reports too, each changing
 * a different seventh of the words (places kept).
 */
const textOf = (f: number, n: number): { title: string; lede: string; more: string } => {
  const shared = (f + n) % 5 === 0
  const seed = shared ? n * 104_729 + Math.floor(f / 10) * 7_919 + 1 : f * 7_919 + n * 104_729
  const reword = shared ? f % 7 : -1
  return {
    title: words(seed, 10, reword),
    lede: words(seed + 1, 30, reword),
    more: words(seed + 2, 20, reword),
  }
}

const escapeXml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** When item 0 of every feed was published: item n follows 20 minutes after item n − 1. */
const EPOCH = Date.now() - 36 * 3_600_000

/**
 * Feed f in version g: items g·fresh … g·fresh+49, newest first, each dated once (as publishers
 * do: an entry keeps its pubDate from one version of the feed to the next, so a new version
 * differs from the last by its `fresh` new entries). `BENCH_REDATE=1` re-dates every entry in
 * each version instead, the worst case where no entry is byte-for-byte what the last poll saw.
 */
const REDATE = process.env.BENCH_REDATE === '1'
const feedXml = (f: number, g: number, now: number, fresh: number): string => {
  const first = g * fresh
  const items: string[] = []
  for (let n = first + ITEMS - 1; n >= first; n--) {
    const { title, lede, more } = textOf(f, n)
    const html = `<p>${lede}.</p><p>${more} <a href="/story/${n}">more</a></p>`
    const date = new Date(
      REDATE ? now - (first + ITEMS - n) * 20 * 60_000 : EPOCH + n * 20 * 60_000,
    ).toUTCString()
    items.push(
      `<item><title>${escapeXml(title)}</title><link>https://site${f}.example/story/${n}?utm_source=rss</link>` +
        `<guid isPermaLink="false">site${f}-${n}</guid><pubDate>${date}</pubDate>` +
        `<category>${PLACES[n % PLACES.length]}</category><description>${escapeXml(html)}</description></item>`,
    )
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Site ${f}</title><link>https://site${f}.example/</link><description>Feed ${f}</description>\n${items.join('\n')}\n</channel></rss>`
}

interface Published {
  etag: string
  lastModified: string
  gzip: Buffer
}

/** A loopback server publishing FEEDS feeds, gzip, with ETag/Last-Modified and 304s. */
const startServer = async (fresh: number) => {
  let docs: Published[] = []
  const hits = { 200: 0, 304: 0 }
  const publish = (g: number) => {
    const now = Date.now()
    const lastModified = new Date(now).toUTCString()
    docs = Array.from({ length: FEEDS }, (_, f) => ({
      etag: `"f${f}-g${g}"`,
      lastModified,
      gzip: gzipSync(feedXml(f, g, now, fresh)),
    }))
  }
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const f = Number(/^\/f\/(\d+)\.xml$/.exec(req.url ?? '')?.[1] ?? -1)
    const doc = docs[f]
    if (!doc) {
      res.writeHead(404).end()
      return
    }
    const headers = { ETag: doc.etag, 'Last-Modified': doc.lastModified }
    if (
      req.headers['if-none-match'] === doc.etag ||
      req.headers['if-modified-since'] === doc.lastModified
    ) {
      hits[304]++
      res.writeHead(304, headers).end()
      return
    }
    hits[200]++
    // Every client in this benchmark asks for gzip.
    res.writeHead(200, {
      ...headers,
      'Content-Type': 'application/rss+xml; charset=utf-8',
      'Content-Encoding': 'gzip',
    })
    res.end(doc.gzip)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    urls: Array.from({ length: FEEDS }, (_, f) => `${base}/f/${f}.xml`),
    publish,
    /** Each feed's current ETag, by index. */
    etags: () => docs.map((d) => d.etag),
    hits,
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

// ------------------------------------------------------------------ the two clients

/** Runs `task` over `inputs`, at most `limit` at once. */
const pool = async <T>(inputs: T[], limit: number, task: (x: T) => Promise<void>) => {
  let next = 0
  const worker = async () => {
    while (next < inputs.length) await task(inputs[next++] as T)
  }
  await Promise.all(Array.from({ length: limit }, worker))
}

/** The floor: undici's fetch (keep-alive Agent, gzip) and rss-parser's parseString, nothing else. */
const bareLoop = async (urls: string[]): Promise<number> => {
  const agent = new Agent({ keepAliveTimeout: 10_000 })
  const parser = new Parser()
  let items = 0
  await pool(urls, CONCURRENCY, async (url) => {
    const res = await undiciFetch(url, {
      dispatcher: agent,
      headers: { 'Accept-Encoding': 'gzip, deflate, br' },
    })
    const feed = await parser.parseString(await res.text())
    items += feed.items.length
  })
  await agent.close()
  return items
}

/**
 * The floor of a 304 cycle: undici's `request` (the API runCycle's client uses; cheaper than its
 * fetch) with each feed's current ETag, the empty answer discarded, nothing else.
 */
const bare304Loop = async (urls: string[], etags: string[]): Promise<number> => {
  const agent = new Agent({ keepAliveTimeout: 10_000 })
  let notModified = 0
  await pool([...urls.keys()], CONCURRENCY, async (i) => {
    const res = await request(urls[i] ?? '', {
      dispatcher: agent,
      headers: { 'Accept-Encoding': 'gzip, deflate, br', 'If-None-Match': etags[i] ?? '' },
    })
    await res.body.dump()
    if (res.statusCode === 304) notModified++
  })
  await agent.close()
  return notModified
}

const pipelineDeps = async (
  urls: string[],
): Promise<{ deps: PollDeps; close: () => Promise<void> }> => {
  const shipped = await loadConfig(join(import.meta.dirname, '../config/topicwire.yaml'), {})
  const sources: Source[] = urls.map((url, i) => ({
    id: `site-${i}`,
    title: `Site ${i}`,
    url,
    tags: [],
    priority: 0,
    enabled: true,
  }))
  const config: AppConfig = {
    ...shipped,
    sources,
    feeds: [],
    fetch: {
      ...shipped.fetch,
      concurrency: CONCURRENCY,
      perHost: CONCURRENCY,
      // `BENCH_WORKERS=0` keeps the analysis on one thread (what a CPU profile of it needs).
      ...(process.env.BENCH_WORKERS === undefined
        ? {}
        : { workers: Number(process.env.BENCH_WORKERS) }),
    },
    storage: { ...shipped.storage, retention: { maxAgeDays: 365, maxItemsPerSource: 2000 } },
  }
  const http = createHttpFetch({
    connectTimeoutMs: 10_000,
    headersTimeoutMs: config.fetch.timeoutMs,
    bodyTimeoutMs: config.fetch.timeoutMs,
    allowPrivateNetworks: true,
  })
  // The runtime wires what `serve` runs (story index, entry memo); only the I/O edges are swapped.
  const runtime = await createRuntime(config, {
    store: createMemoryStore(),
    fetch: http.fetch,
    logger: silentLogger,
    metrics: createMetrics(),
  })
  const { deps } = runtime
  return { deps, close: () => runtime.close().then(() => http.close()) }
}

// ------------------------------------------------------------------ measuring

const timed = async <T>(
  fn: () => Promise<T>,
): Promise<{ seconds: number; value: T; cpu: string }> => {
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  const threads0 = threadCpu()
  const value = await fn()
  const seconds = (performance.now() - t0) / 1000
  const { user, system } = process.cpuUsage(cpu0)
  return { seconds, value, cpu: cpuNote((user + system) / 1e6, threads0, threadCpu()) }
}

/** CPU seconds and niceness of one thread of this process. */
interface ThreadCpu {
  cpu: number
  nice: number
}

/**
 * Each thread's CPU seconds and niceness (Linux: /proc/self/task/<tid>/stat, CPU in clock ticks of
 * 10 ms); undefined elsewhere.
 */
const threadCpu = (): Map<string, ThreadCpu> | undefined => {
  try {
    const out = new Map<string, ThreadCpu>()
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out.set(tid, { cpu: (Number(f[11]) + Number(f[12])) / 100, nice: Number(f[16]) })
    }
    return out
  } catch {
    return undefined
  }
}

/**
 * Where a phase's CPU went: the main thread, the analysis workers (the threads running at a lower
 * priority, see ingest/workers/worker.ts) and the rest (V8's GC and compiler threads, libuv's pool).
 */
const cpuNote = (
  all: number,
  before: Map<string, ThreadCpu> | undefined,
  after: Map<string, ThreadCpu> | undefined,
): string => {
  const main = after?.get(String(process.pid))
  if (!before || !after || !main) return `CPU ${all.toFixed(2)} s`
  let mainCpu = 0
  let workers = 0
  for (const [tid, t] of after) {
    const spent = t.cpu - (before.get(tid)?.cpu ?? 0)
    if (tid === String(process.pid)) mainCpu = spent
    else if (t.nice > main.nice) workers += spent
  }
  const rest = all - mainCpu - workers
  return `CPU ${all.toFixed(2)} s: main thread ${mainCpu.toFixed(2)} s, analysis workers ${workers.toFixed(2)} s, other threads ${rest.toFixed(2)} s`
}

const outcomes = (c: CycleSummary): string => {
  const n: Record<string, number> = {}
  for (const r of c.reports) n[r.outcome] = (n[r.outcome] ?? 0) + 1
  return Object.entries(n)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ')
}

/**
 * `BENCH_CPU_PROFILE=file.cpuprofile` writes a V8 CPU profile of the first changed cycle (open it
 * in Chrome DevTools or speedscope); the profiler slows that cycle, so read ratios from a run
 * without it.
 */
const profiled = async <T>(on: boolean, fn: () => Promise<T>): Promise<T> => {
  const file = process.env.BENCH_CPU_PROFILE
  if (!on || !file) return fn()
  const { Session } = await import('node:inspector/promises')
  const { writeFile } = await import('node:fs/promises')
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.start')
  try {
    return await fn()
  } finally {
    const { profile } = await session.post('Profiler.stop')
    await writeFile(file, JSON.stringify(profile))
    session.disconnect()
    console.log(`  CPU profile of this cycle: ${file}`)
  }
}

const s = (x: number): string => `${x.toFixed(2)} s`

/** The best seconds of each phase at one rate of new items. */
interface RateResult {
  fresh: number
  c: number
  a: number
  b: number
  d: number
}

/** Prints the seconds of each phase and the ratios the issue sets targets for, per rate. */
export const run = async (): Promise<void> => {
  const results: RateResult[] = []
  for (const fresh of NEW_PER_VERSION) results.push(await runRate(fresh))
  console.log(
    '\nnew items per feed version | (c) bare | (a) changed | (b) 304 | (a)/(c) ≤ 1.30 | (b)/(a) < 0.10 | (d) bare 304 | (d)/(a)',
  )
  for (const r of results) {
    const ac = r.a / r.c
    const ba = r.b / r.a
    console.log(
      `${String(r.fresh).padStart(26)} | ${s(r.c).padStart(8)} | ${s(r.a).padStart(11)} | ${s(r.b).padStart(7)} | ${ac.toFixed(2).padStart(6)} ${ac <= 1.3 ? 'met   ' : 'MISSED'} | ${ba.toFixed(3).padStart(6)} ${ba < 0.1 ? 'met   ' : 'MISSED'} | ${s(r.d).padStart(12)} | ${(r.d / r.a).toFixed(3)}`,
    )
  }
  console.log(
    '(d)/(a): the share of a changed cycle that the HTTP exchanges of a 304 cycle alone take; (b) cannot go below it.',
  )
  console.log(
    `${FEEDS} feeds × ${ITEMS} items on one loopback host, gzip; concurrency ${CONCURRENCY} for both clients (runCycle: fetch.concurrency = per_host = ${CONCURRENCY}); memory store, silent logger, topics of config/topicwire.yaml; server in the same process; entries ${REDATE ? 're-dated every version' : 'keep their dates'}; best of ${ROUNDS} rounds`,
  )
}

const runRate = async (fresh: number): Promise<RateResult> => {
  console.log(`\n${fresh} new items in each version of each feed:`)
  const server = await startServer(fresh)
  const { deps, close } = await pipelineDeps(server.urls)
  try {
    server.publish(0)
    await bareLoop(server.urls) // warm-up: JIT, sockets, the server's code paths
    const first = await timed(() => runCycle(deps, { force: true }))
    console.log(
      `first cycle, empty store:         ${s(first.seconds)}  (${outcomes(first.value)}; ${first.value.totals.new} new items)`,
    )

    // Each round every feed publishes a new version (`fresh` new items, the rest already stored,
    // a new ETag): (c) reads it with the bare loop, (a) polls it, (b) polls again and gets 304s,
    // (d) asks with the bare client and gets 304s too.
    const best = {
      fresh,
      c: Number.POSITIVE_INFINITY,
      a: Number.POSITIVE_INFINITY,
      b: Number.POSITIVE_INFINITY,
      d: Number.POSITIVE_INFINITY,
    }
    for (let round = 1; round <= ROUNDS; round++) {
      server.publish(round)
      const floor = await timed(() => bareLoop(server.urls))
      const changed = await profiled(round === 1 && fresh === NEW_PER_VERSION[0], () =>
        timed(() => runCycle(deps, { force: true })),
      )
      // As the scheduler does: the next cycle knows when retention last ran.
      const { prunedAt } = changed.value
      const unchanged = await timed(() =>
        runCycle(deps, { force: true, ...(prunedAt && { prunedAt }) }),
      )
      const floor304 = await timed(() => bare304Loop(server.urls, server.etags()))
      const c = changed.value
      console.log(`round ${round}:`)
      console.log(
        `  (c) bare undici + rss-parser:    ${s(floor.seconds)}  (${floor.value} items parsed; ${floor.cpu})`,
      )
      console.log(
        `  (a) runCycle, all changed:       ${s(changed.seconds)}  (${outcomes(c)}; ${c.totals.new} new, ${c.totals.updated} updated, ${c.totals.unchanged} unchanged; ${changed.cpu})`,
      )
      console.log(
        `  (b) runCycle, all 304:           ${s(unchanged.seconds)}  (${outcomes(unchanged.value)})`,
      )
      console.log(
        `  (d) bare undici, all 304:        ${s(floor304.seconds)}  (${floor304.value} not modified)`,
      )
      best.c = Math.min(best.c, floor.seconds)
      best.a = Math.min(best.a, changed.seconds)
      best.b = Math.min(best.b, unchanged.seconds)
      best.d = Math.min(best.d, floor304.seconds)
    }
    return best
  } finally {
    await close()
    await server.close()
  }
}
