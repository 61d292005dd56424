/** What the partitioned store keeps in memory of an item: what queries and upserts read, not its body. */
import type { ClusterReason, Item } from '../../model/types.js'
import { frozenReason } from '../frozen-reason.js'
import { searchTextOf } from '../query.js'
import { wordFilterOfText } from './word-filter.js'

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
  return makeLean(
    item.id,
    item.sourceId,
    item.title,
    item.canonicalUrl,
    item.language,
    item.publishedAt,
    item.updatedAt,
    item.fetchedAt,
    item.contentHash,
    Object.isFrozen(item.topics) ? item.topics : (Object.freeze([...item.topics]) as string[]),
    item.clusterId,
    item.clusterReason,
  )
}

/**
 * One shape for every lean item (absent fields are undefined, not missing): objects of one
 * shape are smaller and faster to build than objects whose keys vary.
 */
const makeLean = (
  id: string,
  sourceId: string,
  title: string,
  canonicalUrl: string | undefined,
  language: string | undefined,
  publishedAt: string,
  updatedAt: string | undefined,
  fetchedAt: string,
  contentHash: string,
  topics: string[],
  clusterId: string,
  clusterReason: Item['clusterReason'],
): Item => {
  const lean = {
    id,
    sourceId,
    title,
    canonicalUrl,
    language,
    categories: NONE,
    enclosures: NONE,
    publishedAt,
    updatedAt,
    fetchedAt,
    contentHash,
    topics,
    clusterId,
    clusterReason,
    [LEAN]: true,
  }
  return Object.freeze(lean) as Item
}

/** A lean item as an index file keeps it: its fields in a fixed order (no key names). */
export const leanRow = (i: Item): unknown[] => [
  i.id,
  i.sourceId,
  i.title,
  i.canonicalUrl ?? null,
  i.language ?? null,
  i.publishedAt,
  i.updatedAt ?? null,
  i.fetchedAt,
  i.contentHash,
  i.topics,
  i.clusterId,
  i.clusterReason ?? null,
]

const str = (v: unknown): v is string => typeof v === 'string'
const opt = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** The lean item of a {@link leanRow} read back, or undefined when the row is not one. */
export const fromLeanRow = (r: unknown): Item | undefined => {
  if (!Array.isArray(r) || r.length !== 12) return undefined
  const [id, sourceId, title, canonicalUrl, language, publishedAt, updatedAt, fetchedAt, hash] = r
  const [topics, clusterId, reason] = [r[9], r[10], r[11]]
  if (!str(id) || !str(sourceId) || !str(title) || !str(publishedAt) || !str(fetchedAt)) return
  if (!str(hash) || !str(clusterId) || !Array.isArray(topics) || !topics.every(str)) return
  return makeLean(
    id,
    sourceId,
    title,
    opt(canonicalUrl),
    opt(language),
    publishedAt,
    opt(updatedAt),
    fetchedAt,
    hash,
    Object.freeze(topics) as string[],
    clusterId,
    reason && typeof reason === 'object' ? frozenReason(reason as ClusterReason) : undefined,
  )
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

/**
 * The word filter (word-filter.ts) of the words of {@link searchTextOf}: an item whose filter lacks a word
 * cannot match a term with it; one whose filter may have it is checked on its whole text.
 */
export const wordsOf = (item: Item): string => wordFilterOfText(searchTextOf(item))
