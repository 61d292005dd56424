/** The cycle's window of recently stored items: read once, grown as sources are saved, looked up by id and canonical URL. */
import type { Item, Store } from '../model/types.js'
import { DEFAULT_WINDOW_MS } from '../stories/story-index.js'

/** How far back an item may be to join a story: the story index's window. */
export const CLUSTER_WINDOW_MS = DEFAULT_WINDOW_MS

/**
 * The items stored within the cluster window, read from the store once per cycle and grown as the
 * cycle saves sources, so that each source neither re-reads (and re-sorts) the whole window nor
 * misses what an earlier source of the same cycle stored.
 */
export interface RecentItems {
  /** Every item of the window (a later version of an item replaces the earlier one). */
  list(): readonly Item[]
  get(id: string): Item | undefined
  /**
   * The items of the window that share an id or a canonical URL with one of `items`: everything
   * URL clustering looks at, without the rest of the window.
   */
  candidatesFor(items: readonly Item[]): Item[]
  /** Adds (or replaces, by id) items just stored. */
  add(items: readonly Item[]): void
}

/**
 * Loads the items fetched or published within {@link CLUSTER_WINDOW_MS} before `now`.
 * @example const recent = await loadRecentItems(store, clock.now()); recent.candidatesFor(items)
 */
export const loadRecentItems = async (store: Store, now: Date): Promise<RecentItems> => {
  const since = new Date(now.getTime() - CLUSTER_WINDOW_MS).toISOString()
  const byId = new Map<string, Item>()
  // Most URLs have one item: small arrays, not a Map per URL.
  const byUrl = new Map<string, Item[]>()
  const add = (item: Item) => {
    const old = byId.get(item.id)
    if (old?.canonicalUrl) {
      const same = byUrl.get(old.canonicalUrl)?.filter((i) => i.id !== old.id)
      if (same?.length) byUrl.set(old.canonicalUrl, same)
      else byUrl.delete(old.canonicalUrl)
    }
    byId.set(item.id, item)
    if (!item.canonicalUrl) return
    const same = byUrl.get(item.canonicalUrl)
    if (same) same.push(item)
    else byUrl.set(item.canonicalUrl, [item])
  }
  for (const item of await store.recentItems(since)) add(item)
  return {
    list: () => [...byId.values()],
    get: (id) => byId.get(id),
    candidatesFor: (items) => {
      const out = new Map<string, Item>()
      for (const item of items) {
        const stored = byId.get(item.id)
        if (stored) out.set(stored.id, stored)
        const same = item.canonicalUrl ? byUrl.get(item.canonicalUrl) : undefined
        for (const other of same ?? []) out.set(other.id, other)
      }
      return [...out.values()]
    },
    add: (items) => {
      for (const item of items) add(item)
    },
  }
}

/**
 * {@link loadRecentItems} on first use only, then the same window for every caller: a cycle where
 * every source answers 304 never reads it.
 */
export const lazyRecentItems = (store: Store, now: Date): (() => Promise<RecentItems>) => {
  let loaded: Promise<RecentItems> | undefined
  return () => {
    loaded ??= loadRecentItems(store, now).catch((err: unknown) => {
      loaded = undefined // the next source tries again
      throw err
    })
    return loaded
  }
}
