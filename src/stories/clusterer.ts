/** Stories across sources: the clusterer refresh.ts calls (a StoryIndex seeded once from the store). */
import type { Item, Store } from '../model/types.js'
import type { StoryFeatures } from './features.js'
import { createStoryIndex, type StoryIndex, type StoryIndexOptions } from './story-index.js'

/** Gives a polled batch its stories (clusterId, clusterReason); see {@link createClusterer}. */
export type Clusterer = (
  items: readonly Item[],
  now: Date,
  /** The items' story features when already computed (on a worker thread), in order. */
  features?: readonly StoryFeatures[],
) => Promise<Item[]>

/** The store methods a clusterer reads. */
export type ClusterStore = Pick<Store, 'recentItems' | 'getItem'>

/**
 * Creates the clusterer of a running instance: a {@link StoryIndex} that is seeded from
 * `store.recentItems(now − window)` on its first call (one read, shared by concurrent first
 * calls) and then kept in memory, each batch being added as it is assigned. An item the index
 * does not hold but the store does (published before the window, or evicted) keeps its stored
 * story: `store.getItem` is asked for those ids only.
 * @example
 * const cluster = createClusterer(store)           // runtime.ts, once
 * const items = await cluster(tagged, clock.now())  // refresh.ts, per poll
 */
export const createClusterer = (
  store: ClusterStore,
  opts: StoryIndexOptions = {},
): Clusterer & { index: StoryIndex } => {
  const index = createStoryIndex(opts)
  let seeded: Promise<void> | undefined
  const seed = (now: Date): Promise<void> => {
    seeded ??= store
      .recentItems(new Date(now.getTime() - index.windowMs).toISOString())
      .then((recent) => {
        for (const item of recent) if (!index.has(item.id)) index.add(item)
      })
      .catch((err: unknown) => {
        seeded = undefined // the next poll tries again
        throw err
      })
    return seeded
  }
  const cluster: Clusterer = async (items, now, features) => {
    await seed(now)
    const stored = new Map<string, Item>()
    for (const item of items) {
      if (index.has(item.id)) continue
      const found = await store.getItem(item.id)
      if (found) stored.set(item.id, found)
    }
    return index.assign(items, now, (id) => stored.get(id), features)
  }
  return Object.assign(cluster, { index })
}
