/** A per-item Bloom filter of the words `q` searches: a compact "may have this word" that keeps every item's words in memory at a fraction of their size. */
import type { Item } from '../model/types.js'
import { asciiWordHits, type PhraseHits, type PhraseIndex, scanAsciiText } from './phrase-index.js'
import {
  collapseWhitespace,
  contentText,
  htmlToText,
  leadsWith,
  normalizeText,
  summaryLeads,
  takesAsciiPath,
} from './text.js'

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

/**
 * The FNV offset bases of {@link probeOf}'s two hashes as int32 (the same bits): the hashes below
 * stay small integers all along, where a uint32 start made each a double.
 */
const FIRST_BASIS = 2166136261 | 0
const SECOND_BASIS = 0x9747b28c | 0

/**
 * Hash pairs of a text's distinct words as int32 (the bits of the uint32 hashes), reused from item
 * to item (one thread runs one at a time).
 */
let firsts = new Int32Array(1024)
let seconds = new Int32Array(1024)
/**
 * Open-addressed set of pairs for the text of turn `turn`: a slot is taken when `turns` holds that
 * turn there (no clearing per text), and then holds 1 + the pair's position in `firsts`/`seconds`.
 */
let slots = new Int32Array(4096)
let turns = new Int32Array(4096)
/** The current turn: 1 to 2³⁰, then back to 1 with `turns` cleared. */
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
    const more = (from: Int32Array) => {
      const to = new Int32Array(from.length * 2)
      to.set(from)
      return to
    }
    firsts = more(firsts)
    seconds = more(seconds)
  }
  if (count * 4 > slots.length) {
    slots = new Int32Array(slots.length * 2)
    turns = new Int32Array(slots.length)
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
  turn++
  if (turn > 0x40000000) {
    turns.fill(0)
    turn = 1
  }
  count = 0
}

/** Adds the word whose two FNV hashes (as int32) are `a`, `b` (unless it is there already). */
const addPair = (a: number, b: number): void => {
  const at = slotOf(a, b, slots.length - 1)
  if (turns[at] === turn) return
  turns[at] = turn
  firsts[count] = a
  seconds[count] = b
  slots[at] = ++count
  if (count === firsts.length || count * 4 > slots.length) grow(count)
}

/** Adds the words of `text` separated by single spaces (empty words and a lone `|` left out). */
const addSpaced = (text: string): void => {
  let a = FIRST_BASIS
  let b = SECOND_BASIS
  let length = 0
  let bar = false
  const n = text.length
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 32
    if (c !== 32) {
      a = Math.imul(a ^ c, 16777619)
      b = Math.imul(b ^ c, 16777619)
      bar = length === 0 && c === 124
      length++
      continue
    }
    if (length > 0 && !(length === 1 && bar)) addPair(a, b)
    a = FIRST_BASIS
    b = SECOND_BASIS
    length = 0
  }
}

/**
 * The text addAsciiWords reads, one byte a character, reused (a longer text gets a buffer of its
 * own, not kept).
 */
const BYTES = Buffer.allocUnsafe(16384)

/**
 * Adds the words `normalizeText` (topics/text.ts) makes of `raw`, which has no character beyond
 * ASCII but `…`: its runs of ASCII letters and digits, letters lower-cased, as they are scanned
 * (no lower-cased copy, no replaced copy, no trimmed copy of each field of each item). The table
 * is read through locals and a word is added in the loop, as {@link addPair} adds it: the
 * module's variables read for each word cost as much as the scan (it runs for every word of
 * every item stored).
 *
 * With `index`, the same walk also makes phrase-index.ts {@link scanAsciiText}'s hits of `raw`
 * (the tagger's scan of a text whose words go into the filter: one walk of its characters for
 * both, see {@link scanAsciiWords}); returns them (undefined when none or without `index`).
 */
