/** Duplicates within one source's batch: the same guid, else the same canonical URL; first wins. */
import type { Item } from '../model/types.js'

/** An entry's guid and the identity it would have without one (canonical URL, else title|date). */
export interface GuidUse {
  guid?: string
  key: string
}

/**
 * Guids that a feed reuses for different stories: shared by entries whose canonical URLs (or,
 * without URLs, title and date) differ. Such entries are identified by guid + URL instead of the
 * guid alone, so they neither collapse into one item nor change ids while the reuse lasts. An
 * exact duplicate (same guid, same URL) is not reuse.
 * @example findReusedGuids([{ guid: 'g', key: 'a' }, { guid: 'g', key: 'b' }]) // Set { 'g' }
 */
export const findReusedGuids = (uses: readonly GuidUse[]): Set<string> => {
  // A guid is reused once a key other than its first comes: the first key is all there is to keep.
  const first = new Map<string, string>()
  const reused = new Set<string>()
  for (const { guid, key } of uses) {
    if (guid === undefined) continue
    const seen = first.get(guid)
    if (seen === undefined) first.set(guid, key)
    else if (seen !== key) reused.add(guid)
  }
  return reused
}

/** The identity an item would have without its guid. */
const fallbackKey = (i: Pick<Item, 'canonicalUrl' | 'title' | 'publishedAt'>): string =>
  i.canonicalUrl ?? `${i.title}|${i.publishedAt}`

/**
 * Removes duplicates from one parsed batch, keeping the first of each: the same id, the same guid
 * (unless the feed reuses that guid for different stories, see `findReusedGuids`), or the same
 * canonical URL. Pure; order is preserved.
 * @example dedupeWithinSource([a, aAgain, b]) // [a, b]
 */
export const dedupeWithinSource = (items: Item[]): Item[] => {
  const reused = findReusedGuids(items.map((i) => ({ guid: i.guid, key: fallbackKey(i) })))
  // One set per kind of key, so the strings themselves are the keys (no prefixed copy per item).
  const ids = new Set<string>()
  const guids = new Set<string>()
  const urls = new Set<string>()
  const out: Item[] = []
  for (const item of items) {
    const { id, canonicalUrl: url } = item
    const guid = item.guid !== undefined && !reused.has(item.guid) ? item.guid : undefined
    if (
      ids.has(id) ||
      (guid !== undefined && guids.has(guid)) ||
      (url !== undefined && urls.has(url))
    )
      continue
    ids.add(id)
    if (guid !== undefined) guids.add(guid)
    if (url !== undefined) urls.add(url)
    out.push(item)
  }
  return out
}
