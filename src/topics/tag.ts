/** Tags an item with every topic whose rule it matches. */
import type { Item, Source, Topic } from '../model/types.js'
import { decideTopic } from './combine.js'
import { compileTopics } from './compile.js'
import type { CompiledTopics } from './compiled.js'
import { sourceAllowed, topicMatches } from './match.js'
import { type MatchableItem, type PreparedItem, prepareItem } from './prepare.js'
import type { ItemWords } from './word-filter.js'

/**
 * Computes an item's topics (compiled from `config.topics`; replaced on reload). `words`: the
 * item's word filter being made (word-filter.ts beginItemWords), which the tagger may add the
 * words it reads to (or not: finishItemWords adds the rest).
 */
export type Tagger = (
  item: Item,
  source: Source,
  onGate?: (topicId: string) => void,
  words?: ItemWords,
) => string[]

/**
 * A Tagger that can also tell which topics with a model the item passes the rules of (`onGate`):
 * in `filter` mode only those items can move when the model alone changes (combine.ts).
 */
export type GatedTagger = Tagger

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
 * topic with `source_tags` is skipped unless the item's source carries one of them. A topic with a
 * learned model combines it with the rules as its `model:` says (see decideTopic).
 * @param sourceTags the tags of the item's source (`Source.tags`)
 * @param onGate told of each topic with a model whose rules the item passes
 * @param words the item's word filter being made (see {@link Tagger})
 * @example tagItem(item, compiled, source.tags) // ['border-trade', 'pakistan-afghanistan']
 */
export const tagItem = (
  item: MatchableItem,
  compiled: CompiledTopics,
  sourceTags: readonly string[],
  onGate?: (topicId: string) => void,
  words?: ItemWords,
): string[] => {
  const prepared = prepareItem(item, compiled, sourceTags, words)
  return candidateIds(compiled, prepared).filter((id) => {
    const topic = compiled.topics.get(id)
    if (topic === undefined || !sourceAllowed(topic, sourceTags)) return false
    // a model that decides alone makes the rules' answer moot: they are not evaluated
    const alone = topic.model?.mode === 'alone' && topic.model.learned !== undefined
    const rules = !alone && topicMatches(topic, prepared)
    if (rules && onGate && topic.model) onGate(id)
    return decideTopic(topic, item, rules)
  })
}

/**
 * A Tagger for a set of topic rules, compiled once (the runtime's and each analysis worker's).
 * @throws TopicRulesError for rules that do not compile
 */
export const topicTagger = (topics: Topic[]): GatedTagger => {
  const compiled = compileTopics(topics)
  return (item, source, onGate, words) => tagItem(item, compiled, source.tags, onGate, words)
}
