/**
 * `npx tsx bench/main-replay.ts [feeds]`: the main thread's part of the first run of `npm run bench
 * peers`, without the fetches and the worker: each generated feed, analysed as a poll analyses it
 * (story features and word filters), is given its stories by a story index and saved into a new
 * partitioned store, a feed at a time, then the store is flushed and closed. It prints the CPU of
 * the story index, of the saves and of the final flush. Unlike a real import it is deterministic
 * (the feeds come in one order): BENCH_STORE_KEEP=DIR writes the store into DIR, left there, so that
 * two versions' files can be compared (equal but for each partition's `gen` token and its index's
 * stamp of it: mtime and hash). BENCH_REPLAY_CACHE=FILE keeps the analysed items between runs
 * (FILE.1000.words; the analysis is not what is measured).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPartitionedStore } from '../src/store/lowdb/partitioned-store.js'
import { createStoryIndex } from '../src/stories/story-index.js'
import { analysedPeersFeeds, FETCHED_AT } from './peers-analysed.js'

const FEEDS = Number(process.argv[2] ?? 1000)

const batches = await analysedPeersFeeds(FEEDS, { words: true })
const keep = process.env.BENCH_STORE_KEEP
const dir = keep ?? mkdtempSync(join(tmpdir(), 'topicwire-main-replay-'))
if (keep) rmSync(join(keep, 'db'), { recursive: true, force: true })
const s = (us: number) => (us / 1e6).toFixed(2)
const cpuOf = (u: NodeJS.CpuUsage) => u.user + u.system
try {
  const now = new Date(FETCHED_AT)
  const started = performance.now()
  const cpu = process.cpuUsage()
  const index = createStoryIndex()
  const store = await createPartitionedStore({ path: join(dir, 'db.json') })
  let clustering = 0
  for (const [f, { items, features, words = [] }] of batches.entries()) {
    const sourceId = `outlet-${f}`
    const before = process.cpuUsage()
    const clustered = index.assign(items, now, () => undefined, features)
    clustering += cpuOf(process.cpuUsage(before))
    await store.saveIngest({
      sourceId,
      items: clustered,
      state: { sourceId, failures: 0, nextPollAt: '2026-12-05T13:00:00.000Z' },
      wordFilters: new Map(items.map((of, k) => [of.id, { of, filter: words[k] as string }])),
    })
  }
  const saved = cpuOf(process.cpuUsage(cpu))
  const flushStarted = performance.now()
  await store.flush()
  await store.close()
  const all = cpuOf(process.cpuUsage(cpu))
  const total = batches.reduce((n, b) => n + b.items.length, 0)
  console.log(
    `${FEEDS} feeds: ${total} items in ${((performance.now() - started) / 1000).toFixed(2)} s, ${s(all)} CPU-s: ` +
      `stories ${s(clustering)}, saves ${s(saved - clustering)}, final flush ${s(all - saved)} ` +
      `(${((performance.now() - flushStarted) / 1000).toFixed(2)} s); ${index.stats().size} indexed`,
  )
} finally {
  if (keep === undefined) rmSync(dir, { recursive: true, force: true })
}
