/** Stories across sources: items with the same canonical URL share one cluster id (pure). */
import type { Item } from '../model/types.js'

/**
 * Gives each item the cluster of a recent item with the same canonical URL; an item already stored
 * keeps its cluster, so story ids never change. Near-duplicate clustering builds on this later.
 * @param recent items already stored within the clustering window (any source)
 */
export const assignClusters = (items: readonly Item[], recent: readonly Item[]): Item[] => {
  const byId = new Map<string, Item>()
  const byUrl = new Map<string, Item>()
  const remember = (item: Item) => {
    byId.set(item.id, item)
    if (!item.canonicalUrl) return
    const seen = byUrl.get(item.canonicalUrl)
    // The earliest item of a URL leads its cluster, whatever order the store returns.
    if (!seen || item.publishedAt < seen.publishedAt) byUrl.set(item.canonicalUrl, item)
  }
  for (const r of recent) remember(r)
  return items.map((item) => {
    const stored = byId.get(item.id)
    const sameUrl = item.canonicalUrl ? byUrl.get(item.canonicalUrl) : undefined
    const clusterId = stored?.clusterId ?? sameUrl?.clusterId ?? item.id
    const out = clusterId === item.clusterId ? item : { ...item, clusterId }
    if (!stored) remember(out)
    return out
  })
}
