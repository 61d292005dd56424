/** A least-recently-used cache by id, bounded by the bytes its values stand for: whole items read back from partitions, their search texts. */
/**
 * Values by id, dropping the least recently used once their sizes add up to more than `maxBytes`
 * (for a whole item: its JSON's size; the parsed object takes a small multiple of that).
 * @example const cache = createBodyCache<Item>(16 << 20); cache.set(item.id, item, 1800)
 */
export const createBodyCache = <T>(maxBytes: number) => {
  const entries = new Map<string, { value: T; bytes: number }>()
  let total = 0
  const drop = (id: string): void => {
    const e = entries.get(id)
    if (!e) return
    entries.delete(id)
    total -= e.bytes
  }
  return {
    get(id: string): T | undefined {
      const e = entries.get(id)
      if (!e) return undefined
      // Map keeps insertion order: re-inserting makes it the most recent.
      entries.delete(id)
      entries.set(id, e)
      return e.value
    },
    set(id: string, value: T, bytes: number): void {
      drop(id)
      if (bytes > maxBytes) return
      entries.set(id, { value, bytes })
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
