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

/** Six bits a character, in base64url's alphabet: the filter is its own text in an index file. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i
/** The character code of each six-bit value. */
const CODE = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0))

/**
 * The filter of a set of (normalised) words, as a string of six bits a character (compact in
 * memory and in JSON, read without decoding, and no typed array object per item).
 * @example mayHave(wordFilter(['torkham']), probeOf('torkham')) // true
 */
export const wordFilter = (words: Iterable<string>): string => {
  const list = [...new Set(words)]
  const cells = new Uint8Array(Math.max(1, Math.ceil((list.length * BITS_PER_WORD) / 6)))
  const bits = cells.length * 6
  for (const w of list) {
    // (a + k·b) mod bits, as mayHave probes, stepped in small integers: the same bits without a
    // floating-point remainder per probe (this runs for every word of every item stored).
    let bit = fnv(w, 2166136261) % bits
    const step = ((fnv(w, 0x9747b28c) | 1) >>> 0) % bits
    for (let k = 0; k < PROBES; k++) {
      cells[(bit / 6) | 0]! |= 1 << (bit % 6)
      bit += step
      if (bit >= bits) bit -= bits
    }
  }
  for (let i = 0; i < cells.length; i++) cells[i] = CODE[cells[i]!]!
  // One flat string: appending a character at a time leaves a rope of one node per character that
  // V8 flattens only when the string is read, and a poll's new items are not read until a query
  // comes (a cold fetch --once of 50,000 items held ~400 MB of such ropes).
  return Buffer.from(cells.buffer, cells.byteOffset, cells.length).toString('latin1')
}

/** False: the word is certainly not in the set; true: it probably is (check the text). */
export const mayHave = (filter: string, [a, b]: WordProbe): boolean => {
  const bits = filter.length * 6
  for (let k = 0; k < PROBES; k++) {
    const bit = (a + k * b) % bits
    const cell = VALUE[filter.charCodeAt((bit / 6) | 0) & 127]!
    // A character outside the alphabet (a damaged index) may have anything: check the text.
    if (cell >= 0 && (cell & (1 << (bit % 6))) === 0) return false
  }
  return true
}
