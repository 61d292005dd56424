/** Story text (pure): content words, stemmed and hashed to sorted uint32 keys, and set similarity. */
import { normalizeText, tokenize } from '../topics/text.js'

/**
 * Function words and reporting boilerplate: they say nothing about which event a text reports.
 * Weekdays and months are left out too: the date guard compares them (see guards.ts).
 */
const STOP_WORDS = new Set(
  (
    'a an the and or but nor so yet of in on at to for from by with without into onto over under ' +
    'after before since until during about above below between among against across along around ' +
    'as than then that this these those there here which who whom whose what when where why how ' +
    'is are was were be been being am has have had having do does did done will would shall should ' +
    'can could may might must it its it s he him his she her hers they them their theirs we us our ' +
    'you your i me my not no also more most less least very just only even still again ago ' +
    'all any both each few many much other some such own same one ones said says say saying told ' +
    'tell according report reports reported reporting official officials source sources news ' +
    'monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow week ' +
    'january february march april june july august september october november december ' +
    'jan feb mar apr jun jul aug sep sept oct nov dec day days night morning evening late early ' +
    'new latest update updates live breaking watch video photos least around nearly some'
  ).split(' '),
)

/**
 * The commonest function words of Urdu, Persian and Pashto, normalised like the texts (yeh, kaf
 * and heh forms folded): without them two unrelated reports in one script look alike.
 */
for (const w of [
  ...'کے کی کا میں سے اور نے کو ہے ہیں پر تھا تھی تھے یہ وہ ایک بھی کر کیا گیا گئی گئے ہو رہا رہی رہے لیے کہ جو اس ان'.split(
    ' ',
  ),
  ...'و در به از که این را با است های برای آن یک شد می'.split(' '),
  ...'د او په کې له چې دا هم ته سره'.split(' '),
  // Polish (normalised: no diacritics): folded Polish texts keep these otherwise.
  ...'na we ze od do po za przez dla sie jest sa byl byla bylo byly nie co jak ktory ktora ktore ktorych oraz lub ale tym tego jego jej ich ten ta te tej tych juz tez jeszcze najmniej osob osoby osoba ludzi kraju podaje podala podal poinformowal przekazal'.split(
    ' ',
  ),
]) {
  STOP_WORDS.add(normalizeText(w))
}

/**
 * A light English stemmer for matching wordings of one event ("reopens", "reopened",
 * "reopening" → "reopen"; "closes", "closed", "closure" stay close enough: "clos", "closur").
 * Not linguistics: it only has to map one word's inflections to one key.
 * @example stem('killed') // 'kill'
 */
export const stem = (w: string): string => {
  const n = w.length
  if (n <= 3) return w
  // Every rule below needs a last letter s, g, d or e, or a doubled one: most words have neither.
  const end = w.charCodeAt(n - 1)
  if (end !== S && end !== G && end !== D && end !== E && end !== w.charCodeAt(n - 2)) return w
  if (!isLowerAscii(w)) return w
  let s = w
  if (n > 4 && s.endsWith('ies')) s = `${s.slice(0, -3)}y`
  else if (n > 5 && s.endsWith('ing')) s = s.slice(0, -3)
  else if (n > 4 && s.endsWith('ed')) s = s.slice(0, -2)
  else if (s.endsWith('ches') || s.endsWith('shes') || s.endsWith('sses') || s.endsWith('xes'))
    s = s.slice(0, -2)
  else if (s.endsWith('s') && !s.endsWith('ss') && !s.endsWith('us') && !s.endsWith('is'))
    s = s.slice(0, -1)
  // A doubled consonant left by -ing/-ed ("stopped" → "stopp") and a final e ("closes" → "close").
  const m = s.length
  if (m > 3) {
    const last = s.charCodeAt(m - 1)
    if (last === s.charCodeAt(m - 2) && isConsonant(last) && last !== L && last !== S && last !== Z)
      s = s.slice(0, -1)
  }
  if (s.length > 3 && s.endsWith('e')) s = s.slice(0, -1)
  return s
}

const D = 100
const E = 101
const G = 103
const L = 108
const S = 115
const Z = 122

/** Only a–z (what the stemmer's rules are for). */
const isLowerAscii = (w: string): boolean => {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i)
    if (c < 97 || c > 122) return false
  }
  return true
}

