/** A per-item Bloom filter of the words `q` searches: a compact "may have this word" that keeps every item's words in memory at a fraction of their size. */
import type { Item } from '../model/types.js'
import { htmlToText, normalizeText, takesAsciiPath } from './text.js'

/** The parts of an item that `q` searches. */
export type SearchableItem = Pick<Item, 'title' | 'summary' | 'contentHtml' | 'categories'>

/**
 * The fields of store/query.ts `searchTextOf`, in its order, before normalising: title, summary,
 * content text, categories.
 */
export const searchFieldsOf = (item: SearchableItem): string[] => [
  item.title,
  item.summary ?? '',
  htmlToText(item.contentHtml ?? ''),
  ...item.categories,
]

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
    // `| 0`: the remainders of uint32 hashes are doubles; as int32 the probes below stay in
    // integer arithmetic instead of a floating-point remainder by 6 per probe.
    let bit = (fnv(w, 2166136261) % bits) | 0
    const step = (((fnv(w, 0x9747b28c) | 1) >>> 0) % bits) | 0
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

/** Hash pairs of a text's distinct words, reused from item to item (one thread runs one at a time). */
let firsts = new Uint32Array(1024)
let seconds = new Uint32Array(1024)
/**
 * Open-addressed set of pairs for the text of turn `turn`: a slot is taken when `turns` holds that
 * turn there (no clearing per text), and then holds 1 + the pair's position in `firsts`/`seconds`.
 */
let slots = new Int32Array(4096)
let turns = new Uint32Array(4096)
let turn = 0

/** Where pair `a`, `b` is, or the free slot it takes, in a table of `mask` + 1 slots. */
const slotOf = (a: number, b: number, mask: number): number => {
  let at = (a ^ Math.imul(b, 0x9e3779b1)) & mask
  while (turns[at] === turn) {
    const k = slots[at]! - 1
    if (firsts[k] === a && seconds[k] === b) return at
    at = (at + 1) & mask
  }
  return at
}

/** The pair arrays and the table made larger for `count` pairs, the table filled again. */
const grow = (count: number): void => {
  if (count === firsts.length) {
    const more = (from: Uint32Array) => {
      const to = new Uint32Array(from.length * 2)
      to.set(from)
      return to
    }
    firsts = more(firsts)
    seconds = more(seconds)
  }
  if (count * 4 > slots.length) {
    slots = new Int32Array(slots.length * 2)
    turns = new Uint32Array(slots.length)
    turn = 1
    const mask = slots.length - 1
    for (let k = 0; k < count; k++) {
      const at = slotOf(firsts[k]!, seconds[k]!, mask)
      turns[at] = turn
      slots[at] = k + 1
    }
  }
}

/** Distinct words (hash pairs) of the filter being built. */
let count = 0

/** Starts the pairs of a new filter (the table is not cleared: a new turn marks its slots free). */
const startWords = (): void => {
  turn = (turn + 1) >>> 0
  if (turn === 0) {
    turns.fill(0)
    turn = 1
  }
  count = 0
}

/** Adds the word whose two FNV hashes are `a`, `b` (unless it is there already). */
const addPair = (a: number, b: number): void => {
  const h1 = a >>> 0
  const h2 = b >>> 0
  const at = slotOf(h1, h2, slots.length - 1)
  if (turns[at] === turn) return
  turns[at] = turn
  firsts[count] = h1
  seconds[count] = h2
  slots[at] = ++count
  if (count === firsts.length || count * 4 > slots.length) grow(count)
}

/** Adds the words of `text` separated by single spaces (empty words and a lone `|` left out). */
const addSpaced = (text: string): void => {
  let a = 2166136261
  let b = 0x9747b28c
  let length = 0
  let bar = false
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32
    if (c !== 32) {
      a = Math.imul(a ^ c, 16777619)
      b = Math.imul(b ^ c, 16777619)
      bar = length === 0 && c === 124
      length++
      continue
    }
    if (length > 0 && !(length === 1 && bar)) addPair(a, b)
    a = 2166136261
    b = 0x9747b28c
    length = 0
  }
}

/**
 * Adds the words `normalizeText` (topics/text.ts) makes of `raw`, which has no character beyond
 * ASCII but `…`: its runs of ASCII letters and digits, letters lower-cased, as they are scanned
 * (no lower-cased copy, no replaced copy, no trimmed copy of each field of each item).
 */
