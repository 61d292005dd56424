/** The entries each source published at its last stored poll, so unchanged ones skip the pipeline. */
import type { Item, Source } from '../model/types.js'
import { digest } from '../util/hash.js'
import type { ParsedFeed } from './parse/types.js'

/**
 * Remembers, per source, the entries its last stored poll saw (a key of each entry's text, and
 * what its item is known by); an entry seen again unchanged skips parsing, normalising, tagging
 * and clustering.
 */
export interface EntryMemo {
  /** The entries of the source's last stored poll: entry key → identity (see entry-memo.ts). */
  get(sourceId: string): ReadonlyMap<string, string> | undefined
  set(sourceId: string, entries: ReadonlyMap<string, string>): void
}

/** An in-memory EntryMemo (rebuilt after a restart by the first poll of each source). */
export const createEntryMemo = (): EntryMemo => {
  const bySource = new Map<string, ReadonlyMap<string, string>>()
  return {
    get: (sourceId) => bySource.get(sourceId),
    set: (sourceId, entries) => {
      bySource.set(sourceId, entries)
    },
  }
}

/**
 * What an entry's item is known by within its source, the keys dedupeWithinSource compares, as one
 * string (newline-separated: `id:…`, then `guid:…` and `url:…` when it has them), as the memo keeps it.
 */
export const identityOf = (item: Pick<Item, 'id' | 'guid' | 'canonicalUrl'>): string => {
  // Built as one string (no array of keys): main rebuilds it per entry (workers/wire.ts).
  let identity = `id:${item.id}`
  if (item.guid !== undefined) identity += `\nguid:${item.guid}`
  if (item.canonicalUrl !== undefined) identity += `\nurl:${item.canonicalUrl}`
  return identity
}

/**
 * A key per parsed entry: a hash of its raw fields, the feed context and the source settings. An
 * entry with the key of one the last stored poll saw would normalise to the same item.
 */
export const parsedEntryKeys = (feed: ParsedFeed, source: Source, feedUrl: string): string[] => {
  const context = JSON.stringify([
    source.id,
    source.language,
    source.timezone,
    feedUrl,
    feed.link,
    feed.language,
  ])
  return feed.entries.map((e) => digest('sha1', context + JSON.stringify(e), 'base64url'))
}

/**
 * Whether the items of new entries could change what the skipped ones stand for: one of them
 * shares an id, guid or canonical URL with a skipped entry (a guid reused for another story
 * changes both ids, see findReusedGuids; a second entry with a known URL is a duplicate, see
 * dedupeWithinSource). Then the document must be processed whole. An identity the memo lacks
 * counts as a clash.
 */
export const clashesWithSkipped = (
  fresh: readonly Item[],
  skippedIdentities: readonly (string | undefined)[],
): boolean => {
  if (skippedIdentities.length === 0) return false
  if (skippedIdentities.includes(undefined)) return true
  // Nothing new (a version that changed only its dates, say): nothing to clash, and no set to build.
  if (fresh.length === 0) return false
  const taken = new Set<string>()
  for (const identity of skippedIdentities)
    for (const k of identity?.split('\n') ?? []) taken.add(k)
  return fresh.some((item) =>
    identityOf(item)
      .split('\n')
      .some((k) => taken.has(k)),
  )
}
