/**
 * `npx tsx bench/text-stats.ts [--feeds=N,N…] [--generator=FILE]`: how the text of `npm run bench
 * peers` compares with real news (news-dev, /work/shared/corpus/news-dev) on what topicwire's
 * tokeniser and story index see: words per item, stop-word and capitalised shares, vocabulary
 * growth (Heaps' law) and rank-frequency slope (Zipf), document frequencies of the story keys, and
 * the story index's work per arrival (bucket visits, candidates scored, joins) when the items all
 * fall in one window, as a first run's 50,000 do. `--feeds` lists the generated sizes to measure
 * (feeds of 50 items; default 29 — about news-dev's 1,469 items — and the bench's 1,000, which
 * takes a minute or two); `--generator` reads another module's `feedXml` (e.g. an older
 * peers.bench.ts) to compare two generators.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { analyseFeed } from '../src/ingest/analyse.js'
import type { Item } from '../src/model/types.js'
import { type StoryFeatures, storyFeatures } from '../src/stories/features.js'
import { createStoryIndex } from '../src/stories/story-index.js'
import { contentWords, jaccard } from '../src/stories/text.js'
import { tokenize } from '../src/topics/text.js'
import { CORPUS_DIR } from '../tests/helpers/corpus.js'
import { makeSource } from '../tests/helpers/runtime.js'

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)

const FEED_COUNTS = (arg('feeds') ?? '29,1000').split(',').map(Number)
const GENERATOR = resolve(arg('generator') ?? join(import.meta.dirname, 'peers.bench.ts'))
const NOW = '2026-11-20T12:00:00.000Z'
/** Content words at which vocabulary and rank-frequency are compared (news-dev has 47.7k). */
const EQUAL_TOKENS = 40_000
/** The window a first run of the bench fills: its items span 50 hours. */
const SPAN_MS = 48 * 3_600_000

/** One item of a corpus, as the story index gets it. */
interface Doc {
  title: string
  summary: string
  source: string
  published: number
  story?: string
  features: StoryFeatures
}

const newsDev = (): Doc[] => {
  const dir = join(CORPUS_DIR, 'news-dev')
  const rows = (file: string) =>
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((l) => l.split('\t'))
  const story = new Map(rows('stories.tsv').map(([id, s]) => [id!, s!]))
  return rows('items.tsv')
    .map(([id, outlet, , published, title, summary]) => ({
      title: title!,
      summary: summary ?? '',
      source: outlet!,
      published: Date.parse(published!),
      story: story.get(id!),
      features: storyFeatures(title!, summary ?? ''),
    }))
    .sort((a, b) => a.published - b.published)
}

interface Generator {
  feedXml: (f: number) => string
  /** The story of each item of feed `f` (a generator that models stories exports it). */
  feedStories?: (f: number) => string[]
}

/** Feeds 0…n−1 of the generator, analysed as a poll analyses them (what topicwire stores). */
const generated = async (gen: Generator, n: number): Promise<Doc[]> => {
  const docs: Doc[] = []
  for (let f = 0; f < n; f++) {
    const source = makeSource({ id: `outlet-${f}`, url: `http://127.0.0.2/${f}.xml` })
    const { items, features } = await analyseFeed(
      {
        body: Buffer.from(gen.feedXml(f)),
        source,
        feedUrl: source.url,
        fetchedAt: NOW,
        storyFeatures: true,
      },
      () => [],
    )
    const stories = gen.feedStories?.(f)
    items.forEach((item, i) => {
      docs.push({
        title: item.title,
        summary: item.summary ?? '',
        source: item.sourceId,
        published: Date.parse(item.publishedAt),
        story: stories?.[i],
        features: features![i]!,
      })
    })
  }
  return docs
}

