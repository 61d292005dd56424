/**
 * An AnalysedFeed as the worker posts it, and back: encodeFeed in the worker, decodeFeed on the
 * main thread. The one place that knows the message's shape (a new item field goes here).
 */
import type { Enclosure, Item } from '../../model/types.js'
import type { StoryFacts } from '../../stories/facts.js'
import { noFacts, saysNothing } from '../../stories/facts.js'
import type { AnalysedFeed } from '../analyse.js'
import { cutSummaryOf } from '../cut-summary.js'
import { identityOf } from '../entry-memo.js'
import { type PackedFeatures, packFeatures, unpackFeatures } from './packed-features.js'

/**
 * A feed's analysis, shaped for the copy between threads. A structured clone copies every string
 * and every property name of every item: an item as an object cost ~3.5 KB of message for a
 * feed of the peers benchmark, a third of it waste. Here the items go column by column:
 * - their strings in one list, in item order, each field in ITEM_KEYS order; a field equal to
 *   one the receiver has already (clusterId = id, canonicalUrl = url, guid = url, the feed's
 *   source id, fetch time and language) is a flag, not a string;
 * - short strings that repeat within a feed (authors, categories, dates, topic ids) once, in
 *   `dict`, referred to by index;
 * - a summary normalize.ts cut with "…" as the text before it (cutSummaryOf): the ellipsis makes
 *   the whole string two bytes a character in the copy, the text before it is one when it is
 *   Latin-1 (main adds the "…" back);
 * - story facts that say nothing (most items) as 0.
 * An item this shape cannot describe exactly (a field it does not know, another key order) goes
 * as it is.
 */
export interface WireFeed {
  n: number
  /** Per item: its flags (F_*), then the lengths of its categories and topics, then dict indexes. */
  ints: number[]
  /** The items' own strings, in item and ITEM_KEYS order. */
  text: string[]
  /** Repeated strings, referred to by index from `ints`. */
  dict: string[]
  /** Enclosure lists that are not empty, and whole items (F_RAW), in item order. */
  objects: (Enclosure[] | Item)[]
  sourceId: string
  fetchedAt: string
  language?: string
  /** The entry keys, in document order. */
  entryKeys: string[]
  /** Per entry: its identity, or the index of the item it is the identity of (identityOf). */
  entryIds: (string | number)[]
  skipped: number
  ttlMinutes?: number
  recovered: string[]
  /** Fields of the AnalysedFeed that this shape does not know, as they are. */
  others?: Partial<AnalysedFeed>
  /** The story features, packed; their facts 0 when they say nothing. */
  features?: Omit<PackedFeatures, 'facts'> & { facts: (StoryFacts | 0)[] }
}

/** The keys of an item in the order normalize.ts writes them (optional ones may be absent). */
const ITEM_KEYS = [
  'id',
  'sourceId',
  'guid',
  'url',
  'canonicalUrl',
  'title',
  'summary',
  'contentHtml',
  'author',
  'language',
  'categories',
  'enclosures',
  'publishedAt',
  'fetchedAt',
  'contentHash',
  'topics',
  'clusterId',
] as const

const F_RAW = 1
const F_GUID = 2
const F_GUID_IS_URL = 4
const F_URL = 8
const F_CANONICAL_IS_URL = 16
const F_SUMMARY = 32
const F_SUMMARY_CUT = 64
const F_CONTENT = 128
const F_AUTHOR = 256
const F_LANGUAGE = 512
const F_ENCLOSURES = 1024
/** Every optional field of an item is there. */
const F_ALL_OPTIONAL = F_GUID | F_URL | F_SUMMARY | F_CONTENT | F_AUTHOR | F_LANGUAGE

/** The keys of ITEM_KEYS an item this shape describes may lack (the F_* flags say which it has). */
const OPTIONAL_KEYS: ReadonlySet<string> = new Set([
  'guid',
  'url',
  'summary',
  'contentHtml',
  'author',
  'language',
])

const ELLIPSIS = '\u2026'

/**
 * Whether `item` has exactly the keys the flags say, in ITEM_KEYS order (what decode rebuilds).
 * A key present with the value undefined counts as there: decode would leave it out.
 */
const hasOwnShape = (item: Item): boolean => {
  let k = 0
  for (const key in item) {
    while (k < ITEM_KEYS.length && ITEM_KEYS[k] !== key) {
      // Optional keys may be absent; required ones may not.
      if (!OPTIONAL_KEYS.has(ITEM_KEYS[k] as string)) return false
      k++
    }
    if (k === ITEM_KEYS.length) return false
    if ((item as unknown as Record<string, unknown>)[key] === undefined) return false
    k++
  }
  return k === ITEM_KEYS.length
}

