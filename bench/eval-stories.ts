/** `tsx bench/eval-stories.ts [--corpus]`: story clustering precision and recall on the labelled set and on news-dev. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { normalizeEntries } from '../src/ingest/normalize.js'
import { decodeBody } from '../src/ingest/parse/decode.js'
import { parseFeed } from '../src/ingest/parse/parse-feed.js'
import type { Item } from '../src/model/types.js'
import {
  evaluateStories,
  type LabelledSet,
  labelledItems,
  type PairScores,
} from '../src/stories/evaluate.js'
import {
  createStoryIndex,
  DEFAULT_ACTOR,
  DEFAULT_CROSS_DAY,
  DEFAULT_EVENT,
  DEFAULT_FOLDED,
  DEFAULT_LATE_MS,
  DEFAULT_MATCH,
  DEFAULT_SUPPORT,
  DEFAULT_THRESHOLD,
  DEFAULT_THRESHOLD_PER_DAY,
  type StoryIndexOptions,
} from '../src/stories/story-index.js'
import {
  NEWS_DEV_DIR,
  type NewsDevItem,
  newsDevPresent,
  replayNewsDev,
  scoreNewsDev,
} from '../tests/helpers/news-dev.js'

const ROOT = resolve(import.meta.dirname, '..')
const LABELLED = join(ROOT, 'tests/fixtures/stories/labelled.json')
const CORPUS = resolve(ROOT, '../shared/corpus/feeds/sample-feeds/real-world')

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`

const line = (name: string, set: LabelledSet, opts: StoryIndexOptions): void => {
  const r = evaluateStories(set, opts)
  console.log(
    `${name.padEnd(34)} precision ${pct(r.precision).padStart(6)}  recall ${pct(r.recall).padStart(6)}  (${r.correctPairs} of ${r.predictedPairs} merged pairs right, ${r.correctPairs} of ${r.truePairs} labelled pairs found)`,
  )
}

const main = async (): Promise<void> => {
  const set = JSON.parse(readFileSync(LABELLED, 'utf8')) as LabelledSet
  const items = labelledItems(set)
  const titles = new Map(items.map((i) => [i.id, i.title]))
  const result = evaluateStories(set)
  console.log(
    `labelled set: ${result.stories} stories, ${result.items} reports, ${result.truePairs} same-story pairs`,
  )
  console.log(
    `defaults: IDF-weighted cosine ≥ ${DEFAULT_THRESHOLD} + ${DEFAULT_THRESHOLD_PER_DAY} per 24 h between reports + ${DEFAULT_CROSS_DAY} across UTC days (or two members of a story at ${DEFAULT_SUPPORT} of that); × ${DEFAULT_EVENT} for two reports of one disaster (kind@place) on one UTC day, whatever their sources, and on the key alone while the disaster is fresh (first reported happening that day or the day before); × ${DEFAULT_MATCH} for two reports of one match (two sides) on one UTC day; × ${DEFAULT_ACTOR} for two headlines of one development (arrest, bail, protests…) of one named person on one UTC day; a report of deaths in the ${DEFAULT_LATE_MS / 3_600_000} h after midnight UTC held to the same-day bar against the day before's (a late copy, no new figure); + ${DEFAULT_FOLDED} when a text is folded from Polish; window 72 h, MinHash/LSH 40 bands × 2 rows`,
  )
  console.log(`\npairwise precision ${pct(result.precision)}  recall ${pct(result.recall)}`)
  console.log(`false merges: ${result.falseMerges.length}`)
  for (const [a, b] of result.falseMerges) console.log(`  ${titles.get(a)}  ≠  ${titles.get(b)}`)
  console.log(`missed pairs: ${result.missed.length}`)
  for (const [a, b] of result.missed) console.log(`  ${a}  ~  ${b}`)

  console.log('\nvariants:')
  line('LSH (default)', set, {})
  line('scan of the window (no LSH)', set, {
    lsh: { bands: 1, rows: 0 },
    maxCandidates: Number.POSITIVE_INFINITY,
  })
  for (const threshold of [0.2, 0.3, 0.35, 0.4]) line(`threshold ${threshold}`, set, { threshold })
  line('no time term (flat threshold)', set, { thresholdPerDay: 0 })
  line('no event keys', set, { event: 1 })

  await newsDev()
  if (process.argv.includes('--corpus')) await corpus()
}

/**
 * news-dev (real news, labelled by an editor; shared corpus) replayed as polls see it: one RSS
 * feed per outlet every 15 minutes through analyseFeed and the runtime's clusterer. Tuned on
 * W1–W3; W4–W5 are reported apart to see whether the tuning holds.
 */
