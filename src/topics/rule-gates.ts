/** Which stored items each model topic's rules let through: the only items a change of its `filter` model alone can move. */
import type { Item, Source, Topic } from '../model/types.js'
import type { GatedTagger } from './tag.js'

/**
 * What a re-tag after a model-only change needs (runtime.ts): per topic with a model, the ids of
 * the stored items its rules pass, as recorded by the last re-tags, and the items stored since
 * (not yet recorded). In `filter` mode an item the rules do not pass stays out of the topic
 * whatever the model says (combine.ts decideTopic), so those ids plus the unrecorded ones are
 * all that such a change can move.
 */
export interface RuleGates {
  /** Items about to be stored (analysed by a poll): their gates are unknown until re-tagged. */
  noteStored(ids: Iterable<string>): void
  /** Items were stored where this process did not see them (another replica): all unknown. */
  forget(): void
  /**
   * The ids a change of these topics' models alone can move, or undefined when that is unknown
   * (no full re-tag recorded since the start or a {@link forget}).
   */
  movable(topicIds: Iterable<string>): { ids: Set<string>; noted: ReadonlySet<string> } | undefined
  /**
   * The re-tag's per-item tagger over `tagger`, recording what it sees: `full` starts the record
   * anew (every stored item is about to be tagged), else the items tagged replace their entries.
   * Items of unknown sources keep their topics (and move with no model). Until `commit` (once
   * the re-tag is done) nothing is known: a re-tag cut short leaves no half record.
   * @returns the tagger, `tagged` (the ids it tagged) and `commit`
   */
  recorder(
    topics: readonly Topic[],
    tagger: GatedTagger,
    sources: ReadonlyMap<string, Source>,
    full: boolean,
  ): { tag: (item: Item) => string[]; tagged: Set<string>; commit(): void }
}

/**
 * Ids stored since the last re-tag that the record keeps. A serve that polls for weeks with no
 * verdict never re-tags: past this many, the record is dropped (as {@link RuleGates.forget}
 * does) and the next verdict's re-tag is a full one, which reports every item it reads.
 */
export const MAX_UNSEEN_IDS = 50_000

/**
 * An empty record: nothing known until the first full re-tag.
 * @param maxUnseen ids noted since the last re-tag before the record is dropped
 * @param onDrop told when a known record is dropped for that (the operator's log says why the
 *   next verdict re-tags every stored item)
 */
export const createRuleGates = (
  maxUnseen = MAX_UNSEEN_IDS,
  onDrop?: (maxUnseen: number) => void,
): RuleGates => {
  let byTopic: Map<string, Set<string>> | undefined
  const unseen = new Set<string>()
  /** Bumped by forget: a re-tag that started before one does not make its record known. */
  let forgotten = 0
  const forget = () => {
    byTopic = undefined
    forgotten++
  }
  return {
    noteStored(ids) {
      for (const id of ids) {
        unseen.add(id)
        if (unseen.size <= maxUnseen) continue
        // Unknown from here on: a full re-tag reads every stored item, noted or not.
        const known = byTopic !== undefined
        forget()
        unseen.clear()
        if (known) onDrop?.(maxUnseen)
        return
      }
    },
    forget,
    movable(topicIds) {
      if (!byTopic) return undefined
      const ids = new Set(unseen)
      for (const t of topicIds) {
        const gate = byTopic.get(t)
        if (!gate) return undefined
        for (const id of gate) ids.add(id)
      }
      return { ids, noted: new Set(unseen) }
    },
    recorder(topics, tagger, sources, full) {
      const modelTopics = topics.filter((t) => t.model).map((t) => t.id)
      // a full re-tag reads every stored item: what was noted before it is covered (a poll saving
      // meanwhile is re-tagged by the store, see Store.retag)
      if (full) unseen.clear()
      // a partial re-tag adds to a known record; without one, its record stays unknown
      const known = full || byTopic !== undefined
      const generation = forgotten
      const record: Map<string, Set<string>> = full || !byTopic ? new Map() : byTopic
      for (const t of modelTopics) if (!record.has(t)) record.set(t, new Set())
      byTopic = undefined
      const tagged = new Set<string>()
      const tag = (item: Item): string[] => {
        tagged.add(item.id)
        unseen.delete(item.id)
        for (const t of modelTopics) record.get(t)?.delete(item.id)
        const source = sources.get(item.sourceId)
        return source
          ? tagger(item, source, (topicId) => record.get(topicId)?.add(item.id))
          : item.topics
      }
      return {
        tag,
        tagged,
        commit: () => {
          if (known && generation === forgotten) byTopic = record
        },
      }
    },
  }
}
