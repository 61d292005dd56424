/** Measures story clustering on a labelled set (pure): pairwise precision and recall. */
import type { Item } from '../model/types.js'
import { canonicalUrl } from '../util/url.js'
import { createStoryIndex, type StoryIndexOptions } from './story-index.js'

/** A labelled set as tests/fixtures/stories/labelled.json writes it. */
export interface LabelledSet {
  sources: Record<string, { title: string; priority: number }>
  stories: LabelledStory[]
}

/** One event and every report of it. */
export interface LabelledStory {
  id: string
  note?: string
  items: { source: string; at: string; url?: string; title: string; summary?: string }[]
}

/** Pairwise scores: a pair is two items; it is "predicted" when both got one clusterId. */
export interface PairScores {
  precision: number
  recall: number
  /** Pairs in the same labelled story. */
  truePairs: number
  /** Pairs given the same clusterId. */
  predictedPairs: number
  /** Pairs both labelled and predicted together. */
  correctPairs: number
}

/** A labelled run: the scores, and the pairs it got wrong (ids are `story/source`). */
export interface StoryEvaluation extends PairScores {
  stories: number
  items: number
  /** Predicted together but labelled apart: the costly mistakes. */
  falseMerges: [string, string][]
  /** Labelled together but predicted apart. */
  missed: [string, string][]
}

/** How long after publication the evaluation pretends each item was fetched. */
const FETCH_DELAY_MS = 5 * 60_000

const pairs = (n: number): number => (n * (n - 1)) / 2

const countBy = (keys: Iterable<string>): Map<string, number> => {
  const m = new Map<string, number>()
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1)
  return m
}

/**
 * Pairwise precision and recall of a predicted clustering against labels (pure, linear).
 * Precision is 1 when nothing was merged; recall is 1 when no pair was labelled.
 * @param gold item id → labelled story
 * @param predicted item id → clusterId (every id of `gold`)
 */
export const pairwiseScores = (
  gold: ReadonlyMap<string, string>,
  predicted: ReadonlyMap<string, string>,
): PairScores => {
  const ids = [...gold.keys()]
  const sum = (m: Map<string, number>): number => [...m.values()].reduce((s, n) => s + pairs(n), 0)
  const truePairs = sum(countBy(ids.map((id) => gold.get(id)!)))
  const predictedPairs = sum(countBy(ids.map((id) => predicted.get(id) ?? `\u0000${id}`)))
  const correctPairs = sum(
    countBy(ids.map((id) => `${gold.get(id)}\u0000${predicted.get(id) ?? `\u0000${id}`}`)),
  )
  return {
    precision: predictedPairs === 0 ? 1 : correctPairs / predictedPairs,
    recall: truePairs === 0 ? 1 : correctPairs / truePairs,
    truePairs,
    predictedPairs,
    correctPairs,
  }
}

/** The labelled reports as complete Items (id `story/source`), oldest first. */
export const labelledItems = (set: LabelledSet): Item[] =>
  set.stories
    .flatMap((story) =>
      story.items.map((r): Item => {
        const id = `${story.id}/${r.source}`
        const published = new Date(r.at)
        return {
          id,
          sourceId: r.source,
          ...(r.url ? { url: r.url, canonicalUrl: canonicalUrl(r.url) } : {}),
          title: r.title,
          ...(r.summary ? { summary: r.summary } : {}),
          categories: [],
          enclosures: [],
          publishedAt: published.toISOString(),
          fetchedAt: new Date(published.getTime() + FETCH_DELAY_MS).toISOString(),
          contentHash: id,
          topics: [],
          clusterId: id,
        }
      }),
    )
    .sort((a, b) => a.fetchedAt.localeCompare(b.fetchedAt) || a.id.localeCompare(b.id))

/**
 * Feeds the labelled reports, oldest first, one at a time, through a fresh StoryIndex (as polls
 * would: `now` = fetch time) and scores the stories it made (pure).
 * `opts.lsh = { bands: 1, rows: 0 }` puts every item in one bucket: a scan, to measure what LSH
 * candidate generation loses.
 */
export const evaluateStories = (
  set: LabelledSet,
  opts: StoryIndexOptions = {},
): StoryEvaluation => {
  const index = createStoryIndex(opts)
  const items = labelledItems(set)
  const gold = new Map<string, string>()
  for (const story of set.stories)
    for (const r of story.items) gold.set(`${story.id}/${r.source}`, story.id)
  const predicted = new Map<string, string>()
  for (const item of items) {
    const [out] = index.assign([item], new Date(item.fetchedAt))
    predicted.set(item.id, out!.clusterId)
  }
  const falseMerges: [string, string][] = []
  const missed: [string, string][] = []
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const a = items[i]!.id
      const b = items[j]!.id
      const labelled = gold.get(a) === gold.get(b)
      const merged = predicted.get(a) === predicted.get(b)
      if (merged && !labelled) falseMerges.push([a, b])
      if (labelled && !merged) missed.push([a, b])
    }
  }
  return {
    ...pairwiseScores(gold, predicted),
    stories: set.stories.length,
    items: items.length,
    falseMerges,
    missed,
  }
}
