/** What the partitioned store keeps in memory of an item: what queries and upserts read, not its body. */
import type { ClusterReason, Item } from '../../model/types.js'
import { frozenReason } from '../frozen-reason.js'
import { createInternPool } from './intern-pool.js'

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
  // Equal strings are passed as one (a fetch date that is the publication date, a story named
  // after its only report): a lean copy holds one string where it would hold two.
  const { id, publishedAt, topics } = item
  return makeLean(
    id,
    item.sourceId,
    item.title,
    item.canonicalUrl,
    item.language,
    publishedAt,
    item.updatedAt,
    item.fetchedAt === publishedAt ? publishedAt : item.fetchedAt,
    item.contentHash,
    topics,
    item.clusterId === id ? id : item.clusterId,
    // A save's item comes unfrozen (memory.ts `onItem`); the story index's reasons are frozen.
    item.clusterReason && !Object.isFrozen(item.clusterReason)
      ? frozenReason(item.clusterReason)
      : item.clusterReason,
  )
}

/**
 * The values many lean items repeat (source ids, languages, fetch dates, topic lists), one copy
 * each: items from a worker thread or an index file's JSON otherwise hold a copy apiece.
 */
const pool = createInternPool()

/**
 * One shape for every lean item (absent fields are undefined, not missing): objects of one
 * shape are smaller and faster to build than objects whose keys vary. Repeated values pooled.
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
  topics: readonly string[],
  clusterId: string,
  clusterReason: Item['clusterReason'],
): Item => {
  const lean = {
    id,
    sourceId: pool.str(sourceId),
    title,
    canonicalUrl,
    language: language === undefined ? undefined : pool.str(language),
    categories: NONE,
    enclosures: NONE,
    publishedAt,
    updatedAt,
    fetchedAt: fetchedAt === publishedAt ? publishedAt : pool.str(fetchedAt),
    contentHash,
    topics: topics.length === 0 ? NONE : (pool.list(topics) as string[]),
    clusterId,
    clusterReason,
    [LEAN]: true,
  }
  return Object.freeze(lean) as Item
}

const str = (v: unknown): v is string => typeof v === 'string'
const opt = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/**
 * A lean item from its fields as an index file's columns give them (checked there): topics that
 * are empty share one frozen array, as most items have none.
 */
export const leanOf = (
  id: string,
  sourceId: string,
  title: string,
  canonicalUrl: string | undefined,
  language: string | undefined,
  publishedAt: string,
  updatedAt: string | undefined,
  fetchedAt: string,
  contentHash: string,
  topics: readonly string[],
  clusterId: string,
  clusterReason: Item['clusterReason'],
): Item =>
  makeLean(
    id,
    sourceId,
    title,
    canonicalUrl,
    language,
    publishedAt,
    updatedAt,
    fetchedAt,
    contentHash,
    topics,
    clusterId,
    clusterReason && Object.freeze(clusterReason),
  )

/**
 * The lean item of a row of an index of format 2 or 3 (its fields in a fixed order: id, source,
 * title, canonical URL, language, published, updated, fetched, hash, topics, story, reason), or
 * undefined when the row is not one.
 */
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
    topics as string[],
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