const newsDev = async (): Promise<void> => {
  if (!newsDevPresent()) {
    console.log(`\nnews-dev: not found at ${NEWS_DEV_DIR}`)
    return
  }
  const run = await replayNewsDev()
  const show = (name: string, s: PairScores): void =>
    console.log(
      `  ${name.padEnd(22)} precision ${s.precision.toFixed(3)}  recall ${s.recall.toFixed(3)}  (${s.correctPairs} of ${s.predictedPairs} merged pairs right, of ${s.truePairs} labelled pairs)`,
    )
  console.log(`\nnews-dev: ${run.items.length} reports replayed per outlet feed and poll`)
  show('all', scoreNewsDev(run))
  show('W1–W3 (tuned on)', scoreNewsDev(run, ['W1', 'W2', 'W3']))
  show('W4–W5 (held out)', scoreNewsDev(run, ['W4', 'W5']))
  // Each window alone: a rule read on one window must hold on the others (leave one out).
  for (const w of ['W1', 'W2', 'W3', 'W4', 'W5']) show(`  ${w}`, scoreNewsDev(run, [w]))
  const byStory = new Map<string, NewsDevItem[]>()
  const byCluster = new Map<string, NewsDevItem[]>()
  for (const i of run.items) {
    byStory.set(i.story, [...(byStory.get(i.story) ?? []), i])
    const c = run.predicted.get(i.id)!
    byCluster.set(c, [...(byCluster.get(c) ?? []), i])
  }
  const label = (i: NewsDevItem): string =>
    `${i.id} ${i.published.slice(0, 16)} ${i.outlet.slice(0, 14).padEnd(14)} ${i.title.slice(0, 80)}`
  console.log('\nwrong merges (a predicted story holding several labelled ones):')
  for (const members of byCluster.values()) {
    if (new Set(members.map((i) => i.story)).size < 2) continue
    for (const i of members) console.log(`  ${i.story} ${label(i)}`)
    console.log('')
  }
  console.log('missed pairs (a labelled story split over predicted ones; its parts):')
  for (const [story, members] of byStory) {
    const parts = new Map<string, NewsDevItem[]>()
    for (const i of members) {
      const c = run.predicted.get(i.id)!
      parts.set(c, [...(parts.get(c) ?? []), i])
    }
    if (parts.size < 2) continue
    const missed =
      (members.length * (members.length - 1)) / 2 -
      [...parts.values()].reduce((s, p) => s + (p.length * (p.length - 1)) / 2, 0)
    console.log(
      `  ${story}: ${members.length} reports in ${parts.size} stories, ${missed} pairs missed`,
    )
    for (const part of parts.values()) console.log(`    [${part.length}] ${label(part[0]!)}`)
  }
}

/**
 * Real captures of news feeds (BBC, NYT, FT, Telegraph, Sky, HuffPost, …) from the shared corpus,
 * clustered as if published at once: every merge across two outlets is printed for review. There
 * are no labels; read the pairs.
 */
const corpus = async (): Promise<void> => {
  if (!existsSync(CORPUS)) {
    console.log(`\n(corpus not found at ${CORPUS})`)
    return
  }
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((f) => {
      const p = join(d, f)
      return statSync(p).isDirectory() ? walk(p) : [p]
    })
  const now = new Date('2030-01-01T00:00:00.000Z')
  const items: Item[] = []
  for (const file of walk(CORPUS)) {
    try {
      const feed = await parseFeed(decodeBody(readFileSync(file)).text, 'https://example.org/feed')
      const id = relative(CORPUS, file)
        .replace(/[^a-z0-9]+/gi, '-')
        .toLowerCase()
      const source = {
        id,
        title: id,
        url: 'https://example.org/feed',
        tags: [],
        priority: 0,
        enabled: true,
      }
      for (const item of normalizeEntries(feed, source, now, 'https://example.org/feed')) {
        items.push({ ...item, publishedAt: now.toISOString() })
      }
    } catch {
      // A broken capture says nothing about clustering.
    }
  }
  const out = createStoryIndex().assign(items, now)
  const stories = new Map<string, Item[]>()
  for (const item of out)
    stories.set(item.clusterId, [...(stories.get(item.clusterId) ?? []), item])
  const merged = [...stories.values()].filter((s) => new Set(s.map((i) => i.sourceId)).size > 1)
  console.log(
    `\ncorpus: ${items.length} real-world items; ${merged.length} stories across outlets:`,
  )
  for (const story of merged) {
    for (const i of story) {
      const why = i.clusterReason ? ` [${i.clusterReason.via} ${i.clusterReason.score ?? ''}]` : ''
      console.log(`  ${i.sourceId.slice(0, 28).padEnd(28)} ${i.title.slice(0, 90)}${why}`)
    }
    console.log('')
  }
}

await main()
