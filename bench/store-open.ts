/**
 * The store benchmark's reader, run in a fresh process (`tsx bench/store-open.ts driver path n`) so
 * its RSS is the store's: open-to-ready, RSS, query latencies, 100 feed renders, one day's
 * retention. Prints one JSON line.
 */
import type { ItemQuery, Source } from '../src/model/types.js'
import { buildFeedDocument } from '../src/publish/feed.js'
import { renderRss } from '../src/publish/rss.js'
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
const timeQueries = async (make: (i: number) => ItemQuery, times = 200) => {
  const ms: number[] = []
  for (let i = 0; i < times; i++) {
    const q = make(i)
    const t = performance.now()
    await store.queryItems(q)
    ms.push(performance.now() - t)
  }
  return { p50: pct(ms, 50), p99: pct(ms, 99) }
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
const queries = {
  latest: await timeQueries(() => ({ limit: 50, clusters: 'collapse' })),
  topic: await timeQueries((i) => ({ limit: 50, clusters: 'collapse', topics: [TOPICS[i % 5]!] })),
  source: await timeQueries((i) => ({
    limit: 50,
    clusters: 'all',
    sources: [sourceId(i % SOURCES)],
  })),
  q: await timeQueries(() => ({
    limit: 50,
    clusters: 'collapse',
    q: { include: [w.vocab[Math.floor(w.random() * 200)]!], exclude: [] },
  })),
  sinceTopic: await timeQueries((i) => ({
    limit: 50,
    clusters: 'collapse',
    topics: [TOPICS[i % 5]!],
    since,
  })),
  deepCursor: await timeQueries(() => ({
    limit: 50,
    clusters: 'collapse',
    ...(deep && { cursor: deep }),
  })),
}

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
console.log(
  JSON.stringify({ openMs, rssOpen, rssFeeds, queries, retentionMs, removed, feedBytes: bytes }),
)
