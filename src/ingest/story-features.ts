/** What the story index keeps of an item (pure): text keys for similarity, facts for the guards. */
import { type StoryFacts, storyFacts } from './story-facts.js'
import { contentWords, keysOf } from './story-text.js'

/** An item's story features. */
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
  const facts = storyFacts(title, summary)
  const words = [...contentWords(title), ...contentWords(summary).slice(0, SUMMARY_WORDS)]
  for (const n of facts.numbers) words.push(`#${n}`)
  return { keys: keysOf(words), facts }
}
