/** In-memory indexes over stored items (id, source, topic, cluster, source+canonical URL), lazily sorted. */
import type { Item } from '../model/types.js'
import { compareKeys, searchTextOf, sortNewestFirst } from './query.js'

/**
 * Items by id plus secondary indexes. Stored items are treated as immutable: `put` replaces the
 * object, which is what invalidates the sorted views and cached values that concern it.
 */
export interface ItemIndex {
  readonly size: number
  get(id: string): Item | undefined
  /** A stored item of `sourceId` whose canonical URL is `canonicalUrl`. */
  findByCanonical(sourceId: string, canonicalUrl: string): Item | undefined
  /** Inserts, or replaces the item with the same id. */
  put(item: Item): void
  remove(id: string): Item | undefined
  clear(): void
  /**
   * Replaces everything with `items` and makes the whole, per-source and per-topic views in one
   * pass, so no first read after a load sorts: items that come newest first (as a partitioned
   * store reads its days) are not sorted at all, others once. Later items win over earlier ones
   * of the same id, as with `put`.
   */
  load(items: readonly Item[]): void
  /** Every item, in no particular order. */
  values(): IterableIterator<Item>
  /** Every item, newest first; re-sorted only after a change. */
  sorted(): readonly Item[]
  /** One source's items, newest first (cached per source). */
  sortedBySource(sourceId: string): readonly Item[]
  /** One topic's items, newest first (cached per topic). */
  sortedByTopic(topic: string): readonly Item[]
  countBySource(sourceId: string): number
  countByTopic(topic: string): number
  /** The stored members of a story cluster, in no particular order. */
  clusterMembers(clusterId: string): Item[]
  sourceIds(): string[]
  /** publishedAt of an item in epoch ms (parsed once for stored items). */
  publishedOf(item: Item): number
  /** fetchedAt of an item in epoch ms (parsed on each call: only a start-up's seeding reads it). */
  fetchedOf(item: Item): number
  /**
   * The earliest publishedAt of a stored item in epoch ms (−Infinity if one cannot be read,
   * +Infinity when empty): retention has nothing to remove by age when this is recent.
   */
  oldestPublished(): number
  /** The item's `searchTextOf`, computed on first use and kept until the item changes. */
  textOf(item: Item): string
  /** Merges lists that are each newest first into one newest-first stream, without repeats. */
  merge(lists: readonly (readonly Item[])[]): Iterable<Item>
}

/**
 * What is kept per stored item. Maps keyed by id: a WeakMap keyed by frozen items is far slower.
 * No fetch time: a number field is a boxed double per item (~1.2 MB at 50,000 items with its slot),
 * and only a start-up's seeding of the story index reads it.
 */
interface Entry {
  item: Item
  published: number
  text?: string
}

const EMPTY: ReadonlySet<string> = new Set()

const addTo = (m: Map<string, Set<string>>, key: string, id: string): void => {
  const s = m.get(key)
  if (s) s.add(id)
  else m.set(key, new Set([id]))
}

const removeFrom = (m: Map<string, Set<string>>, key: string, id: string): void => {
  const s = m.get(key)
  if (!s) return
  s.delete(id)
  if (s.size === 0) m.delete(key)
}

/**
 * Keys that usually have one id (a story of one report, a canonical URL) keep it as a string and
 * only grow a Set for a second: a Set per item was most of the indexes' memory.
 */
type OneOrMany = Map<string, string | Set<string>>

const addOne = (m: OneOrMany, key: string, id: string): void => {
  const cur = m.get(key)
  if (cur === undefined) m.set(key, id)
  else if (typeof cur === 'string') {
    if (cur !== id) m.set(key, new Set([cur, id]))
  } else cur.add(id)
}

const removeOne = (m: OneOrMany, key: string, id: string): void => {
  const cur = m.get(key)
  if (cur === undefined) return
  if (typeof cur === 'string') {
    if (cur === id) m.delete(key)
    return
  }
  cur.delete(id)
  if (cur.size === 1) m.set(key, cur.values().next().value!)
  else if (cur.size === 0) m.delete(key)
}

