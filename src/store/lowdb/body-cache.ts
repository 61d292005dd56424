/** A least-recently-used cache of whole items read back from partitions, bounded by their bytes on disk. */
import type { Item } from '../../model/types.js'

/**
 * Whole items by id, dropping the least recently used once their JSON sizes add up to more than
 * `maxBytes` (parsed objects take a small multiple of that).
 * @example const cache = createBodyCache(16 << 20); cache.set(item, 1800); cache.get(item.id)
 */
export const createBodyCache = (maxBytes: number) => {
  const entries = new Map<string, { item: Item; bytes: number }>()
  let total = 0
  const drop = (id: string): void => {
    const e = entries.get(id)
    if (!e) return
    entries.delete(id)
    total -= e.bytes
  }
  return {
    get(id: string): Item | undefined {
      const e = entries.get(id)
      if (!e) return undefined
      // Map keeps insertion order: re-inserting makes it the most recent.
      entries.delete(id)
      entries.set(id, e)
      return e.item
    },
    set(item: Item, bytes: number): void {
      drop(item.id)
      if (bytes > maxBytes) return
      entries.set(item.id, { item, bytes })
      total += bytes
      for (const id of entries.keys()) {
        if (total <= maxBytes) break
        drop(id)
      }
    },
    delete: drop,
    clear(): void {
      entries.clear()
      total = 0
    },
    get bytes(): number {
      return total
    },
  }
}
