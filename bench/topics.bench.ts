/**
 * Tagging speed: items/s and µs per item for 1, 10, 50 (and 200) topics of ~100 terms each on
 * ~2 KB news items, then 50 topics on items from 0.5 to 32 KB. The cost should follow the text
 * length (µs per KB roughly flat) and barely move with the number of terms.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { loadConfig } from '../src/config/load.js'
import type { MatchNode, Topic, Verdict } from '../src/model/types.js'
import { MATCH_FIELDS } from '../src/model/types.js'
import { compileTopics } from '../src/topics/compile.js'
import { readItemLabelSet } from '../src/topics/item-label-set.js'
import { RETRAIN_EVERY } from '../src/topics/learn-history.js'
import { createLearner, type LearnTopics, learnHere } from '../src/topics/learner.js'
import type { MatchableItem } from '../src/topics/prepare.js'
import { tagItem } from '../src/topics/tag.js'
import { mulberry32 as rng } from '../tests/helpers/random.js'
import { NEWS_DEV_OUTLET_TAGS } from './news-dev.js'

const random = rng(42)
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T

// Filler text draws from 6,000 made-up words with a Zipf-like skew (a few very common, most
// rare), as news text does. Topic terms come from a separate pool of 30,000 names, so an item
// carries a topic's terms only when it is about that topic (or by a rare stray mention).
const SYLLABLES = ['ka', 'bul', 'tor', 'kham', 'pa', 'kis', 'tan', 'af', 'gha', 'ni', 'ro', 'de']
const coin = (parts: number) =>
  Array.from({ length: parts }, () => pick(SYLLABLES)).join('') + pick(['', 'i', 'an', 'ur'])
const REAL = ['the', 'of', 'and', 'to', 'in', 'a', 'said', 'on', 'for', 'with', 'officials']
const VOCAB = [
  ...REAL,
  ...new Set(Array.from({ length: 6000 }, () => coin(2 + Math.floor(random() * 2)))),
]
const NAMES = [...new Set(Array.from({ length: 40_000 }, () => `${coin(3)}${coin(2)}`))].slice(
  0,
  30_000,
)
const word = (): string => VOCAB[Math.floor(VOCAB.length * random() ** 3)] ?? 'the'
const words = (n: number) => Array.from({ length: n }, word).join(' ')

/** ~100 terms: two lists that must both match, 30 phrases, 5 near pairs, 5 excluding words. */
interface TopicTerms {
  a: string[]
  b: string[]
  phrases: string[]
  near: [string, string][]
  none: string[]
}
const MAX_TOPICS = 200
const TERMS: TopicTerms[] = Array.from({ length: MAX_TOPICS }, (_, i) => {
  const names = NAMES.slice(i * 150, (i + 1) * 150)
  const at = (k: number) => names[k] ?? 'x'
  return {
    a: names.slice(0, 30),
    b: names.slice(30, 60),
    phrases: Array.from({ length: 30 }, (_, k) => `${at(60 + k)} ${word()}`),
    near: Array.from({ length: 5 }, (_, k): [string, string] => [at(90 + 2 * k), at(91 + 2 * k)]),
    none: names.slice(100, 105),
  }
})

const makeTopic = (i: number, regex: boolean): Topic => {
  const t = TERMS[i] as TopicTerms
  const anyOf: MatchNode[] = [
    { all: [{ any: t.a }, { any: t.b }] },
    { any: t.phrases },
    ...t.near.map((pair) => ({ near: pair, within: 10 })),
  ]
  if (regex) anyOf.push(`/${t.a[0]}\\s+${t.b[0]}/i`)
  return {
    id: `topic-${i}`,
    title: `Topic ${i}`,
    match: { any: anyOf, none: t.none },
    in: [...MATCH_FIELDS],
  }
}

/** Filler with, for each topic the item is about, a few of its terms; plus one stray name. */
const topicalWords = (): string[] => {
  const about = Array.from({ length: Math.floor(random() * 3) }, () =>
    Math.floor(random() * MAX_TOPICS),
  )
  const out = [pick(NAMES)]
  for (const i of about) {
    const t = TERMS[i] as TopicTerms
    out.push(pick(t.a), pick(t.b), pick(t.phrases), pick(t.a))
  }
  return out
}

