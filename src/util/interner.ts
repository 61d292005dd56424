/** Interner: one string object for each distinct value, for data that keeps many equal strings. */

/**
 * Strings that arrive as fresh copies of a few values (day names sliced from dates, source ids
 * that crossed from a worker thread) and are kept by thousands of records: each record then holds
 * the one copy the interner keeps instead of its own.
 */
export interface Interner {
  /** The kept string equal to `s` (`s` itself the first time). */
  of(s: string): string
  /** Forgets `s` (a value no record holds any more). */
  drop(s: string): void
}

/**
 * @example
 * const days = createInterner()
 * days.of(iso.slice(0, 10)) === days.of(other.slice(0, 10)) // one object when the days are equal
 */
export const createInterner = (): Interner => {
  const kept = new Map<string, string>()
  return {
    of(s) {
      const known = kept.get(s)
      if (known !== undefined) return known
      kept.set(s, s)
      return s
    },
    drop(s) {
      kept.delete(s)
    },
  }
}