/**
 * The entries of a feed, their identities as the index of the item they identify where they do:
 * the items are the fresh entries' in order, less duplicates (analyse.ts), and main rebuilds the
 * identity from the item it has anyway.
 */
const encodeEntries = (
  entries: ReadonlyMap<string, string>,
  items: readonly Item[],
): Pick<WireFeed, 'entryKeys' | 'entryIds'> => {
  const entryKeys: string[] = []
  const entryIds: (string | number)[] = []
  let next = 0
  for (const [key, identity] of entries) {
    entryKeys.push(key)
    if (next < items.length && identity === identityOf(items[next] as Item)) entryIds.push(next++)
    else entryIds.push(identity)
  }
  return { entryKeys, entryIds }
}

const decodeEntries = (
  keys: readonly string[],
  ids: readonly (string | number)[],
  items: readonly Item[],
): Map<string, string> => {
  const entries = new Map<string, string>()
  for (let i = 0; i < keys.length; i++) {
    const id = ids[i] as string | number
    entries.set(keys[i] as string, typeof id === 'number' ? identityOf(items[id] as Item) : id)
  }
  return entries
}

/**
 * The worker's message for `feed` and the buffers to transfer with it.
 * @example const { wire, transfer } = encodeFeed(await analyseFeed(input, tagger)); port.postMessage(wire, transfer)
 */
export const encodeFeed = (feed: AnalysedFeed): { wire: WireFeed; transfer: ArrayBuffer[] } => {
  // Fields of an AnalysedFeed this shape does not know (one added since) go as they are.
  const { items, entries, skipped, ttlMinutes, recovered, features, ...others } = feed
  const first = items[0]
  const sourceId = first?.sourceId ?? ''
  const fetchedAt = first?.fetchedAt ?? ''
  const language = first?.language
  const ints: number[] = []
  const text: string[] = []
  const dict: string[] = []
  const objects: WireFeed['objects'] = []
  const index = new Map<string, number>()
  const ref = (s: string): number => {
    let i = index.get(s)
    if (i === undefined) {
      i = dict.length
      dict.push(s)
      index.set(s, i)
    }
    return i
  }
  for (const item of items) {
    if (
      item.sourceId !== sourceId ||
      item.fetchedAt !== fetchedAt ||
      item.clusterId !== item.id ||
      (item.language !== undefined && item.language !== language) ||
      (item.url === undefined) !== (item.canonicalUrl === undefined) ||
      !hasOwnShape(item)
    ) {
      ints.push(F_RAW)
      objects.push(item)
      continue
    }
    const at = ints.length
    let flags = 0
    ints.push(0, item.categories.length, item.topics.length)
    text.push(item.id)
    const { url, guid, summary } = item
    if (guid !== undefined) {
      flags |= F_GUID
      if (guid === url) flags |= F_GUID_IS_URL
      else text.push(guid)
    }
    if (url !== undefined) {
      flags |= F_URL
      text.push(url)
      if (item.canonicalUrl === url) flags |= F_CANONICAL_IS_URL
      else text.push(item.canonicalUrl as string)
    }
    text.push(item.title)
    if (summary !== undefined) {
      flags |= F_SUMMARY
      const head = cutSummaryOf(item)
      if (head !== undefined) {
        flags |= F_SUMMARY_CUT
        text.push(head)
      } else text.push(summary)
    }
    if (item.contentHtml !== undefined) {
      flags |= F_CONTENT
      text.push(item.contentHtml)
    }
    if (item.author !== undefined) {
      flags |= F_AUTHOR
      ints.push(ref(item.author))
    }
    if (item.language !== undefined) flags |= F_LANGUAGE
    for (const c of item.categories) ints.push(ref(c))
    if (item.enclosures.length > 0) {
      flags |= F_ENCLOSURES
      objects.push(item.enclosures)
    }
    ints.push(ref(item.publishedAt))
    text.push(item.contentHash)
    for (const t of item.topics) ints.push(ref(t))
    ints[at] = flags
  }
  const wire: WireFeed = {
    n: items.length,
    ints,
    text,
    dict,
    objects,
    sourceId,
    fetchedAt,
    ...(language === undefined ? {} : { language }),
    ...encodeEntries(entries, items),
    skipped,
    ...(ttlMinutes === undefined ? {} : { ttlMinutes }),
    recovered,
    ...(Object.keys(others).length > 0 ? { others } : {}),
  }
  const transfer: ArrayBuffer[] = []
  if (features) {
    const { data, ends, facts } = packFeatures(features)
    wire.features = { data, ends, facts: facts.map((f) => (saysNothing(f) ? 0 : f)) }
    transfer.push(data.buffer as ArrayBuffer)
  }
  return { wire, transfer }
}