const makeItem = (contentBytes: number): MatchableItem => {
  const paragraphs: string[] = []
  let size = 0
  const sprinkle = topicalWords()
  while (size < contentBytes) {
    const extra = sprinkle.length > 0 && random() < 0.5 ? ` ${sprinkle.pop()} ` : ' '
    const p = `<p>${words(20)}${extra}${words(20)}.</p>`
    paragraphs.push(p)
    size += p.length
  }
  return {
    title: `${words(6)} ${sprinkle.pop() ?? word()} ${words(3)}`,
    summary: `${words(30)}.`,
    contentHtml: paragraphs.join('\n'),
    categories: [word(), word()],
  }
}

/** Tags the items round-robin for about `ms` milliseconds (after a warm-up); µs per item. */
const measure = (tag: (item: MatchableItem) => string[], items: MatchableItem[], ms: number) => {
  for (let i = 0; i < 200; i++) tag(items[i % items.length] as MatchableItem)
  let n = 0
  let tagged = 0
  const start = performance.now()
  let elapsed = 0
  while (elapsed < ms) {
    for (let i = 0; i < 50; i++, n++) tagged += tag(items[n % items.length] as MatchableItem).length
    elapsed = performance.now() - start
  }
  return {
    usPerItem: (elapsed * 1000) / n,
    itemsPerSecond: (n * 1000) / elapsed,
    tagged: tagged / n,
  }
}

/** The faster of two runs: the other one met a garbage collection or a busy core. */
const best = (f: () => ReturnType<typeof measure>) => {
  const [a, b] = [f(), f()]
  return a.usPerItem <= b.usPerItem ? a : b
}

const fmt = (x: number, digits = 1) => x.toFixed(digits).padStart(9)

export const run = async (): Promise<void> => {
  const items2k = Array.from({ length: 400 }, () => makeItem(2048))
  // warm the JIT on every code path once, so the first row is not paying for it
  const warm = compileTopics(Array.from({ length: 50 }, (_, i) => makeTopic(i, true)))
  measure((item) => tagItem(item, warm, []), items2k, 1000)
  const avgBytes =
    items2k.reduce((s, i) => s + (i.contentHtml?.length ?? 0) + i.title.length, 0) / items2k.length
  console.log(`items: ~${(avgBytes / 1024).toFixed(1)} KB of title + HTML content each`)
  console.log('\ntopics  terms   compile ms   items/s    µs/item   topics/item')
  const results = new Map<number, number>()
  for (const [count, regex] of [
    [1, false],
    [10, false],
    [50, false],
    [200, false],
    [50, true],
  ] as const) {
    const topics = Array.from({ length: count }, (_, i) => makeTopic(i, regex))
    const t0 = performance.now()
    const compiled = compileTopics(topics)
    const compileMs = performance.now() - t0
    const terms = [...compiled.topics.values()].reduce((s, t) => s + t.leaves.length, 0)
    const r = best(() => measure((item) => tagItem(item, compiled, []), items2k, 700))
    if (!regex) results.set(count, r.usPerItem)
    const size = `${String(count).padStart(6)}${String(terms).padStart(7)}${fmt(compileMs)}`
    const speed = `${fmt(r.itemsPerSecond, 0)} ${fmt(r.usPerItem)}  ${fmt(r.tagged, 2)}`
    console.log(`${size}   ${speed}${regex ? '   (+1 regex per topic)' : ''}`)
  }
  const one = results.get(1) ?? 1
  const fifty = results.get(50) ?? 1
  console.log(
    `\n50 topics (~5,000 terms) cost ${(fifty / one).toFixed(2)}× one topic (~100 terms): ` +
      `${(fifty / 1000).toFixed(3)} ms per item`,
  )

  console.log('\n50 topics, growing text:')
  console.log('    KB    µs/item   µs per extra KB')
  const fifty50 = compileTopics(Array.from({ length: 50 }, (_, i) => makeTopic(i, false)))
  let prev: { kb: number; us: number } | undefined
  const slopes: number[] = []
  for (const kb of [0.5, 2, 8, 32]) {
    const items = Array.from({ length: kb >= 8 ? 60 : 200 }, () => makeItem(kb * 1024))
    const r = best(() => measure((item) => tagItem(item, fifty50, []), items, 600))
    const slope = prev ? (r.usPerItem - prev.us) / (kb - prev.kb) : undefined
    if (slope !== undefined) slopes.push(slope)
    console.log(`${fmt(kb)}${fmt(r.usPerItem)}   ${slope === undefined ? '' : fmt(slope)}`)
    prev = { kb, us: r.usPerItem }
  }
  const [first = 1, , last = 1] = slopes
  const ratio = (last / first).toFixed(2)
  console.log(`an extra KB costs ${ratio}× as much at 8–32 KB as at 0.5–2 KB (1.0 = linear)`)

  const shipped = await loadConfig(resolve(import.meta.dirname, '../config/topicwire.yaml'), {})
  const compiledShipped = compileTopics(shipped.topics)
  const r = best(() => measure((item) => tagItem(item, compiledShipped, []), items2k, 700))
  const perItem = `${r.itemsPerSecond.toFixed(0)} items/s, ${r.usPerItem.toFixed(1)} µs per item`
  console.log(`\nshipped rules (${shipped.topics.length} topics) on ~2 KB items: ${perItem}`)

  await retraining(shipped.topics)
}