const addAsciiWords = (
  raw: string,
  index?: PhraseIndex,
  tokensOf?: () => readonly string[],
): PhraseHits | undefined => {
  let word = 0
  let hits: PhraseHits | undefined
  const shapes = index?.firstTokenShapes
  const prefixStarts = index?.prefixStarts
  let pairs = firsts
  let seconds2 = seconds
  let table = slots
  let taken = turns
  let mask = table.length - 1
  let now = turn
  let added = count
  const n = raw.length
  // Its characters as bytes, read from a typed array: a byte is cheaper to read than a code unit
  // of a string (whose representation each read checks), and one native copy pays for it on a
  // content (~0.95x the tag + words CPU of an item). Latin-1 keeps each character's low byte:
  // ASCII as it is, and `…` (U+2026) as `&`, a character that separates words as `…` does.
  const text = n <= BYTES.length ? BYTES : Buffer.allocUnsafe(n)
  text.write(raw, 0, n, 'latin1')
  let i = 0
  while (i < n) {
    let c = text[i]!
    // `| 32` lower-cases A–Z and leaves a–z and digits as they are.
    let l = c | 32
    if (!((l >= 97 && l <= 122) || (c >= 48 && c <= 57))) {
      i++
      continue
    }
    // A word: its characters hashed in a loop of its own, to the first that is not one.
    const start = i
    const first = l
    let a = Math.imul(FIRST_BASIS ^ l, 16777619)
    let b = Math.imul(SECOND_BASIS ^ l, 16777619)
    for (i++; i < n; i++) {
      c = text[i]!
      l = c | 32
      if (!((l >= 97 && l <= 122) || (c >= 48 && c <= 57))) break
      a = Math.imul(a ^ l, 16777619)
      b = Math.imul(b ^ l, 16777619)
    }
    let at = (a ^ Math.imul(b, 0x9e3779b1)) & mask
    for (;;) {
      if (taken[at] !== now) {
        taken[at] = now
        pairs[added] = a
        seconds2[added] = b
        table[at] = ++added
        if (added === pairs.length || added * 4 > table.length) {
          count = added
          grow(added)
          pairs = firsts
          seconds2 = seconds
          table = slots
          taken = turns
          mask = table.length - 1
          now = turn
        }
        break
      }
      const k = table[at]! - 1
      if (pairs[k] === a && seconds2[k] === b) break
      at = (at + 1) & mask
    }
    // As scanAsciiText: only a word that may start a phrase or a prefix term is read further.
    if (
      shapes !== undefined &&
      ((shapes[first]! & (1 << Math.min(i - start, 31))) !== 0 || prefixStarts![first] !== 0)
    )
      hits = asciiWordHits(raw, start, i, word, index!, tokensOf!, hits)
    word++
    // The character that ended the word (if any) is none: not read again.
    i++
  }
  count = added
  return hits
}

/**
 * An item's word filter begun before its tagging ({@link beginItemWords}): the texts whose words
 * are in it already, added by the tagger's scan of them ({@link scanAsciiWords}), which
 * {@link finishItemWords} then does not read again.
 */
export interface ItemWords {
  /** The filter's turn: another filter begun since (a new turn) leaves this one unusable. */
  turn: number
  /** Texts whose words (as addAsciiWords reads them) were added. */
  readonly texts: string[]
}

/** The one ItemWords of this thread, reused from item to item. */
const itemWords: ItemWords = { turn: -1, texts: [] }

/**
 * Begins the word filter of an item about to be tagged: the tagger (tag.ts, prepare.ts) adds the
 * words of the ASCII fields it scans, and {@link finishItemWords}(item, the returned value) adds the rest
 * and finishes it. For ingest/analyse.ts, which tags each item and then makes its filter: a
 * field's words and its phrases are read in one walk of its characters instead of two (the
 * content of every item of a first import). The value is valid until the next filter begins.
 */
export const beginItemWords = (): ItemWords => {
  startWords()
  itemWords.turn = turn
  itemWords.texts.length = 0
  return itemWords
}

/**
 * {@link scanAsciiText}(text, index, tokensOf), adding the words of `text` to the filter `words`
 * begun (in the same walk): {@link finishItemWords} then does not read `text` again. A filter
 * no longer being built (another begun since) is left alone.
 */
export const scanAsciiWords = (
  words: ItemWords,
  text: string,
  index: PhraseIndex,
  tokensOf: () => readonly string[],
): PhraseHits | undefined => {
  if (words.turn !== turn) return scanAsciiText(text, index, tokensOf)
  const hits = addAsciiWords(text, index, tokensOf)
  words.texts.push(text)
  return hits
}