/**
 * The AnalysedFeed the worker encoded: its items equal (key order included) to those it had.
 * @example const analysed = decodeFeed(reply.result)
 */
export const decodeFeed = (wire: WireFeed): AnalysedFeed => {
  const { ints, text, dict, objects, sourceId, fetchedAt, language } = wire
  const items: Item[] = []
  let i = 0
  let t = 0
  let o = 0
  for (let n = 0; n < wire.n; n++) {
    const flags = ints[i++] as number
    if (flags & F_RAW) {
      items.push(objects[o++] as Item)
      continue
    }
    const categoryCount = ints[i++] as number
    const topicCount = ints[i++] as number
    const id = text[t++] as string
    // Read in ITEM_KEYS order, then built in it: the store writes items as JSON, in their key order.
    let guid: string | undefined
    let url: string | undefined
    let canonicalUrl: string | undefined
    if (flags & F_GUID && !(flags & F_GUID_IS_URL)) guid = text[t++] as string
    if (flags & F_URL) {
      url = text[t++] as string
      if (flags & F_GUID_IS_URL) guid = url
      canonicalUrl = flags & F_CANONICAL_IS_URL ? url : (text[t++] as string)
    }
    const title = text[t++] as string
    let summary: string | undefined
    if (flags & F_SUMMARY) {
      summary = text[t++] as string
      // Made flat here (join, not +): a concatenation would be flattened later, by then perhaps
      // in the old generation, leaving the text before the "…" there as garbage until a full GC.
      if (flags & F_SUMMARY_CUT) summary = [summary, ELLIPSIS].join('')
    }
    const contentHtml = flags & F_CONTENT ? (text[t++] as string) : undefined
    const author = flags & F_AUTHOR ? (dict[ints[i++] as number] as string) : undefined
    const categories: string[] = []
    for (let c = 0; c < categoryCount; c++) categories.push(dict[ints[i++] as number] as string)
    const enclosures = flags & F_ENCLOSURES ? (objects[o++] as Enclosure[]) : []
    const publishedAt = dict[ints[i++] as number] as string
    const contentHash = text[t++] as string
    const topics: string[] = []
    for (let c = 0; c < topicCount; c++) topics.push(dict[ints[i++] as number] as string)
    if ((flags & F_ALL_OPTIONAL) === F_ALL_OPTIONAL) {
      // Every field there (most items): one literal, its properties within the object; added one
      // by one, they would go to a properties array beside it, grown several times on the way.
      items.push({
        id,
        sourceId,
        guid: guid as string,
        url: url as string,
        canonicalUrl: canonicalUrl as string,
        title,
        summary: summary as string,
        contentHtml: contentHtml as string,
        author: author as string,
        language: language as string,
        categories,
        enclosures,
        publishedAt,
        fetchedAt,
        contentHash,
        topics,
        clusterId: id,
      })
      continue
    }
    const item = { id, sourceId } as Item
    if (guid !== undefined) item.guid = guid
    if (url !== undefined) {
      item.url = url
      item.canonicalUrl = canonicalUrl as string
    }
    item.title = title
    if (summary !== undefined) item.summary = summary
    if (contentHtml !== undefined) item.contentHtml = contentHtml
    if (author !== undefined) item.author = author
    if (flags & F_LANGUAGE) item.language = language as string
    item.categories = categories
    item.enclosures = enclosures
    item.publishedAt = publishedAt
    item.fetchedAt = fetchedAt
    item.contentHash = contentHash
    item.topics = topics
    item.clusterId = id
    items.push(item)
  }
  const { features } = wire
  return {
    ...wire.others,
    items,
    ...(features
      ? {
          features: unpackFeatures({
            data: features.data,
            ends: features.ends,
            facts: features.facts.map((f) => (f === 0 ? noFacts() : f)),
          }),
        }
      : {}),
    entries: decodeEntries(wire.entryKeys, wire.entryIds, items),
    skipped: wire.skipped,
    ...(wire.ttlMinutes === undefined ? {} : { ttlMinutes: wire.ttlMinutes }),
    recovered: wire.recovered,
  }
}