/** A lower-case consonant (y counts: "ay" never doubles anyway). */
const isConsonant = (c: number): boolean =>
  c !== 97 && c !== 101 && c !== 105 && c !== 111 && c !== 117

/**
 * Whether a word may be one of a few hundred: a bit per length, first and last letter. Most words
 * of a text are in no lexicon, and a lookup in a Map first hashes the new string; this test reads
 * three numbers and one byte. Never false for a word it was made with.
 * @example new WordFilter(['quake']).mayHold('quake') // true
 */
export class WordFilter {
  private readonly bits = new Uint8Array(1 << 14)
  constructor(words: Iterable<string>) {
    for (const w of words) this.bits[WordFilter.slot(w)] = 1
  }
  private static slot(w: string): number {
    const n = w.length
    if (n === 0) return 0
    return (Math.min(n, 15) << 10) | ((w.charCodeAt(0) & 31) << 5) | (w.charCodeAt(n - 1) & 31)
  }
  /** False: the word is not among them; true: it may be. */
  mayHold(w: string): boolean {
    return this.bits[WordFilter.slot(w)] === 1
  }
}

/** The content words of a text: normalised (topics/text.ts), stop words and digits dropped, stemmed. */
export const contentWords = (text: string): string[] =>
  tokenize(text).filter(isContentWord).map(stem)

/** Whether a normalised word is a content word: two letters or more, not a stop word, no digit. */
export const isContentWord = (w: string): boolean =>
  w.length >= 2 && !(MAY_STOP.mayHold(w) && STOP_WORDS.has(w)) && !hasDigit(w)

const MAY_STOP = new WordFilter(STOP_WORDS)

/** The stop words (for tests). */
export const stopWords: ReadonlySet<string> = STOP_WORDS

/** Whether `w` has a character 0–9 (what `/\d/` finds). */
const hasDigit = (w: string): boolean => {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i)
    if (c >= 48 && c <= 57) return true
  }
  return false
}

/**
 * FNV-1a, 32 bits: a fast, well-spread hash for short strings. `from` continues the hash of a
 * preceding string (its result), so parts hash as their concatenation without building it.
 */
export const fnv1a = (s: string, from = 0x811c9dc5): number => {
  let h = from
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** Sorted, unique uint32 keys of strings (see {@link fnv1a}). */
export const keysOf = (words: Iterable<string>): Uint32Array =>
  sortedUnique(Uint32Array.from(new Set(words), (w) => fnv1a(w)))

/** The keys sorted, each once (sorts `keys` in place; returns a copy of the unique part). */
export const sortedUnique = (keys: Uint32Array): Uint32Array => {
  keys.sort()
  let n = 0
  for (let i = 0; i < keys.length; i++) if (i === 0 || keys[i] !== keys[n - 1]) keys[n++] = keys[i]!
  return keys.slice(0, n)
}

/**
 * |a ∩ b| of two sorted key arrays (a merge walk). With `atLeast`, -1 as soon as the keys left
 * cannot bring the count up to it.
 */
export const intersectionSize = (a: Uint32Array, b: Uint32Array, atLeast = 0): number => {
  let i = 0
  let j = 0
  let n = 0
  if (n + Math.min(a.length, b.length) < atLeast) return -1
  while (i < a.length && j < b.length) {
    const x = a[i]!
    const y = b[j]!
    if (x === y) {
      n++
      i++
      j++
      continue
    }
    if (x < y) i++
    else j++
    // A miss: check now and then whether what is left can still get there.
    if ((i + j) % 8 === 0 && n + Math.min(a.length - i, b.length - j) < atLeast) return -1
  }
  return n < atLeast ? -1 : n
}

/** Jaccard similarity of two sorted key arrays; 0 when both are empty. */
export const jaccard = (a: Uint32Array, b: Uint32Array): number => {
  const i = intersectionSize(a, b)
  const u = a.length + b.length - i
  return u === 0 ? 0 : i / u
}

/**
 * The Jaccard similarity of two sorted key arrays when it reaches `min`, else -1, giving up as
 * soon as the keys left cannot reach it (most candidates of a story index are far below it).
 * Equal to `jaccard(a, b)` whenever that is at least `min`.
 */
export const jaccardAtLeast = (a: Uint32Array, b: Uint32Array, min: number): number => {
  const total = a.length + b.length
  const i = intersectionSize(a, b, intersectionFor(min, total))
  if (i < 0) return -1
  const score = total - i === 0 ? 0 : i / (total - i)
  return score >= min ? score : -1
}

/** Int32 words of a {@link writeSketch} sketch: 512 bits, one cache line. */
export const SKETCH_WORDS = 16

/** Sets the sketch of a key set at `into[at … at + SKETCH_WORDS)`: bit `k mod 512` for each key. */
export const writeSketch = (keys: Uint32Array, into: Int32Array, at = 0): void => {
  into.fill(0, at, at + SKETCH_WORDS)
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!
    into[at + ((k >>> 5) & (SKETCH_WORDS - 1))]! |= 1 << (k & 31)
  }
}