/** One byte per bit of the filter being finished (set bits are 1), reused from filter to filter. */
let flags = new Uint8Array(6 * 1024)
/** The filter's characters, reused likewise. */
let chars = Buffer.allocUnsafe(1024)

/** The filter of the words added since {@link startWords}. */
const finishWords = (): string => {
  const size = Math.max(1, Math.ceil((count * BITS_PER_WORD) / 6))
  const bits = size * 6
  if (flags.length < bits) flags = new Uint8Array(bits * 2)
  if (chars.length < size) chars = Buffer.allocUnsafe(size * 2)
  // Locals, as in addAsciiWords.
  const set = flags
  const out = chars
  const a = firsts
  const b = seconds
  set.fill(0, 0, bits)
  for (let k = 0; k < count; k++) {
    // In int32, as wordFilter's probes (see there); a byte per bit, packed six to a character
    // below: no division by 6 per probe.
    let bit = ((a[k]! >>> 0) % bits) | 0
    const step = (((b[k]! | 1) >>> 0) % bits) | 0
    for (let p = 0; p < PROBES; p++) {
      set[bit] = 1
      // Less `bits` when past it, without a branch (taken about half the time, at random).
      bit += step
      bit -= bits & ((bits - 1 - bit) >> 31)
    }
  }
  for (let i = 0, k = 0; i < size; i++, k += 6) {
    const cell =
      set[k]! |
      (set[k + 1]! << 1) |
      (set[k + 2]! << 2) |
      (set[k + 3]! << 3) |
      (set[k + 4]! << 4) |
      (set[k + 5]! << 5)
    out[i] = CODE[cell]!
  }
  return out.toString('latin1', 0, size)
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

/**
 * Whether `a` and `b` have the same search fields, hence the same {@link wordsOf} (compared as
 * strings: the fields of an item and of its copies are one string each, compared at once).
 */
export const sameSearchFields = (a: SearchableItem, b: SearchableItem): boolean =>
  a.title === b.title &&
  a.summary === b.summary &&
  a.contentHtml === b.contentHtml &&
  a.categories.length === b.categories.length &&
  a.categories.every((c, k) => c === b.categories[k])

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
export const wordsOf = (item: SearchableItem): string => filterOf(item, undefined)

/**
 * {@link wordsOf}(item) for an item tagged with `begun` ({@link beginItemWords}): the texts whose
 * words the tagger added are not read again; the same filter.
 */
export const finishItemWords = (item: SearchableItem, begun: ItemWords): string => {
  const added = begun.turn === turn ? begun.texts : undefined
  begun.turn = -1
  return filterOf(item, added)
}

/** {@link wordsOf}, less the texts in `added` (already in the filter being built), if any. */
const filterOf = (item: SearchableItem, added: readonly string[] | undefined): string => {
  // The content's text before its whitespace is collapsed: on the ASCII path any character but a
  // letter or a digit separates words, so its words are those of searchFieldsOf's collapsed text.
  const read = contentText(item.contentHtml ?? '')
  const { text: raw, ascii } = read
  const content = ascii ? raw : collapseWhitespace(raw)
  const summary = item.summary ?? ''
  if (added === undefined) startWords()
  if (added === undefined || !added.includes(item.title)) addField(item.title)
  if (ascii) {
    // A summary cut from the content (an RSS description that is both) adds no word of its own.
    if (!summaryLeads(summary, read) && (added === undefined || !added.includes(summary)))
      addField(summary)
    if (added === undefined || !added.includes(content)) addAsciiWords(content)
  } else {
    addField(summary)
    addSpaced(normalizeText(content))
  }
  for (const category of item.categories) addField(category)
  return finishWords()
}

/**
 * Whether every word of `part` is a word of `whole` too, as far as a cheap test tells (false: not
 * known): both take normalizeText's ASCII path, and `part`, less a final `…`, is the start of
 * `whole` — runs of whitespace matching runs of whitespace, whitespace before either left out —
 * and ends where a word of `whole` ends (text.ts leadingWords). A summary cut from an item's
 * content is: its words then add nothing to the item's {@link wordsOf}, and need not be hashed.
 * @example coveredWords('Torkham reopens…', ' Torkham  reopens to trade') // true
 */
export const coveredWords = (part: string, whole: string): boolean =>
  takesAsciiPath(part) && takesAsciiPath(whole) && leadsWith(part, whole)

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
