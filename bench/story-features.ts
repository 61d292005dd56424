/**
 * `npx tsx bench/story-features.ts [feeds] [rounds]`: storyFeatures alone on the items of the
 * first `feeds` (300) generated feeds of `npm run bench peers` (titles and the summaries the
 * worker gives it, analysed once, untimed), `rounds` (5) times after a warm-up round: CPU ms per
 * 1,000 items of each round and their median, and a digest of the features (to compare two
 * versions' output byte for byte).
 */
import { createHash } from 'node:crypto'
import { analyseFeed, storySummary } from '../src/ingest/analyse.js'
import { storyFeatures } from '../src/stories/features.js'
import { makeSource } from '../tests/helpers/runtime.js'
import { feedXml } from './peers.bench.js'

const FEEDS = Number(process.argv[2] ?? 300)
const ROUNDS = Number(process.argv[3] ?? 5)

const texts: [string, string][] = []
for (let f = 0; f < FEEDS; f++) {
  const source = makeSource({ id: `outlet-${f}`, url: `http://127.0.0.2/${f}.xml` })
  const analysed = await analyseFeed(
    {
      body: Buffer.from(feedXml(f)),
      source,
      feedUrl: source.url,
      fetchedAt: '2026-12-05T12:00:00.000Z',
      keepCutSummaries: true,
    },
    () => [],
  )
  for (const item of analysed.items) texts.push([item.title, storySummary(item)])
}

const digest = createHash('sha256')
const replacer = (_: string, v: unknown): unknown =>
  ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v
const perRound: number[] = []
for (let r = 0; r <= ROUNDS; r++) {
  const cpu = process.cpuUsage()
  let sink = 0
  for (const [title, summary] of texts) {
    const f = storyFeatures(title, summary)
    sink += f.keys.length
    if (r === 0) digest.update(`${JSON.stringify(f, replacer)}\n`)
  }
  const d = process.cpuUsage(cpu)
  if (r > 0) perRound.push(((d.user + d.system) / 1000 / texts.length) * 1000)
  if (sink < 0) console.log(sink)
}
const sorted = [...perRound].sort((a, b) => a - b)
console.log(
  `items=${texts.length} cpu_ms_per_1000=${perRound.map((x) => x.toFixed(1)).join(' ')} median=${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} digest=${digest.digest('hex').slice(0, 16)}`,
)