/**
 * How many of `keys` have their bit set in the sketch of another set at `sketch[at …]`: at least
 * the size of the intersection of the two sets (every shared key hits), in one pass without
 * branches and without reading the other set's keys.
 */
export const sketchHits = (sketch: Int32Array, at: number, keys: Uint32Array): number => {
  let n = 0
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!
    n += (sketch[at + ((k >>> 5) & (SKETCH_WORDS - 1))]! >>> (k & 31)) & 1
  }
  return n
}

/**
 * Σ `squares[i]` over the `keys[i]` whose bit is set in the sketch of another set at `sketch[at …]`:
 * at least the dot product of the two sets' weight vectors when `squares` holds the squared
 * weights of `keys` (every shared key hits), so a candidate whose bound is under the bar is turned
 * down without reading its keys. -1 when fewer than `minHits` keys hit (fewer shared keys).
 */
export const sketchWeight = (
  sketch: Int32Array,
  at: number,
  keys: Uint32Array,
  squares: Float64Array,
  minHits: number,
): number => {
  let n = 0
  let sum = 0
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!
    const bit = (sketch[at + ((k >>> 5) & (SKETCH_WORDS - 1))]! >>> (k & 31)) & 1
    n += bit
    sum += bit * squares[i]!
  }
  return n < minHits ? -1 : sum
}

/**
 * The intersection two sets of `total` keys in all need for a Jaccard similarity of at least
 * `min`: i / (total − i) ≥ min ⟺ i ≥ min · total / (1 + min); a hair lower, so that rounding
 * never turns down a pair that passes.
 */
export const intersectionFor = (min: number, total: number): number =>
  (min * total) / (1 + min) - 1e-9

/** Whether a sorted key array holds `key` (binary search). */
export const hasKey = (keys: Uint32Array, key: number): boolean => {
  let lo = 0
  let hi = keys.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    const k = keys[mid]!
    if (k === key) return true
    if (k < key) lo = mid + 1
    else hi = mid - 1
  }
  return false
}

/** Euclidean length of a weight vector. */
export const normOf = (weights: Float64Array): number => {
  let s = 0
  for (let i = 0; i < weights.length; i++) s += weights[i]! * weights[i]!
  return Math.sqrt(s)
}

/**
 * Cosine similarity of two key sets weighted by `weights` (aligned with `a`; the shared keys take
 * a's weights): Σ w(k)² over the shared keys / (aNorm · bNorm). 0 when a norm is 0.
 */
export const weightedCosine = (
  a: Uint32Array,
  weights: Float64Array,
  aNorm: number,
  b: Uint32Array,
  bNorm: number,
): number => weightedCosineIn(a, weights, aNorm, b, 0, b.length, bNorm)

/**
 * {@link weightedCosine} with `b` given as `length` values of `chunk` from `start` (a key arena's
 * array, read without making a view of it).
 */
export const weightedCosineIn = (
  a: Uint32Array,
  weights: Float64Array,
  aNorm: number,
  chunk: Uint32Array,
  start: number,
  length: number,
  bNorm: number,
): number => {
  if (aNorm === 0 || bNorm === 0) return 0
  let i = 0
  let j = start
  const end = start + length
  let dot = 0
  while (i < a.length && j < end) {
    const x = a[i]!
    const y = chunk[j]!
    if (x === y) {
      dot += weights[i]! * weights[i]!
      i++
      j++
    } else if (x < y) i++
    else j++
  }
  return dot / (aNorm * bNorm)
}