const idsOf = (v: string | Set<string> | undefined): ReadonlySet<string> | readonly string[] =>
  v === undefined ? EMPTY : typeof v === 'string' ? [v] : v

/** Changes to a sorted view since it was made: items added, entries of items removed. */
interface Changes {
  added: Item[]
  removed: Entry[]
}

const entryOf = (item: Item): Entry => ({ item, published: Date.parse(item.publishedAt) })

/** Creates an empty {@link ItemIndex}. */
export const createItemIndex = (): ItemIndex => {
  const byId = new Map<string, Entry>()
  /** Items per source: what counts and start-up read (the source's ids are {@link idsOfSource}'s). */
  const countsBySource = new Map<string, number>()
  /**
   * The ids of each source, made at the first read of a source's view and kept from then on: a
   * one-shot command (a first import) reads counts only, and a set per source held ~1.3 MB at
   * 50,000 items of 1,000 sources.
   */
  let bySource: Map<string, Set<string>> | undefined
  const idsOfSource = (sourceId: string): ReadonlySet<string> | undefined => {
    if (!bySource) {
      bySource = new Map()
      for (const e of byId.values()) addTo(bySource, e.item.sourceId, e.item.id)
    }
    return bySource.get(sourceId)
  }
  const byTopic = new Map<string, Set<string>>()
  const byCluster: OneOrMany = new Map()
  /**
   * By source, then canonical URL: no key string made per item (a joined key was a fresh string
   * to allocate and hash for every item loaded).
   */
  const byCanonical = new Map<string, OneOrMany>()
  let sortedAll: Item[] | undefined
  /** Changes since `sortedAll` was made: applied to it by the next `sorted()` (no full sort). */
  let addedSince: Item[] = []
  let removedSince: Entry[] = []
  const sortedSource = new Map<string, Item[]>()
  const sortedTopic = new Map<string, Item[]>()
  /** Per cached source or topic view: the changes since it was made, patched in by its next read. */
  const pendingSource = new Map<string, Changes>()
  const pendingTopic = new Map<string, Changes>()

  /** The entry of this very object, or a fresh one for an item that is not (or no longer) stored. */
  const entry = (item: Item): Entry => {
    const e = byId.get(item.id)
    return e && e.item === item ? e : entryOf(item)
  }

  const relink = (item: Item, add: boolean): void => {
    const op = add ? addTo : removeFrom
    const count = (countsBySource.get(item.sourceId) ?? 0) + (add ? 1 : -1)
    if (count > 0) countsBySource.set(item.sourceId, count)
    else countsBySource.delete(item.sourceId)
    if (bySource) op(bySource, item.sourceId, item.id)
    for (const t of item.topics) op(byTopic, t, item.id)
    const one = add ? addOne : removeOne
    one(byCluster, item.clusterId, item.id)
    if (item.canonicalUrl) {
      let urls = byCanonical.get(item.sourceId)
      if (!urls) {
        urls = new Map()
        byCanonical.set(item.sourceId, urls)
      }
      one(urls, item.canonicalUrl, item.id)
      if (urls.size === 0) byCanonical.delete(item.sourceId)
    }
    const change = add ? item : (byId.get(item.id) ?? entryOf(item))
    if (sortedAll) {
      if (add) addedSince.push(item)
      else removedSince.push(change as Entry)
      // Many changes (a load, a re-tag of everything): one sort costs less than patching.
      if (addedSince.length + removedSince.length > 64 + (sortedAll.length >> 3)) forgetSorted()
    }
    note(sortedSource, pendingSource, item.sourceId, add, change)
    for (const t of item.topics) note(sortedTopic, pendingTopic, t, add, change)
  }

  /** Records a change to the cached view `key` (if any) for its next read; too many: dropped. */
  const note = (
    cache: Map<string, Item[]>,
    pending: Map<string, Changes>,
    key: string,
    add: boolean,
    change: Item | Entry,
  ): void => {
    const view = cache.get(key)
    if (!view) return
    const c = pending.get(key) ?? { added: [], removed: [] }
    pending.set(key, c)
    if (add) c.added.push(change as Item)
    else c.removed.push(change as Entry)
    if (c.added.length + c.removed.length > 64 + (view.length >> 3)) {
      cache.delete(key)
      pending.delete(key)
    }
  }

  const forgetSorted = (): void => {
    sortedAll = undefined
    addedSince = []
    removedSince = []
  }

  /**
   * `sortedAll` with the changes since it was made: each removed item found by binary search,
   * each added one inserted where it sorts, so a cycle's few items cost O(n) copying and
   * O(k log n) comparisons instead of a sort of the whole store. A new array: callers may hold
   * the old one.
   */
  const patchSorted = (
    old: Item[],
    addedSince: readonly Item[],
    removedSince: readonly Entry[],
  ): Item[] => {
    const keyOf = (it: Item): Entry => entry(it)
    /** First index whose item sorts at or after (t, id). */
    const lowerBound = (t: number, id: string): number => {
      let lo = 0
      let hi = old.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        const e = keyOf(old[mid]!)
        if (compareKeys(e.published, e.item.id, t, id) < 0) lo = mid + 1
        else hi = mid
      }
      return lo
    }
    const cut = new Set<number>()
    for (const e of removedSince) {
      for (let i = lowerBound(e.published, e.item.id); i < old.length; i++) {
        const x = old[i]!
        if (x === e.item) {
          cut.add(i)
          break
        }
        if (x.id !== e.item.id) break
      }
    }
    const seen = new Set<Item>()
    const added: Entry[] = []
    for (const it of addedSince) {
      const e = byId.get(it.id)
      // Still stored as this very object, and not already in the old view (removed meanwhile).
      if (!e || e.item !== it || seen.has(it)) continue
      seen.add(it)
      added.push(e)
    }
    added.sort((a, b) => compareKeys(a.published, a.item.id, b.published, b.item.id))
    const events: { at: number; add?: Item }[] = [...cut].map((at) => ({ at }))
    for (const e of added) events.push({ at: lowerBound(e.published, e.item.id), add: e.item })
    // Inserts before the removal at the same index; inserts in key order.
    events.sort((a, b) => a.at - b.at || (a.add ? 0 : 1) - (b.add ? 0 : 1))
    const out: Item[] = []
    let from = 0
    const copyTo = (end: number): void => {
      for (; from < end; from++) out.push(old[from]!)
    }
    for (const ev of events) {
      copyTo(ev.at)
      if (ev.add) out.push(ev.add)
      else from = ev.at + 1
    }
    copyTo(old.length)
    return out
  }

  const itemsOf = (ids: Iterable<string>): Item[] => {
    const out: Item[] = []
    for (const id of ids) {
      const e = byId.get(id)
      if (e) out.push(e.item)
    }
    return out
  }

  const cachedSort = (
    cache: Map<string, Item[]>,
    pending: Map<string, Changes>,
    key: string,
    ids?: ReadonlySet<string>,
  ) => {
    let arr = cache.get(key)
    const changes = pending.get(key)
    if (arr && changes) {
      // A topic's or a source's view after a cycle: patched as the whole view is, not re-sorted.
      arr = patchSorted(arr, changes.added, changes.removed)
      pending.delete(key)
      if (arr.length > 0) cache.set(key, arr)
      else cache.delete(key)
    }
    if (!arr) {
      arr = freshView(ids ?? EMPTY)
      if (arr.length > 0) cache.set(key, arr)
    }
    return arr
  }

  /**
   * A view that has to be made from nothing: filtered from the whole view when that one is at
   * hand (one pass, no sort), else sorted from its ids.
   */
  const freshView = (ids: ReadonlySet<string>): Item[] => {
    if (!sortedAll || addedSince.length > 0 || removedSince.length > 0) {
      return sortNewestFirst(itemsOf(ids))
    }
    const out: Item[] = []
    for (const it of sortedAll) if (ids.has(it.id)) out.push(it)
    return out
  }

  /**
   * The whole view and every source's and topic's, from the stored items (after a load);
   * `inOrder`: `items` are newest first, each id once.
   */
  const buildViews = (items: readonly Item[], inOrder: boolean): void => {
    const all = inOrder ? [...items] : sortNewestFirst([...values()])
    for (const it of all) {
      const s = sortedSource.get(it.sourceId)
      if (s) s.push(it)
      else sortedSource.set(it.sourceId, [it])
      for (const t of it.topics) {
        const v = sortedTopic.get(t)
        if (v) v.push(it)
        else sortedTopic.set(t, [it])
      }
    }
    sortedAll = all
  }

  const clearAll = (): void => {
    for (const m of [
      byId,
      countsBySource,
      byTopic,
      byCluster,
      byCanonical,
      sortedSource,
      sortedTopic,
      pendingSource,
      pendingTopic,
    ]) {
      m.clear()
    }
    bySource = undefined
    forgetSorted()
  }

  function* values(): IterableIterator<Item> {
    for (const e of byId.values()) yield e.item
  }

  return {
    get size() {
      return byId.size
    },
    get: (id) => byId.get(id)?.item,
    findByCanonical(sourceId, canonicalUrl) {
      const ids = idsOf(byCanonical.get(sourceId)?.get(canonicalUrl))
      for (const id of ids) return byId.get(id)?.item
      return undefined
    },
    put(item) {
      const old = byId.get(item.id)
      if (old) relink(old.item, false)
      byId.set(item.id, entryOf(item))
      relink(item, true)
    },
    remove(id) {
      const old = byId.get(id)
      if (!old) return undefined
      relink(old.item, false)
      byId.delete(id)
      return old.item
    },
    clear: clearAll,
    load(items) {
      clearAll()
      // Whether the items come newest first, each id once, checked as they are indexed.
      let inOrder = true
      let prev: Entry | undefined
      for (const item of items) {
        const old = byId.get(item.id)
        if (old) {
          relink(old.item, false)
          inOrder = false
        }
        const e = entryOf(item)
        byId.set(item.id, e)
        relink(item, true)
        if (inOrder && prev) {
          inOrder = compareKeys(prev.published, prev.item.id, e.published, item.id) < 0
        }
        prev = e
      }
      buildViews(items, inOrder)
    },
    values,
    sorted() {
      if (sortedAll && (addedSince.length > 0 || removedSince.length > 0)) {
        const patched = patchSorted(sortedAll, addedSince, removedSince)
        forgetSorted()
        sortedAll = patched
      }
      sortedAll ??= sortNewestFirst(values())
      return sortedAll
    },
    sortedBySource: (sourceId) =>
      cachedSort(sortedSource, pendingSource, sourceId, idsOfSource(sourceId)),
    sortedByTopic: (topic) => cachedSort(sortedTopic, pendingTopic, topic, byTopic.get(topic)),
    countBySource: (sourceId) => countsBySource.get(sourceId) ?? 0,
    countByTopic: (topic) => byTopic.get(topic)?.size ?? 0,
    clusterMembers: (clusterId) => itemsOf(idsOf(byCluster.get(clusterId))),
    sourceIds: () => [...countsBySource.keys()],
    publishedOf: (item) => entry(item).published,
    fetchedOf(item) {
      // Often one string (a lean copy shares it): parsed once.
      return item.fetchedAt === item.publishedAt
        ? entry(item).published
        : Date.parse(item.fetchedAt)
    },
    oldestPublished() {
      let min = Number.POSITIVE_INFINITY
      for (const e of byId.values()) {
        if (!(e.published >= min)) min = Number.isNaN(e.published) ? -Infinity : e.published
      }
      return min
    },
    textOf(item) {
      const e = entry(item)
      e.text ??= searchTextOf(item)
      return e.text
    },
    *merge(lists) {
      const pos = lists.map(() => 0)
      let lastId: string | undefined
      for (;;) {
        let best = -1
        let top: Entry | undefined
        for (let k = 0; k < lists.length; k++) {
          const it = lists[k]![pos[k]!]
          if (!it) continue
          const e = entry(it)
          if (!top || compareKeys(e.published, it.id, top.published, top.item.id) < 0) {
            best = k
            top = e
          }
        }
        if (!top) return
        pos[best]!++
        // An item in several lists (one per topic) heads each in turn, one after another.
        if (top.item.id !== lastId) yield top.item
        lastId = top.item.id
      }
    },
  }
}
