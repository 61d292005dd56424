/** A row's word signature: a 1,024-bit filter of its distinct words, kept beside the walk order so a `q` walk skips rows without a needed word on the index alone. */

/** Bits of a signature; the column is `bit(1024)` (migration 6). */
export const WORD_SIG_BITS = 1024

/**
 * The signature of `words` as PostgreSQL's hexadecimal bit-string input (`X` and 256 digits):
 * two bits per word, from a 32-bit FNV-1a hash of its UTF-16 code units. A row holding a word
 * has both its bits set, so `(word_sig & mask) = mask` (queried as the sum of the mask's bits,
 * {@link signatureBits}, read with `get_bit`: item-query.ts) never drops a row that holds every word
 * of the mask; other words may set them too (about one row in seven for a one-word mask at 200
 * distinct words a row), which the text check after it rejects. Computed here for the rows
 * written and for the masks queried, so the hash is this code's and no server version changes it.
 */
export const wordSignature = (words: Iterable<string>): string => {
  const bytes = new Uint8Array(WORD_SIG_BITS / 8)
  for (const bit of signatureBits(words)) bytes[bit >> 3]! |= 0x80 >> (bit & 7)
  return `X${Buffer.from(bytes).toString('hex')}`
}

/**
 * The bits {@link wordSignature} sets for `words`, ascending, each once: numbered from the left
 * as PostgreSQL's `get_bit` numbers a bit string's (bit 0 is the first byte's highest).
 */
export const signatureBits = (words: Iterable<string>): number[] => {
  const bits = new Set<number>()
  for (const w of words) {
    let h = 0x811c9dc5
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193)
    bits.add(h & (WORD_SIG_BITS - 1)).add((h >>> 16) & (WORD_SIG_BITS - 1))
  }
  return [...bits].sort((a, b) => a - b)
}
