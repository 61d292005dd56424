/**
 * `npx tsx bench/cluster-replay.ts [feeds]`: the story index alone on the first run of `npm run bench
 * peers` (its generated feeds, analysed as a poll analyses them, assigned a feed at a time), timed,
 * with the story index's counters and a digest of the clusters (to compare two versions' results),
 * then the CPU time and counters of each fifth of the arrivals (the index grows as they come).
 * BENCH_REPLAY_CACHE=FILE keeps the analysed items between runs (the analysis is not what is timed).
 */
import { createHash } from 'node:crypto'
import { createStoryIndex } from '../src/stories/story-index.js'
import { analysedPeersFeeds, FETCHED_AT } from './peers-analysed.js'

const FEEDS = Number(process.argv[2] ?? 1000)

const batches = await analysedPeersFeeds(FEEDS)
const index = createStoryIndex()
const now = new Date(FETCHED_AT)
const digest = createHash('sha256')
let joined = 0
const total = batches.reduce((n, b) => n + b.items.length, 0)
const fifths: string[] = []
let fifth = { cpu: process.cpuUsage(), candidates: 0, scored: 0, assigned: 0 }
const started = performance.now()
const cpu = process.cpuUsage()
for (const { items, features } of batches) {
  for (const item of index.assign(items, now, undefined, features)) {
    digest.update(`${item.id} ${item.clusterId}\n`)
    if (item.clusterId !== item.id) joined++
  }
  const s = index.stats()
  if (s.assigned - fifth.assigned >= total / 5 || s.assigned === total) {
    const { user, system } = process.cpuUsage(fifth.cpu)
    const n = s.assigned - fifth.assigned
    fifths.push(
      `${((user + system) / n).toFixed(0)} µs, ${((s.candidates - fifth.candidates) / n).toFixed(1)}/${((s.scored - fifth.scored) / n).toFixed(1)}`,
    )
    fifth = { cpu: process.cpuUsage(), ...s }
  }
}
const ms = performance.now() - started
const { user, system } = process.cpuUsage(cpu)
const stats = index.stats()
console.log(
  `${FEEDS} feeds: ${stats.assigned} arrivals in ${(ms / 1000).toFixed(2)} s (${((user + system) / 1e6).toFixed(2)} CPU-s), ` +
    `${(stats.candidates / stats.assigned).toFixed(1)} candidates visited and ${(stats.scored / stats.assigned).toFixed(1)} scored per arrival, ${joined} joined a story; ` +
    `clusters ${digest.digest('hex').slice(0, 16)}`,
)
console.log(`per arrival by fifth (CPU, visited/scored): ${fifths.join(' | ')}`)
