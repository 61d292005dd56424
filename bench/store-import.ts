/**
 * `npx tsx bench/store-import.ts [feeds]`: the lowdb store alone on the first run of `npm run bench
 * peers` (its generated feeds, analysed as a poll analyses them, saved a feed at a time into a new
 * partitioned store, then flushed and closed), with the CPU it took, the flushes the saves started
 * and the documents written. BENCH_REPLAY_CACHE=FILE keeps the analysed items between runs (the
 * same file as bench/cluster-replay.ts; the analysis is not what is measured). BENCH_STORE_KEEP=DIR
 * writes the store into DIR (left there, to compare two versions' files) instead of a folder removed after.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPartitionedStore } from '../src/store/lowdb/partitioned-store.js'
import { analysedPeersFeeds } from './peers-analysed.js'

const FEEDS = Number(process.argv[2] ?? 1000)

const batches = await analysedPeersFeeds(FEEDS)
const keep = process.env.BENCH_STORE_KEEP
const dir = keep ?? mkdtempSync(join(tmpdir(), 'topicwire-store-import-'))
try {
  const started = performance.now()
  const cpu = process.cpuUsage()
  const store = await createPartitionedStore({ path: join(dir, 'db.json') })
  let flushes = 0
  for (const [f, { items }] of batches.entries()) {
    const sourceId = `outlet-${f}`
    const before = store.writeCount()
    await store.saveIngest({
      sourceId,
      items,
      state: { sourceId, failures: 0, nextPollAt: '2026-12-05T13:00:00.000Z' },
    })
    if (store.writeCount() > before) flushes++
  }
  const saves = process.cpuUsage(cpu)
  const flushStarted = performance.now()
  await store.flush()
  const flushWall = performance.now() - flushStarted
  const flushCpu = process.cpuUsage(cpu)
  const written = store.writeCount()
  await store.close()
  const all = process.cpuUsage(cpu)
  const s = (u: { user: number; system: number }) => ((u.user + u.system) / 1e6).toFixed(2)
  const flushS = ((flushCpu.user + flushCpu.system - saves.user - saves.system) / 1e6).toFixed(2)
  console.log(
    `${FEEDS} feeds: ${batches.reduce((n, b) => n + b.items.length, 0)} items saved and written in ${((performance.now() - started) / 1000).toFixed(2)} s, ` +
      `${s(all)} CPU-s (the saves ${s(saves)}, the final flush ${flushS} in ${(flushWall / 1000).toFixed(2)} s), ${flushes} flush(es) started by the saves, ${written} documents written`,
  )
} finally {
  if (keep === undefined) rmSync(dir, { recursive: true, force: true })
}
