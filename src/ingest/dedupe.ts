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
  const keys = new Map<string, Set<string>>()
  for (const { guid, key } of uses) {
    if (guid === undefined) continue
    const set = keys.get(guid) ?? new Set<string>()
    set.add(key)
    keys.set(guid, set)
  }
  return new Set([...keys].filter(([, set]) => set.size > 1).map(([guid]) => guid))
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
  const seen = new Set<string>()
  const out: Item[] = []
  for (const item of items) {
    const keys = [`id:${item.id}`]
    if (item.guid !== undefined && !reused.has(item.guid)) keys.push(`guid:${item.guid}`)
    if (item.canonicalUrl !== undefined) keys.push(`url:${item.canonicalUrl}`)
    if (keys.some((k) => seen.has(k))) continue
    for (const k of keys) seen.add(k)
    out.push(item)
  }
  return out
}
