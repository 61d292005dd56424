/** LSH band tables and small multimaps for the story index (no story logic here). */

/** Per LSH band, the values whose band key is the same: where candidates come from. */
export interface BandTable<T> {
  add(bands: Uint32Array, value: T): void
  remove(bands: Uint32Array, value: T): void
  /**
   * Calls `f` for every value that shares at least one band key (once per shared band), newest
   * first; at most `maxPerBucket` (default {@link MAX_PER_BUCKET}) values of each bucket. The
   * visit ends as soon as `f` returns true (the caller has seen enough).
   */
  visit(bands: Uint32Array, f: (value: T) => boolean | undefined): void
}

/** How many values of one bucket a visit looks at (the most recently added). */
export const MAX_PER_BUCKET = 64

/** Band keys cut to 30 bits stay small integers in V8 (a wider key is a heap number per entry). */
const SMI = 0x3fffffff

/**
 * Creates a {@link BandTable} of `count` bands. A bucket holds its one value directly (most do)
 * and an array only when it has several, so 100,000 items × 40 bands make no 4 million arrays.
 */
export const createBandTable = <T extends object | number>(
  count: number,
  maxPerBucket = MAX_PER_BUCKET,
): BandTable<T> => {
  const tables = Array.from({ length: count }, () => new Map<number, T | T[]>())
  return {
    add(bands, value) {
      for (let b = 0; b < bands.length; b++) {
        const m = tables[b]!
        const key = bands[b]! & SMI
        const cur = m.get(key)
        if (cur === undefined) m.set(key, value)
        else if (Array.isArray(cur)) cur.push(value)
        else m.set(key, [cur, value])
      }
    },
    remove(bands, value) {
      for (let b = 0; b < bands.length; b++) {
        const m = tables[b]!
        const key = bands[b]! & SMI
        const cur = m.get(key)
        if (cur === value) m.delete(key)
        else if (Array.isArray(cur)) {
          const i = cur.indexOf(value)
          if (i >= 0) cur.splice(i, 1)
          if (cur.length === 1) m.set(key, cur[0]!)
        }
      }
    },
    visit(bands, f) {
      for (let b = 0; b < bands.length; b++) {
        const cur = tables[b]?.get(bands[b]! & SMI)
        if (!Array.isArray(cur)) {
          if (cur !== undefined && f(cur)) return
          continue
        }
        // Newest first, and only the newest few of a crowded bucket: template-like texts (many
        // items sharing most words) must not make each arrival cost the whole window.
        const stop = Math.max(0, cur.length - maxPerBucket)
        for (let i = cur.length - 1; i >= stop; i--) if (f(cur[i]!)) return
      }
    },
  }
}

/** Adds `v` to the list at `key`. */
export const pushTo = <K, V>(m: Map<K, V[]>, key: K, v: V): void => {
  const list = m.get(key)
  if (list) list.push(v)
  else m.set(key, [v])
}

/** Removes `v` from the list at `key`, and the key once its list is empty. */
export const dropFrom = <K, V>(m: Map<K, V[]>, key: K, v: V): void => {
  const list = m.get(key)
  if (!list) return
  const i = list.indexOf(v)
  if (i >= 0) list.splice(i, 1)
  if (list.length === 0) m.delete(key)
}

/** Adds `delta` to the count of every key, cut to 30 bits (deleting counts that reach 0). */
export const countKeys = (m: Map<number, number>, keys: Uint32Array, delta: 1 | -1): void => {
  for (const key of keys) {
    const k = key & SMI
    const n = (m.get(k) ?? 0) + delta
    if (n > 0) m.set(k, n)
    else m.delete(k)
  }
}

/** The count of a key kept by {@link countKeys}. */
export const countOf = (m: ReadonlyMap<number, number>, key: number): number =>
  m.get(key & SMI) ?? 0
