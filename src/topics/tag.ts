/** Tags an item with every topic whose rule it matches. */
import type { Item, Source, Topic } from '../model/types.js'
import { compileTopics } from './compile.js'
import type { CompiledTopics } from './compiled.js'
import {
  type MatchableItem,
  type PreparedItem,
  prepareItem,
  sourceAllowed,
  topicMatches,
} from './match.js'

/** Computes an item's topics (compiled from `config.topics`; replaced on reload). */
export type Tagger = (item: Item, source: Source) => string[]

/** Topics that share at least one phrase with the item, plus those that must always be checked. */
const candidateIds = (compiled: CompiledTopics, prepared: PreparedItem): string[] => {
  const ids = new Set(compiled.candidates.always)
  for (const field of compiled.fields)
    for (const phraseId of prepared.hits[field].keys())
      for (const id of compiled.candidates.byPhrase.get(phraseId) ?? []) ids.add(id)
  return [...ids].sort()
}

/**
 * The sorted ids of the topics the item matches. The item is scanned once for all topics, and only
 * topics sharing a word with it are evaluated, so the cost follows the text, not the term count. A
 * topic with `source_tags` is skipped unless the item's source carries one of them.
 * @param sourceTags the tags of the item's source (`Source.tags`)
 * @example tagItem(item, compiled, source.tags) // ['border-trade', 'pakistan-afghanistan']
 */
export const tagItem = (
  item: MatchableItem,
  compiled: CompiledTopics,
  sourceTags: readonly string[],
): string[] => {
  const prepared = prepareItem(item, compiled, sourceTags)
  return candidateIds(compiled, prepared).filter((id) => {
    const topic = compiled.topics.get(id)
    return topic !== undefined && sourceAllowed(topic, sourceTags) && topicMatches(topic, prepared)
  })
}

/**
 * A Tagger for a set of topic rules, compiled once (the runtime's and each analysis worker's).
 * @throws TopicRulesError for rules that do not compile
 */
export const topicTagger = (topics: Topic[]): Tagger => {
  const compiled = compileTopics(topics)
  return (item, source) => tagItem(item, compiled, source.tags)
}
