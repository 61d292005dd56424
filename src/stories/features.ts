/** What the story index keeps of an item (pure): text keys for similarity, facts for the guards. */
import { compactFacts, readStory, type StoryFacts } from './facts.js'
import { fnv1a, sortedUnique } from './text.js'

/** An item's story features: what the story index keeps of it (stories/features.ts). */
export interface StoryFeatures {
  /** Sorted unique hashes of the content words of title + summary lede, and of its figures (`#100000`). */
  keys: Uint32Array
  facts: StoryFacts
}

/** Content words of a summary that count: its lede. Longer summaries would dilute the similarity. */
export const SUMMARY_WORDS = 40

/**
 * The features of one item's title and summary (pure).
 * @example storyFeatures('Torkham reopens', 'Trade resumed on Sunday.').keys.length // 4
 */
export const storyFeatures = (title: string, summary = ''): StoryFeatures => {
  // One normalisation of each text serves the facts and the words.
  const { facts, titleKeys, summaryKeys } = readStory(title, summary)
  const keys = [...titleKeys, ...summaryKeys.slice(0, SUMMARY_WORDS)]
  for (const n of facts.numbers) keys.push(fnv1a(`#${n}`))
  return { keys: sortedUnique(Uint32Array.from(keys)), facts }
}

/**
 * Features that crossed from a worker thread, with the empty lists and maps shared again (a
 * structured clone gives each item its own), as storyFacts returns them.
 */
export const compactFeatures = (f: StoryFeatures): StoryFeatures => ({
  keys: f.keys,
  facts: compactFacts(f.facts),
})
