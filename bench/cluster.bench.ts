/** Story clustering throughput: new arrivals per second with 1,000 / 10,000 / 100,000 items in the window. */

import type { Item } from '../src/model/types.js'
import { createStoryIndex, type StoryIndexOptions } from '../src/stories/story-index.js'
import { mulberry32 as rng } from '../tests/helpers/random.js'

const HOUR = 3_600_000
const NOW = Date.parse('2026-03-10T12:00:00.000Z')
const SIZES = [1_000, 10_000, 100_000]
const ARRIVALS = 2_000
const SOURCES = 24

const SYLLABLES = 'ka ri to ma shen lo ve dar kun bal ti pra zo hel gan mu sor fi ne qa'.split(' ')

/** Pronounceable made-up words: a shared news vocabulary where a few words are very common (Zipf). */
const vocabulary = (n: number, random: () => number): string[] =>
  Array.from({ length: n }, () => {
    const k = 2 + Math.floor(random() * 3)
    return Array.from({ length: k }, () => SYLLABLES[Math.floor(random() * SYLLABLES.length)]).join(
      '',
    )
  })

interface World {
  random: () => number
  common: string[]
  /** Zipf-like pick from the common vocabulary. */
  word(): string
}

const world = (seed: number): World => {
  const random = rng(seed)
  const common = vocabulary(20_000, random)
  return {
    random,
    common,
    word: () => common[Math.floor(common.length * random() ** 3)]!,
  }
}

/** One event: its own words, a figure and a place, reported by a few outlets in their words. */
const story = (w: World, n: number) => {
  const own = Array.from({ length: 8 }, () => w.common[Math.floor(w.random() * w.common.length)]!)
  const figure = 10 + Math.floor(w.random() * 5000)
  const at = NOW - Math.floor(w.random() * 70 * HOUR)
  const sources = new Set<number>()
  while (sources.size < n) sources.add(Math.floor(w.random() * SOURCES))
  return [...sources].map((s, k): Item => {
    const pick = (m: number, extra: number) =>
      [
        ...own.filter(() => w.random() < 0.75).slice(0, m),
        ...Array.from({ length: extra }, () => w.word()),
      ].sort(() => w.random() - 0.5)
    const id = `${at}-${own[0]}-${s}-${k}`
    const title = `${pick(5, 3).join(' ')} ${figure}`
    return {
      id,
      sourceId: `source-${s}`,
      url: `https://source-${s}.example/news/${id}`,
      canonicalUrl: `https://source-${s}.example/news/${id}`,
      title,
      summary: `${pick(8, 14).join(' ')}.`,
      categories: [],
      enclosures: [],
      publishedAt: new Date(at + k * 20 * 60_000).toISOString(),
      fetchedAt: new Date(at + k * 20 * 60_000 + 5 * 60_000).toISOString(),
      contentHash: id,
      topics: [],
      clusterId: id,
    }
  })
}

const items = (w: World, count: number): Item[] => {
  const out: Item[] = []
  while (out.length < count) out.push(...story(w, 1 + Math.floor(w.random() * 4)))
  return out.slice(0, count)
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')

interface Row {
  size: number
  seedMs: number
  perSecond: number
  candidates: number
  joined: number
}

/**
 * Seeds an index with `size` stored items (72 h of news), then times `arrivals` new items in
 * batches of 25, as polls bring them: half are late copies of stored stories (other outlets'
 * wording: the title's words in another order), half are new events.
 */
const measure = (size: number, arrivals: number, opts: StoryIndexOptions = {}): Row => {
  const w = world(size)
  const stored = items(w, size)
  const index = createStoryIndex(opts)
  let t = performance.now()
  for (const item of stored) index.add(item)
  const seedMs = performance.now() - t
  const copies = Array.from({ length: arrivals / 2 }, (_, i): Item => {
    const base = stored[Math.floor(w.random() * stored.length)]!
    const { url: _u, canonicalUrl: _c, ...rest } = base
    return {
      ...rest,
      id: `copy-${i}`,
      sourceId: `late-${i % 7}`,
      title: base.title.split(' ').reverse().join(' '),
      clusterId: `copy-${i}`,
    }
  })
  const fresh = items(world(size + 1), arrivals / 2).map((it) => ({
    ...it,
    publishedAt: new Date(NOW - HOUR).toISOString(),
  }))
  const batch = [...copies, ...fresh]
  const before = index.stats().candidates
  let joined = 0
  t = performance.now()
  for (let i = 0; i < batch.length; i += 25) {
    for (const out of index.assign(batch.slice(i, i + 25), new Date(NOW))) {
      if (out.clusterReason) joined++
    }
  }
  const seconds = (performance.now() - t) / 1000
  return {
    size,
    seedMs,
    perSecond: batch.length / seconds,
    candidates: (index.stats().candidates - before) / batch.length,
    joined,
  }
}

const table = (title: string, rows: readonly Row[]): void => {
  console.log(title)
  console.log('  stored items | seed (ms) | arrivals/s | candidates/arrival | joined a story')
  for (const r of rows) {
    console.log(
      `  ${fmt(r.size).padStart(12)} | ${fmt(r.seedMs).padStart(9)} | ${fmt(r.perSecond).padStart(10)} | ${r.candidates.toFixed(1).padStart(18)} | ${r.joined}`,
    )
  }
  const first = rows[0]!
  const last = rows[rows.length - 1]!
  console.log(
    `  store ×${last.size / first.size}: throughput ×${(last.perSecond / first.perSecond).toFixed(2)} (work growing linearly with the store would give ×${(first.size / last.size).toFixed(2)})`,
  )
}

/** Prints the throughput tables; ratios compare sizes measured in this one run. */
export const run = async (): Promise<void> => {
  measure(SIZES[0]!, ARRIVALS) // warm-up: the first size must not pay for the JIT
  table(
    `MinHash/LSH index (40 bands × 2 rows), ${ARRIVALS} arrivals per size:`,
    SIZES.map((size) => measure(size, ARRIVALS)),
  )
  // The same work without an index (every item one bucket): what LSH saves.
  table(
    'For comparison, a scan of the window (one bucket), 400 arrivals per size:',
    SIZES.slice(0, 2).map((size) =>
      measure(size, 400, { lsh: { bands: 1, rows: 0 }, maxCandidates: Number.POSITIVE_INFINITY }),
    ),
  )
}
