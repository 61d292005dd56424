/** The raw entries each source published at its last stored poll, so unchanged ones skip the pipeline. */
import { createHash } from 'node:crypto'
import type { EntryMemo, Source } from '../model/types.js'
import type { ParsedEntry, ParsedFeed } from './parse.js'

/** An in-memory EntryMemo (rebuilt after a restart by the first poll of each source). */
export const createEntryMemo = (): EntryMemo => {
  const bySource = new Map<string, ReadonlySet<string>>()
  return {
    has: (sourceId, key) => bySource.get(sourceId)?.has(key) ?? false,
    get: (sourceId) => bySource.get(sourceId),
    set: (sourceId, keys) => {
      bySource.set(sourceId, keys)
    },
  }
}

/**
 * Splits a parsed feed into the entries that need processing and the keys of all entries.
 * An entry whose raw fields, feed context and source settings are byte-for-byte what the last
 * stored poll saw would normalise to the same item: it is counted as unchanged and skipped
 * (normalising and sanitising dominate a poll's cost). A feed that reuses a guid is processed
 * whole, since its ids depend on the other entries.
 */
export const freshEntries = (
  feed: ParsedFeed,
  source: Source,
  feedUrl: string,
  memo: EntryMemo | undefined,
): { entries: ParsedEntry[]; keys: Set<string>; skipped: number } => {
  const context = JSON.stringify([
    source.id,
    source.language,
    source.timezone,
    feedUrl,
    feed.link,
    feed.language,
  ])
  const keys = feed.entries.map((e) =>
    createHash('sha1').update(context).update(JSON.stringify(e)).digest('base64url'),
  )
  const all = new Set(keys)
  if (!memo || reusesGuid(feed.entries)) return { entries: feed.entries, keys: all, skipped: 0 }
  const entries = feed.entries.filter((_, i) => !memo.has(source.id, keys[i] ?? ''))
  return { entries, keys: all, skipped: feed.entries.length - entries.length }
}

const reusesGuid = (entries: readonly ParsedEntry[]): boolean => {
  const seen = new Set<string>()
  for (const e of entries) {
    if (e.guid === undefined) continue
    if (seen.has(e.guid)) return true
    seen.add(e.guid)
  }
  return false
}
