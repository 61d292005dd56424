/** Stories across sources: the clusterer refresh.ts calls (a StoryIndex seeded from the store, caught up when shared). */
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
export type ClusterStore = Pick<Store, 'recentItems' | 'getItem' | 'shared'>

/** How a clusterer keeps up with items that other processes store; see {@link createClusterer}. */
export interface ClustererOptions extends StoryIndexOptions {
  /**
   * Before assigning a batch, read what the store holds since the last look and index what the
   * index lacks (items other pollers stored). Default: `store.shared` (a store that several
   * processes write, such as PostgreSQL replicas); a store only this process writes needs none.
   */
  catchUp?: boolean
  /**
   * How far before the last look a catch-up reads: an item's fetchedAt is its poll's start, and
   * its poll stores it later (after the fetch and the analysis). Default {@link CATCH_UP_OVERLAP_MS}.
   */
  catchUpOverlapMs?: number
  /**
   * A batch whose `now` is within this of the last look's does not read again (concurrent polls of
   * one cycle share one read). Default {@link CATCH_UP_EVERY_MS}.
   */
  catchUpEveryMs?: number
}

/** A poll stores its items within a fetch timeout and an analysis deadline of its start; 5 min covers both with room. */
export const CATCH_UP_OVERLAP_MS = 5 * 60_000
/** At most one catch-up read per 15 s of polling. */
export const CATCH_UP_EVERY_MS = 15_000

/**
 * Creates the clusterer of a running instance: a {@link StoryIndex} that is seeded from
 * `store.recentItems(now − window)` on its first call (one read, shared by concurrent first
 * calls) and then kept in memory, each batch being added as it is assigned. An item the index
 * does not hold but the store does (published before the window, or evicted) keeps its stored
 * story: `store.getItem` is asked for those ids only. With a shared store (or `catchUp`), each
 * batch first takes in the items other processes stored since the last look (see
 * {@link ClustererOptions.catchUp}), so replicas polling different sources find each other's stories.
 * @example
 * const cluster = createClusterer(store)           // runtime.ts, once
 * const items = await cluster(tagged, clock.now())  // refresh.ts, per poll
 */
export const createClusterer = (
  store: ClusterStore,
  opts: ClustererOptions = {},
): Clusterer & { index: StoryIndex; caughtUp: () => number } => {
  const index = createStoryIndex(opts)
  const catchUp = opts.catchUp ?? store.shared === true
  const overlap = opts.catchUpOverlapMs ?? CATCH_UP_OVERLAP_MS
  const every = opts.catchUpEveryMs ?? CATCH_UP_EVERY_MS
  /** The `now` of the newest read (seed or catch-up). */
  let lastLook = Number.NEGATIVE_INFINITY
  /** Items other processes stored that catch-ups took in. */
  let caughtUp = 0
  let reading: Promise<void> | undefined

  /** Reads the store from `since` and indexes what the index lacks; concurrent calls share a read. */
  const read = (since: number, now: Date, take: (item: Item) => void): Promise<void> => {
    reading ??= store
      .recentItems(new Date(since).toISOString())
      .then((recent) => {
        lastLook = Math.max(lastLook, now.getTime())
        for (const item of recent) if (!index.has(item.id)) take(item)
      })
      .finally(() => {
        reading = undefined // a failed read is tried again by the next poll
      })
    return reading
  }

  const look = async (now: Date): Promise<void> => {
    const t = now.getTime()
    if (lastLook === Number.NEGATIVE_INFINITY) {
      await read(t - index.windowMs, now, (item) => index.add(item))
      return
    }
    if (!catchUp || t - lastLook < every) return
    // Never before the window: a replica that was away reads what a seed would, no more.
    const since = Math.max(lastLook - overlap, t - index.windowMs)
    await read(since, now, (item) => {
      index.add(item)
      caughtUp++
    })
  }

  const cluster: Clusterer = async (items, now, features) => {
    await look(now)
    const stored = new Map<string, Item>()
    for (const item of items) {
      if (index.has(item.id)) continue
      const found = await store.getItem(item.id)
      if (found) stored.set(item.id, found)
    }
    return index.assign(items, now, (id) => stored.get(id), features)
  }
  return Object.assign(cluster, { index, caughtUp: () => caughtUp })
}
