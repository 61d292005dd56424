/** A per-item Bloom filter of the words `q` searches: a compact "may have this word" that keeps every item's words in memory at a fraction of their size. */

/** Bits per distinct word and probes per word: about 1% false positives. */
const BITS_PER_WORD = 10
const PROBES = 7

/** FNV-1a over UTF-16 code units, from `seed`. */
const fnv = (s: string, seed: number): number => {
  let h = seed
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 16777619)
  }
  return h >>> 0
}

/** A word's two hashes (double hashing gives every probe); computed once per query term. */
export type WordProbe = readonly [number, number]

export const probeOf = (word: string): WordProbe => [
  fnv(word, 2166136261),
  (fnv(word, 0x9747b28c) | 1) >>> 0,
]

/**
 * The filter of a set of (normalised) words, as a latin1 string (one byte per character: compact
 * in memory, and no typed array object per item).
 * @example mayHave(wordFilter(['torkham']), probeOf('torkham')) // true
 */
export const wordFilter = (words: Iterable<string>): string => {
  const list = [...new Set(words)]
  const bytes = Buffer.alloc(Math.max(1, Math.ceil((list.length * BITS_PER_WORD) / 8)))
  const bits = bytes.length * 8
  for (const w of list) {
    const [a, b] = probeOf(w)
    for (let k = 0; k < PROBES; k++) {
      const bit = (a + k * b) % bits
      bytes[bit >>> 3]! |= 1 << (bit & 7)
    }
  }
  return bytes.toString('latin1')
}

/** False: the word is certainly not in the set; true: it probably is (check the text). */
export const mayHave = (filter: string, [a, b]: WordProbe): boolean => {
  const bits = filter.length * 8
  for (let k = 0; k < PROBES; k++) {
    const bit = (a + k * b) % bits
    if ((filter.charCodeAt(bit >>> 3) & (1 << (bit & 7))) === 0) return false
  }
  return true
}
