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
  /** publishedAt / fetchedAt of an item in epoch ms (parsed once for stored items). */
  timesOf(item: Item): { published: number; fetched: number }
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

/** What is kept per stored item. Maps keyed by id: a WeakMap keyed by frozen items is far slower. */
interface Entry {
  item: Item
  published: number
  fetched: number
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

const canonKey = (sourceId: string, canonicalUrl: string): string => `${sourceId}\n${canonicalUrl}`

const entryOf = (item: Item): Entry => ({
  item,
  published: Date.parse(item.publishedAt),
  fetched: Date.parse(item.fetchedAt),
})

/** Creates an empty {@link ItemIndex}. */
export const createItemIndex = (): ItemIndex => {
  const byId = new Map<string, Entry>()
  const bySource = new Map<string, Set<string>>()
  const byTopic = new Map<string, Set<string>>()
  const byCluster: OneOrMany = new Map()
  const byCanonical: OneOrMany = new Map()
  let sortedAll: Item[] | undefined
  const sortedSource = new Map<string, Item[]>()
  const sortedTopic = new Map<string, Item[]>()

  /** The entry of this very object, or a fresh one for an item that is not (or no longer) stored. */
  const entry = (item: Item): Entry => {
    const e = byId.get(item.id)
    return e && e.item === item ? e : entryOf(item)
  }

  const relink = (item: Item, add: boolean): void => {
    const op = add ? addTo : removeFrom
    op(bySource, item.sourceId, item.id)
    for (const t of item.topics) op(byTopic, t, item.id)
    const one = add ? addOne : removeOne
    one(byCluster, item.clusterId, item.id)
    if (item.canonicalUrl) one(byCanonical, canonKey(item.sourceId, item.canonicalUrl), item.id)
    sortedAll = undefined
    sortedSource.delete(item.sourceId)
    for (const t of item.topics) sortedTopic.delete(t)
  }

  const itemsOf = (ids: Iterable<string>): Item[] => {
    const out: Item[] = []
    for (const id of ids) {
      const e = byId.get(id)
      if (e) out.push(e.item)
    }
    return out
  }

  const cachedSort = (cache: Map<string, Item[]>, key: string, ids?: ReadonlySet<string>) => {
    let arr = cache.get(key)
    if (!arr) {
      arr = sortNewestFirst(itemsOf(ids ?? EMPTY))
      if (arr.length > 0) cache.set(key, arr)
    }
    return arr
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
      const ids = idsOf(byCanonical.get(canonKey(sourceId, canonicalUrl)))
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
    clear() {
      for (const m of [
        byId,
        bySource,
        byTopic,
        byCluster,
        byCanonical,
        sortedSource,
        sortedTopic,
      ]) {
        m.clear()
      }
      sortedAll = undefined
    },
    values,
    sorted() {
      sortedAll ??= sortNewestFirst(values())
      return sortedAll
    },
    sortedBySource: (sourceId) => cachedSort(sortedSource, sourceId, bySource.get(sourceId)),
    sortedByTopic: (topic) => cachedSort(sortedTopic, topic, byTopic.get(topic)),
    countBySource: (sourceId) => bySource.get(sourceId)?.size ?? 0,
    countByTopic: (topic) => byTopic.get(topic)?.size ?? 0,
    clusterMembers: (clusterId) => itemsOf(idsOf(byCluster.get(clusterId))),
    sourceIds: () => [...bySource.keys()],
    timesOf: entry,
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