/** The news-dev items as verdicts (read in place; made-up headlines when the corpus is absent). */
const verdictsFor = (topicId: string, n: number): Verdict[] => {
  const dir = resolve(import.meta.dirname, '../../shared/corpus/news-dev')
  const rows = existsSync(join(dir, 'tagging.tsv'))
    ? readItemLabelSet(
        readFileSync(join(dir, 'items.tsv'), 'utf8'),
        readFileSync(join(dir, 'tagging.tsv'), 'utf8'),
        topicId,
        NEWS_DEV_OUTLET_TAGS,
        dir,
      ).map((r) => ({ title: r.title, summary: r.summary, in: r.topics.length > 0 }))
    : Array.from({ length: n }, (_, i) => ({
        title: words(10),
        summary: words(40),
        in: i % 16 === 0,
      }))
  return rows.slice(0, n).map((r, i) => ({
    topicId,
    itemId: `v${i}`,
    in: r.in,
    // one a second, in the set's order: a reader's stream of verdicts
    at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    title: r.title,
    summary: r.summary,
  }))
}

/**
 * A reader's verdict updates the topic's model: how long until the new model is there, and the
 * longest the thread that serves readers is held meanwhile, on this thread and on the learner's
 * worker thread; a full retrain (a cold start, or every RETRAIN_EVERY verdicts) against the
 * incremental step the other verdicts cost (learn-history.ts), best of three each.
 */
export const retraining = async (topics: Topic[]) => {
  const topic = topics.find((t) => t.model)
  if (!topic) return
  const verdicts = verdictsFor(topic.id, 1300)
  const learner = createLearner()
  await learner.learn([topic], verdicts.slice(0, 10)) // the worker is up (started once per serve)
  let run = 0
  /** The verdicts with the oldest given again: nothing learned before holds, a full retrain. */
  const cold = () => {
    run++
    const [first, ...rest] = verdicts
    return [{ ...(first as Verdict), title: `${first?.title} ${run}` }, ...rest]
  }
  const once = async (learn: LearnTopics, incremental: boolean) => {
    const history = cold()
    // incremental: the learner has learned all but the newest verdict (an earlier feedback)
    if (incremental) await learn([topic], history.slice(0, -1), { only: new Set([topic.id]) })
    // the longest gap between the turns of a 1 ms timer: how long a reader's request would wait
    let last = performance.now()
    let stallMs = 0
    let on = true
    const tick = () => {
      const now = performance.now()
      stallMs = Math.max(stallMs, now - last)
      last = now
      if (on) setTimeout(tick, 1)
    }
    setTimeout(tick, 1)
    await new Promise((r) => setTimeout(r, 5))
    stallMs = 0
    const t0 = performance.now()
    await learn([topic], history, { only: new Set([topic.id]) })
    const ms = performance.now() - t0
    await new Promise((r) => setTimeout(r, 5))
    on = false
    return { ms, stallMs }
  }
  console.log(
    `\nlearning ${topic.id}'s ${verdicts.length}th verdict (verdict → new model; a full retrain every ${RETRAIN_EVERY}):`,
  )
  console.log('                                     ms to model   longest main-thread stall ms')
  for (const [name, learn] of [
    ['on the main thread', learnHere],
    ['on the learner worker', learner.learn],
  ] as const) {
    for (const incremental of [false, true]) {
      const runs = [
        await once(learn, incremental),
        await once(learn, incremental),
        await once(learn, incremental),
      ]
      const ms = Math.min(...runs.map((r) => r.ms))
      const stallMs = Math.min(...runs.map((r) => r.stallMs))
      const label = `${name}, ${incremental ? 'incremental' : 'full retrain'}`
      console.log(`${label.padEnd(36)}${fmt(ms)}     ${fmt(stallMs)}`)
    }
  }
  await learner.close()
}