const addAsciiWords = (raw: string): void => {
  let a = 2166136261
  let b = 0x9747b28c
  let length = 0
  for (let i = 0; i <= raw.length; i++) {
    let c = i < raw.length ? raw.charCodeAt(i) : 32
    if (c >= 65 && c <= 90) c += 32
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      a = Math.imul(a ^ c, 16777619)
      b = Math.imul(b ^ c, 16777619)
      length++
      continue
    }
    if (length > 0) addPair(a, b)
    a = 2166136261
    b = 0x9747b28c
    length = 0
  }
}

/** The filter of the words added since {@link startWords}. */
const finishWords = (): string => {
  const cells = new Uint8Array(Math.max(1, Math.ceil((count * BITS_PER_WORD) / 6)))
  const bits = cells.length * 6
  for (let k = 0; k < count; k++) {
    // In int32, as wordFilter's probes (see there).
    let bit = (firsts[k]! % bits) | 0
    const step = (((seconds[k]! | 1) >>> 0) % bits) | 0
    for (let p = 0; p < PROBES; p++) {
      cells[(bit / 6) | 0]! |= 1 << (bit % 6)
      bit += step
      if (bit >= bits) bit -= bits
    }
  }
  for (let i = 0; i < cells.length; i++) cells[i] = CODE[cells[i]!]!
  return Buffer.from(cells.buffer, cells.byteOffset, cells.length).toString('latin1')
}

/**
 * {@link wordFilter} of the words of `text` separated by single spaces (empty words and `|`, the
 * field separator of a search text, left out), the same bits for the same words: hashed as they
 * are scanned and told apart by their two hashes, without a string per word or a set of them (it
 * runs for every item stored). Two words would have to share both 32-bit hashes to count once.
 * @example wordFilterOfText(' torkham | border ') === wordFilter(['torkham', 'border']) // true
 */
export const wordFilterOfText = (text: string): string => {
  startWords()
  addSpaced(text)
  return finishWords()
}

/** Adds the words `normalizeText` makes of `field`: straight from its characters when it is ASCII. */
const addField = (field: string): void => {
  if (takesAsciiPath(field)) addAsciiWords(field)
  else addSpaced(normalizeText(field))
}

/**
 * The word filter of the words of store/query.ts `searchTextOf`: an item whose filter lacks a
 * word cannot match a term with it; one whose filter may have it is checked on its whole text.
 * The filter {@link wordFilterOfText} makes of that text, made from the same fields without
 * building it: a field of ASCII (most fields of most items) is hashed straight from its
 * characters, any other normalised first. It runs for every item stored (in the analysis worker
 * for a poll's new items, see ingest/analyse.ts); a test holds it to the filter of the text.
 * @example wordsOf(item) === wordFilterOfText(searchTextOf(item)) // true
 */
export const wordsOf = (item: SearchableItem): string => {
  const fields = searchFieldsOf(item)
  startWords()
  addField(fields[0] as string)
  // A summary cut from the content (an RSS description that is both) adds no word of its own.
  if (!coveredWords(fields[1] as string, fields[2] as string)) addField(fields[1] as string)
  for (let k = 2; k < fields.length; k++) addField(fields[k] as string)
  return finishWords()
}

/** Whether `c` is a character of a word of normalizeText's ASCII path (a letter or a digit). */
const isWordChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)

/**
 * Whether every word of `part` is a word of `whole` too, as far as a cheap test tells (false: not
 * known): both take normalizeText's ASCII path, and `part`, less a final `…`, is the start of
 * `whole` and ends where a word of `whole` ends. A summary cut from an item's content is: its
 * words then add nothing to the item's {@link wordsOf}, and need not be hashed.
 * @example coveredWords('Torkham reopens…', 'Torkham reopens to trade') // true
 */
export const coveredWords = (part: string, whole: string): boolean => {
  const n = part.endsWith('\u2026') ? part.length - 1 : part.length
  if (n > whole.length || !takesAsciiPath(part) || !takesAsciiPath(whole)) return false
  if (!whole.startsWith(n === part.length ? part : part.slice(0, n))) return false
  return n === 0 || !isWordChar(part.charCodeAt(n - 1)) || !isWordChar(whole.charCodeAt(n))
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
