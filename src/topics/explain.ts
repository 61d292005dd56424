/** Explains, per topic, why an item matches or not: the terms found and where they were found. */
import type { CompiledTopics } from './compiled.js'
import { type MatchResult, matchPrepared } from './match.js'
import { type MatchableItem, prepareItem } from './prepare.js'

/** Per topic id, in the order given: what matched and whether the topic applies. */
export type Explanation = Record<string, MatchResult>

/**
 * Runs every topic on one item, scanning the item once (`prepareItem`), and returns each topic's
 * {@link MatchResult}: `matched`, `score`, the `terms` found with their field, the `excluded` terms
 * of `none` groups found, and `sourceAllowed: false` when the source's tags rule the topic out.
 * Every topic is listed, matched or not, so a reader sees the near misses too.
 * @param topicIds the topics to explain, in this order (default: every compiled topic, sorted)
 * @example explainItem(item, compiled, source.tags)['pakistan-afghanistan'].terms
 */
export const explainItem = (
  item: MatchableItem,
  compiled: CompiledTopics,
  sourceTags: readonly string[],
  topicIds: readonly string[] = compiled.ids,
): Explanation => {
  const prepared = prepareItem(item, compiled, sourceTags)
  const out: Explanation = {}
  for (const id of topicIds) out[id] = matchPrepared(compiled, id, prepared, sourceTags)
  return out
}
