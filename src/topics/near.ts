/** The `near` test: one occurrence of every part within so many words of each other. */
import type { PhraseHits, PhraseSpec } from './phrase-index.js'

/**
 * True when one occurrence of every part can be picked with all pairs within `within` words: the
 * gap from the end of one to the start of another is at most `within` (adjacent words: 1).
 * Sweeps the occurrences in order, keeping the latest of each part (it has the latest end).
 */
export const nearIn = (parts: readonly PhraseSpec[], within: number, hits: PhraseHits) => {
  const lists = parts.map((part) => hits.get(part.id) ?? [])
  if (lists.some((l) => l.length === 0)) return false
  const cursor = lists.map(() => 0)
  const lastEnd = lists.map(() => Number.NEGATIVE_INFINITY)
  for (;;) {
    let j = -1
    let start = Number.POSITIVE_INFINITY
    lists.forEach((l, k) => {
      const s = l[cursor[k] ?? 0]
      if (s !== undefined && s < start) [j, start] = [k, s]
    })
    if (j < 0) return false
    cursor[j] = (cursor[j] ?? 0) + 1
    lastEnd[j] = start + (parts[j]?.tokens.length ?? 1) - 1
    if (start - Math.min(...lastEnd) <= within) return true
  }
}
