/** The upsert rule every driver applies to an incoming item and the stored one it matches. */
import type { Item, SourceState } from '../model/types.js'

/** What saving `incoming` does: store it new, leave the stored one (maybe re-tagged), or update it. */
export type MergeOutcome =
  | { kind: 'new'; item: Item }
  /** `item` is set when topics or the story changed (a visible change without an update). */
  | { kind: 'unchanged'; item?: Item }
  | { kind: 'updated'; item: Item }

/** Whether two lists hold the same strings in the same order. */
export const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i])

/**
 * Merges `incoming` into `stored` (the item with its id, or of its source with its canonical URL).
 * Same contentHash: unchanged, though new topics and clusterId still apply. Different contentHash:
 * fields replaced, keeping id, fetchedAt (first seen) and publishedAt unless the source sent a
 * real new date (not just the incoming fetchedAt, which normalize uses for undated entries);
 * updatedAt = incoming fetchedAt. Returned items are new objects; neither argument is changed.
 */
export const mergeItem = (stored: Item | undefined, incoming: Item): MergeOutcome => {
  if (!stored) return { kind: 'new', item: incoming }
  // A lone item's cluster is its own id: after a canonical-URL match that is the stored id.
  const clusterId = incoming.clusterId === incoming.id ? stored.id : incoming.clusterId
  if (stored.contentHash === incoming.contentHash) {
    if (sameList(stored.topics, incoming.topics) && stored.clusterId === clusterId) {
      return { kind: 'unchanged' }
    }
    const { clusterReason: _reason, ...rest } = stored
    const reason = stored.clusterId === clusterId ? stored.clusterReason : incoming.clusterReason
    return {
      kind: 'unchanged',
      item: {
        ...rest,
        topics: incoming.topics,
        clusterId,
        ...(reason ? { clusterReason: reason } : {}),
      },
    }
  }
  const redated = incoming.publishedAt !== incoming.fetchedAt
  return {
    kind: 'updated',
    item: {
      ...incoming,
      id: stored.id,
      clusterId,
      publishedAt: redated ? incoming.publishedAt : stored.publishedAt,
      fetchedAt: stored.fetchedAt,
      updatedAt: incoming.fetchedAt,
    },
  }
}

/**
 * Sets `changed` on the poll record of the state being saved (the newest, taken at `lastFetchAt`):
 * how many items were new or updated is known only where they are compared with the stored ones.
 */
export const withChanged = (s: SourceState, changed: number): SourceState => {
  const history = s.history
  const last = history?.at(-1)
  if (!history || !last || last.at !== s.lastFetchAt) return s
  const next = [...history]
  next[next.length - 1] = { ...last, changed }
  return { ...s, history: next }
}
