/** Stories across sources: the clusterer refresh.ts calls (a StoryIndex seeded from the store, caught up when shared). */
import type { Item, Store, StoredPosition } from '../model/types.js'
import type { StoryFeatures } from './features.js'
import { createStoryIndex, type StoryIndex, type StoryIndexOptions } from './story-index.js'

/** Gives a polled batch its stories (clusterId, clusterReason); see {@link createClusterer}. */
export type Clusterer = ((
  items: readonly Item[],
  now: Date,
  /** The items' story features when already computed (on a worker thread), in order. */
  features?: readonly StoryFeatures[],
) => Promise<Item[]>) & {
  /** Assigning and saving as one step (see {@link AssignAndSave}); absent: assign, then save. */
  assignAndSave?: AssignAndSave
}

/**
 * Assigns a batch its stories and saves it with `save`, as one step against other replicas: with
 * a shared store that has a story lock, no other replica assigns or saves a batch in between, so
 * two copies of one story polled at the same instant by two replicas become one story.
 */
export type AssignAndSave = <T>(
  items: readonly Item[],
  now: Date,
  features: readonly StoryFeatures[] | undefined,
  save: (clustered: Item[]) => Promise<T>,
) => Promise<T>

/** The store methods a clusterer reads. */
export type ClusterStore = Pick<
  Store,
  | 'recentItems'
  | 'getItem'
  | 'shared'
  | 'storedSince'
  | 'storedPosition'
  | 'storyLock'
  | 'storedUnchanged'
>

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
/** Rows per catch-up read in write order (Store.storedSince). */
export const CATCH_UP_PAGE = 500
/**
 * Reads per batch at most: a replica far behind (back from a long pause) takes the rest with
 * the next batches, counted in `behind()`, rather than stalling one poll on an unbounded read.
 */
export const CATCH_UP_MAX_PAGES = 20

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
): Clusterer & {
  index: StoryIndex
  caughtUp: () => number
  behind: () => number
  assignAndSave: AssignAndSave
} => {
  const index = createStoryIndex(opts)
  const catchUp = opts.catchUp ?? store.shared === true
  const overlap = opts.catchUpOverlapMs ?? CATCH_UP_OVERLAP_MS
  const every = opts.catchUpEveryMs ?? CATCH_UP_EVERY_MS
  /** The `now` of the newest read (seed or catch-up). */
  let lastLook = Number.NEGATIVE_INFINITY
  /** Items other processes stored that catch-ups took in. */
  let caughtUp = 0
  let reading: Promise<void> | undefined
  /** Where the last read in write order ended (stores with `storedSince`). */
  let position: StoredPosition | undefined
  /** Batches whose catch-up stopped at {@link CATCH_UP_MAX_PAGES} with more to read. */
  let behind = 0
  const ordered = store.storedSince !== undefined && store.storedPosition !== undefined

  /** Reads in write order past `position`, bounded; concurrent calls share a read. */
  const readOrdered = (now: Date): Promise<void> => {
    reading ??= (async () => {
      let at = position as StoredPosition
      for (let page = 0; page < CATCH_UP_MAX_PAGES; page++) {
        const { items, next } = await (store.storedSince as NonNullable<Store['storedSince']>)(
          at,
          CATCH_UP_PAGE,
        )
        at = next
        position = next
        const since = now.getTime() - index.windowMs
        for (const item of items) {
          // An old item written again (an update) is outside the window the index keeps.
          if (index.has(item.id) || !withinWindow(item, since)) continue
          index.add(item)
          caughtUp++
        }
        if (items.length < CATCH_UP_PAGE) {
          lastLook = Math.max(lastLook, now.getTime())
          return
        }
      }
      behind++
    })().finally(() => {
      reading = undefined
    })
    return reading
  }

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
      // The position first: what is written between it and the window read is read twice, not lost.
      if (catchUp && ordered && !position) position = await store.storedPosition?.()
      await read(t - index.windowMs, now, (item) => index.add(item))
      return
    }
    if (!catchUp) return
    if (position) return readOrdered(now)
    if (t - lastLook < every) return
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
  const assignAndSave: AssignAndSave = async (items, now, features, save) => {
    const run = async () => save(await cluster(items, now, features))
    if (!store.storyLock || !catchUp) return run()
    // A poll with nothing new starts no story and joins none: it need not wait for (nor hold up)
    // the other replicas' story work. Its items keep their stored stories.
    if (store.storedUnchanged && (await store.storedUnchanged(items))) return run()
    // Under the lock the catch-up sees every story another replica saved before it let go.
    return store.storyLock(run)
  }
  return Object.assign(cluster, {
    index,
    caughtUp: () => caughtUp,
    behind: () => behind,
    assignAndSave,
  })
}

// --- Internal helpers ---

/** Whether an item was published or fetched at or after `since` (epoch ms), as recentItems selects. */
const withinWindow = (item: Item, since: number): boolean =>
  Date.parse(item.publishedAt) >= since || Date.parse(item.fetchedAt) >= since
