/** The version of src/stories/features.ts before its keys were sorted in a scratch array (session 30): the reference of tests/stories/facts-reference.test.ts. */
/** What the story index keeps of an item (pure): text keys for similarity, facts for the guards. */

import { fnv1a, sortedUnique } from '../../../src/stories/text.js'
import { compactFacts, readStory, type StoryFacts } from './facts-before.js'

/** An item's story features: what the story index keeps of it (stories/features.ts). */
export interface StoryFeatures {
  /** Sorted unique hashes of the content words of title + summary lede, and of its figures (`#100000`). */
  keys: Uint32Array
  facts: StoryFacts
  /**
   * Sorted unique event keys: an event kind its headline names at a place it names (facts.ts
   * eventKeys), for the reports of one major event that share few words.
   */
  events: Uint32Array
}

/** Content words of a summary that count: its lede. Longer summaries would dilute the similarity. */
export const SUMMARY_WORDS = 40

/** Mixed into a headline word's key to make its second key. */
const TITLE_SALT = 0x5bd1e995

/**
 * Headlines of pieces that explain, look back or argue rather than report a development: an
 * explainer of an arrest is not a report of it, however many words they share.
 */
const BACKGROUND_PIECE =
  /^(?:who|what|why|how|where|when|timeline|explainer|analysis|opinion|comment|editorial)\b|\b(?:explained|explainer|timeline|what we know|what to know|what you need to know|why it matters)\b|\?\s*$/i

/** A key no word hashes to in practice: the mark of a background piece (see story-index.ts). */
export const BACKGROUND_KEY = fnv1a('\u0000background-piece')

/** Whether a headline is that of an explainer, timeline, analysis or opinion. */
export const isBackgroundPiece = (title: string): boolean => BACKGROUND_PIECE.test(title)

/**
 * The features of one item's title and summary (pure).
 * @example storyFeatures('Torkham reopens', 'Trade resumed on Sunday.').keys.length // 4
 */
export const storyFeatures = (title: string, summary = ''): StoryFeatures => {
  // One normalisation of each text serves the facts and the words.
  const { facts, titleKeys, summaryKeys, events } = readStory(title, summary, SUMMARY_WORDS)
  const lede = Math.min(summaryKeys.length, SUMMARY_WORDS)
  const background = isBackgroundPiece(title)
  // Written straight into the array sortedUnique sorts: no list of numbers built and copied first.
  const keys = new Uint32Array(
    2 * titleKeys.length + lede + facts.numbers.length + (background ? 1 : 0),
  )
  let at = 0
  for (const k of titleKeys) keys[at++] = k
  for (let i = 0; i < lede; i++) keys[at++] = summaryKeys[i] as number
  // A headline word counts twice (a second key): the headline says what happened.
  for (const k of titleKeys) keys[at++] = Math.imul(k ^ TITLE_SALT, 0x01000193) >>> 0
  for (const n of facts.numbers) keys[at++] = fnv1a(`#${n}`)
  if (background) keys[at++] = BACKGROUND_KEY
  return {
    keys: sortedUnique(keys),
    facts,
    events: events.length === 0 ? NO_EVENTS : sortedUnique(Uint32Array.from(events)),
  }
}

/**
 * Features that crossed from a worker thread, with the empty lists and maps shared again (a
 * structured clone gives each item its own), as storyFacts returns them.
 */
export const compactFeatures = (f: StoryFeatures): StoryFeatures => ({
  keys: f.keys,
  facts: compactFacts(f.facts),
  events: f.events.length === 0 ? NO_EVENTS : f.events,
})

/** The events of the many items that name none (shared). */
const NO_EVENTS = new Uint32Array(0)
