/** What the partitioned store keeps in memory of an item: what queries and upserts read, not its body. */
import type { Item } from '../../model/types.js'
import { searchTextOf } from '../query.js'
import { wordFilter } from './word-filter.js'

/**
 * Marks a lean copy (own, enumerable, so a copy spread from it — a re-tag, a new story — still
 * says that its body is on disk). JSON never writes a symbol key.
 */
export const LEAN: unique symbol = Symbol('lean item')

/** An item whose body is not in memory. */
export type LeanItem = Item & { [LEAN]: true }

/** Whether `item` is a lean copy (or was spread from one) and so lacks its body. */
export const isLean = (item: Item): item is LeanItem => (item as Partial<LeanItem>)[LEAN] === true

const NONE = Object.freeze([]) as unknown as never[]

/**
 * The lean copy of a whole item: what queries, stories, retention and upserts read (ids, dates,
 * source, topics, story, canonical URL, hash, language, title); the rest (body, summary, links,
 * categories, enclosures) is read from the partition when the item leaves the store. Frozen.
 * @example leanItem(item).contentHtml // undefined
 */
export const leanItem = (item: Item): Item => {
  if (isLean(item)) return item
  const lean: LeanItem = {
    id: item.id,
    sourceId: item.sourceId,
    title: item.title,
    ...(item.canonicalUrl !== undefined ? { canonicalUrl: item.canonicalUrl } : {}),
    ...(item.language !== undefined ? { language: item.language } : {}),
    categories: NONE,
    enclosures: NONE,
    publishedAt: item.publishedAt,
    ...(item.updatedAt !== undefined ? { updatedAt: item.updatedAt } : {}),
    fetchedAt: item.fetchedAt,
    contentHash: item.contentHash,
    topics: Object.isFrozen(item.topics)
      ? item.topics
      : (Object.freeze([...item.topics]) as string[]),
    clusterId: item.clusterId,
    ...(item.clusterReason ? { clusterReason: item.clusterReason } : {}),
    [LEAN]: true,
  }
  return Object.freeze(lean)
}

/**
 * The whole item that `after` — built by the memory store from a lean copy (a re-tag, a new
 * story) — stands for: `old`, the whole stored version, with the only fields such a change sets.
 */
export const wholeAgain = (old: Item, after: Item): Item => {
  const { clusterReason: _reason, ...base } = old
  return Object.freeze({
    ...base,
    topics: after.topics,
    clusterId: after.clusterId,
    ...(after.clusterReason ? { clusterReason: after.clusterReason } : {}),
  })
}

/** A lean item read from an index file (a fresh object from JSON): marked and frozen in place. */
export const adoptLean = (raw: Record<string, unknown>): Item => {
  raw.categories = NONE
  raw.enclosures = NONE
  Object.freeze(raw.topics)
  if (raw.clusterReason) Object.freeze(raw.clusterReason)
  ;(raw as Record<symbol, unknown>)[LEAN] = true
  return Object.freeze(raw) as unknown as Item
}

/**
 * The {@link wordFilter} of the words of {@link searchTextOf}: an item whose filter lacks a word
 * cannot match a term with it; one whose filter may have it is checked on its whole text.
 */
export const wordsOf = (item: Item): string =>
  wordFilter(
    searchTextOf(item)
      .split(' ')
      .filter((w) => w !== '' && w !== '|'),
  )