/** Least-squares slope of y on x. */
const slope = (xs: number[], ys: number[]): number => {
  const mx = xs.reduce((s, x) => s + x, 0) / xs.length
  const my = ys.reduce((s, y) => s + y, 0) / ys.length
  let num = 0
  let den = 0
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i]! - my)
    den += (x - mx) ** 2
  })
  return num / den
}

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length)
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`

/** Capitalised words not at a sentence's start, as a share of all words. */
const WORD = /[\p{L}][\p{L}\p{N}'’-]*/gu
const capitalised = (text: string): { words: number; caps: number } => {
  let words = 0
  let caps = 0
  for (const m of text.matchAll(WORD)) {
    words++
    const before = text.slice(Math.max(0, m.index - 2), m.index).trim()
    const initial = before === '' || /[.!?:"“]$/.test(before)
    if (!initial && /^\p{Lu}/u.test(m[0])) caps++
  }
  return { words, caps }
}

const textStats = (docs: Doc[]): Record<string, string> => {
  const raw: number[] = []
  const content: number[] = []
  const keys: number[] = []
  let words = 0
  let caps = 0
  const freq = new Map<string, number>()
  const heapsX: number[] = []
  const heapsY: number[] = []
  let tokens = 0
  let equal: Map<string, number> | undefined
  const checkpoints = new Set([1, 2, 4, 8].map((k) => Math.floor((docs.length * k) / 8)))
  docs.forEach((d, i) => {
    const text = `${d.title}. ${d.summary}`
    raw.push(tokenize(text).length)
    const cw = contentWords(text)
    content.push(cw.length)
    keys.push(d.features.keys.length)
    for (const w of cw) {
      freq.set(w, (freq.get(w) ?? 0) + 1)
      if (++tokens === EQUAL_TOKENS) equal = new Map(freq)
    }
    const c = capitalised(text)
    words += c.words
    caps += c.caps
    if (checkpoints.has(i + 1)) {
      heapsX.push(Math.log(tokens))
      heapsY.push(Math.log(freq.size))
    }
  })
  // Zipf: log frequency against log rank, over ranks 10…1,000 (the head is stop-word-like, the tail hapaxes).
  const ranked = [...(equal ?? freq).values()].sort((a, b) => b - a)
  const zx: number[] = []
  const zy: number[] = []
  for (let r = 10; r <= Math.min(1000, ranked.length); r++) {
    zx.push(Math.log(r))
    zy.push(Math.log(ranked[r - 1]!))
  }
  // Document frequencies of the story keys (what the index counts and signs with).
  const df = new Map<number, number>()
  for (const d of docs) for (const k of d.features.keys) df.set(k, (df.get(k) ?? 0) + 1)
  const n = docs.length
  const over = (share: number) => [...df.values()].filter((v) => v > share * n).length / df.size
  const keyShare = (share: number) =>
    mean(
      docs.map(
        (d) =>
          [...d.features.keys].filter((k) => df.get(k)! > share * n).length /
          d.features.keys.length,
      ),
    )
  const limit = Math.max(50, 0.005 * n)
  const signed = mean(
    docs.map((d) => [...d.features.keys].filter((k) => df.get(k)! <= limit).length),
  )
  return {
    items: String(n),
    'words/item (raw)': mean(raw).toFixed(1),
    'content words/item': mean(content).toFixed(1),
    'stop-word share': pct(1 - mean(content) / mean(raw)),
    'story keys/item': mean(keys).toFixed(1),
    'capitalised mid-sentence': pct(caps / words),
    'distinct content words': String(freq.size),
    [`distinct in the first ${EQUAL_TOKENS / 1000}k content words`]: String(equal?.size ?? '-'),
    "Heaps' β (items N/8…N)": slope(heapsX, heapsY).toFixed(2),
    [`Zipf slope (ranks 10-1000 of the first ${EQUAL_TOKENS / 1000}k)`]: (-slope(zx, zy)).toFixed(
      2,
    ),
    'distinct keys in >1% of items': pct(over(0.01)),
    'distinct keys in >5% of items': pct(over(0.05)),
    "an item's keys in >0.5%": pct(keyShare(0.005)),
    "an item's keys in >1%": pct(keyShare(0.01)),
    "an item's keys in >5%": pct(keyShare(0.05)),
    [`keys/item signed at this size (df ≤ ${limit.toFixed(0)})`]: signed.toFixed(1),
  }
}

/** Jaccard of the story keys of pairs in one story and of random pairs (deterministic sample). */
const storyStats = (docs: Doc[]): Record<string, string> => {
  const labelled = docs.filter((d) => d.story !== undefined)
  if (labelled.length === 0) return {}
  const byStory = new Map<string, Doc[]>()
  for (const d of labelled) byStory.set(d.story!, [...(byStory.get(d.story!) ?? []), d])
  const multi = [...byStory.values()].filter((s) => s.length > 1)
  const inMulti = multi.reduce((s, m) => s + m.length, 0)
  const same: number[] = []
  for (const s of multi)
    for (let i = 0; i < s.length && same.length < 20_000; i++)
      for (let j = i + 1; j < Math.min(s.length, i + 6); j++)
        same.push(jaccard(s[i]!.features.keys, s[j]!.features.keys))
  const other: number[] = []
  let seed = 1
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    return seed / 2 ** 32
  }
  while (other.length < 5000) {
    const a = labelled[Math.floor(rnd() * labelled.length)]!
    const b = labelled[Math.floor(rnd() * labelled.length)]!
    if (a.story !== b.story) other.push(jaccard(a.features.keys, b.features.keys))
  }
  const sources = multi.map((s) => new Set(s.map((d) => d.source)).size)
  return {
    'labelled items': String(labelled.length),
    stories: String(byStory.size),
    'items in multi-item stories': pct(inMulti / labelled.length),
    'multi-item story size (mean / max)': `${(inMulti / Math.max(1, multi.length)).toFixed(1)} / ${Math.max(0, ...multi.map((s) => s.length))}`,
    'outlets per multi-item story': mean(sources).toFixed(1),
    'key Jaccard, same story (mean)': mean(same).toFixed(3),
    'key Jaccard, other stories (mean)': mean(other).toFixed(3),
  }
}

/**
 * The story index over the docs in their order, all in one window (a corpus spread over months
 * is squeezed into 48 hours, its order kept): per arrival, bucket visits (the stats' candidates),
 * candidates scored (similarity computed) and joins, for each quarter of the arrivals.
 */
const indexStats = (docs: Doc[], squeeze: boolean): Record<string, string> => {
  const index = createStoryIndex()
  const now = Date.parse(NOW)
  const out: Record<string, string> = {}
  let last = index.stats()
  let joins = 0
  let lastJoins = 0
  const quarter = Math.ceil(docs.length / 4)
  const batch = 50
  for (let at = 0; at < docs.length; at += batch) {
    const part = docs.slice(at, at + batch)
    const items: Item[] = part.map((d, i) => {
      const published = squeeze ? now - SPAN_MS + ((at + i) / docs.length) * SPAN_MS : d.published
      return {
        id: `d${at + i}`,
        sourceId: d.source,
        title: d.title,
        summary: d.summary,
        url: `https://example.org/${at + i}`,
        publishedAt: new Date(published).toISOString(),
        fetchedAt: NOW,
        clusterId: `d${at + i}`,
      } as Item
    })
    for (const item of index.assign(
      items,
      new Date(now),
      undefined,
      part.map((d) => d.features),
    ))
      if (item.clusterId !== item.id) joins++
    const s = index.stats()
    const done = Math.min(docs.length, at + batch)
    if (done % quarter < batch || done === docs.length) {
      const arrivals = s.assigned - last.assigned
      if (arrivals === 0) continue
      out[`arrivals ≤ ${done} (index ${s.size})`] =
        `${((s.candidates - last.candidates) / arrivals).toFixed(1)} visits, ${((s.scored - last.scored) / arrivals).toFixed(1)} scored, ${pct((joins - lastJoins) / arrivals)} joined`
      last = s
      lastJoins = joins
    }
  }
  return out
}

const show = (title: string, rows: Record<string, string>[]): void => {
  console.log(`\n${title}`)
  for (const r of rows)
    for (const [k, v] of Object.entries(r)) console.log(`  ${k.padEnd(44)} ${v}`)
}

if (!existsSync(join(CORPUS_DIR, 'news-dev', 'items.tsv')))
  throw new Error(`news-dev is missing at ${join(CORPUS_DIR, 'news-dev')} (TOPICWIRE_CORPUS)`)
const dev = newsDev()
show(`news-dev (${dev.length} items, 46 outlets, squeezed into one 48 h window)`, [
  textStats(dev),
  storyStats(dev),
  indexStats(dev, true),
])
const gen = (await import(GENERATOR)) as Generator
for (const feeds of FEED_COUNTS) {
  const docs = await generated(gen, feeds)
  show(`${GENERATOR.split('/').at(-1)}: ${feeds} feeds × 50 items`, [
    textStats(docs),
    storyStats(docs),
    indexStats(docs, false),
  ])
}
