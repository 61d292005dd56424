/** InternPool: one shared copy of the strings and topic lists that many lean items repeat. */

/**
 * Hands back one shared instance for equal strings and equal string lists (frozen). Items that
 * cross from a worker thread or come out of JSON.parse hold a copy each of their source id,
 * language, fetch date and topics, tens of thousands of copies of a few hundred values after an
 * import. At most `cap` values of each kind are remembered: a full pool starts over (values already
 * handed out stay shared), so a long run of distinct values costs lookups, never unbounded memory.
 * @example const pool = createInternPool(); pool.str(a) === pool.str(b) // when a === b
 */
export interface InternPool {
  str(s: string): string
  /** A frozen list equal to `list`, of pooled strings. */
  list(list: readonly string[]): readonly string[]
}

export const createInternPool = (cap = 4096): InternPool => {
  const strings = new Map<string, string>()
  const lists = new Map<string, readonly string[]>()
  const str = (s: string): string => {
    const seen = strings.get(s)
    if (seen !== undefined) return seen
    if (strings.size >= cap) strings.clear()
    strings.set(s, s)
    return s
  }
  return {
    str,
    list(list) {
      const key = list.join('\u0000')
      const seen = lists.get(key)
      // Compared in full: joined keys of lists whose strings hold the separator may collide.
      if (seen?.length === list.length && seen.every((t, k) => t === list[k])) return seen
      if (lists.size >= cap) lists.clear()
      const shared = Object.freeze(list.map(str))
      lists.set(key, shared)
      return shared
    },
  }
}
