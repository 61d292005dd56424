/** The shared indexes of all topics: phrases by first word or prefix, topics by phrase. Built once, at compile time. */

/** A word or phrase, shared by every term (of every topic) that writes it the same way. */
export interface PhraseSpec {
  /** Dense number, for cheap lookups at match time. */
  id: number
  /** Normalised tokens joined by spaces, plus `*` for a prefix. */
  key: string
  tokens: string[]
  /** The last token matches as a prefix (`afghan*`). */
  prefix: boolean
}

/** Word index over all phrases of all topics: a text is scanned once, whatever the term count. */
export interface PhraseIndex {
  /** First token → phrases starting with it (single-token prefixes excluded). */
  byFirstToken: ReadonlyMap<string, readonly PhraseSpec[]>
  /**
   * The shapes of byFirstToken's keys: per first UTF-16 unit (mod 128), bit n set when a key of
   * that start has n characters (bit 31: 31 or more). A token whose bit is clear starts no phrase
   * and is not looked up: most tokens of a text start none, and hashing each of them was most of
   * the scan of a long content.
   */
  firstTokenShapes: Uint32Array
  /**
   * Single-token prefix terms (`afghan*`) in a trie by UTF-16 code unit: a token walks down it
   * as far as its characters lead (most stop at the first), meeting every prefix it starts with,
   * with no substring made per prefix length.
   */
  prefixes: PrefixNode
  /**
   * Per ASCII code unit, 1 when some prefix term starts with it: a word of ASCII text that starts
   * with none does not walk the trie (a Map lookup per word was a quarter of scanAsciiText).
   */
  prefixStarts: Uint8Array
  /** How many phrases: ids run from 0 to size - 1. */
  size: number
  /** Phrase id → its number of tokens (the words a hit at a position covers). */
  lengths: Uint32Array
}

/** A node of the prefix trie: the prefix terms ending here, and the next characters. */
export interface PrefixNode {
  ending?: PhraseSpec[]
  next: Map<number, PrefixNode>
}

/** Phrase id → start positions (token indexes) in one field, ascending. */
export type PhraseHits = Map<number, number[]>

/** Returns the one shared {@link PhraseSpec} for these tokens, creating it on first use. */
export const internPhrase = (
  phrases: Map<string, PhraseSpec>,
  tokens: string[],
  prefix: boolean,
): PhraseSpec => {
  const key = `${tokens.join(' ')}${prefix ? '*' : ''}`
  const known = phrases.get(key)
  if (known) return known
  const spec = { id: phrases.size, key, tokens, prefix }
  phrases.set(key, spec)
  return spec
}

/** Indexes phrases by first token, and single-word prefixes by prefix. */
export const buildPhraseIndex = (phrases: Iterable<PhraseSpec>): PhraseIndex => {
  const byFirstToken = new Map<string, PhraseSpec[]>()
  const firstTokenShapes = new Uint32Array(128)
  const prefixes: PrefixNode = { next: new Map() }
  let size = 0
  const lengthOf = new Map<number, number>()
  for (const p of phrases) {
    size = Math.max(size, p.id + 1)
    lengthOf.set(p.id, p.tokens.length)
    const [first = ''] = p.tokens
    if (p.prefix && p.tokens.length === 1) {
      let node = prefixes
      for (let i = 0; i < first.length; i++) {
        const c = first.charCodeAt(i)
        let child = node.next.get(c)
        if (!child) {
          child = { next: new Map() }
          node.next.set(c, child)
        }
        node = child
      }
      node.ending = [...(node.ending ?? []), p]
      continue
    }
    const list = byFirstToken.get(first)
    if (list) list.push(p)
    else byFirstToken.set(first, [p])
    firstTokenShapes[shapeRow(first)]! |= shapeBit(first)
  }
  const prefixStarts = new Uint8Array(128)
  for (const c of prefixes.next.keys()) if (c < 128) prefixStarts[c] = 1
  const lengths = new Uint32Array(size)
  for (const [id, n] of lengthOf) lengths[id] = n
  return { byFirstToken, firstTokenShapes, prefixes, prefixStarts, size, lengths }
}

/**
 * The hits of `hits` (a field's) that end within its first `words` words: the hits of a text
 * whose words are those first words (a summary cut from the content: text.ts summaryWordsIn).
 * Undefined when none is left.
 */
export const hitsWithin = (
  hits: PhraseHits,
  words: number,
  index: PhraseIndex,
): PhraseHits | undefined => {
  let out: PhraseHits | undefined
  for (const [id, at] of hits) {
    const last = words - (index.lengths[id] ?? 1)
    let n = 0
    while (n < at.length && (at[n] as number) <= last) n++
    if (n === 0) continue
    out ??= new Map()
    out.set(id, n === at.length ? [...at] : at.slice(0, n))
  }
  return out
}

/** The row and bit of a token in PhraseIndex `firstTokenShapes`. */
const shapeRow = (t: string): number => t.charCodeAt(0) & 127
const shapeBit = (t: string): number => 1 << Math.min(t.length, 31)

const phraseAt = (tokens: readonly string[], i: number, p: PhraseSpec): boolean => {
  const last = p.tokens.length - 1
  for (let j = 1; j <= last; j++) {
    const t = tokens[i + j]
    const want = p.tokens[j] ?? ''
    if (t === undefined || !(j === last && p.prefix ? t.startsWith(want) : t === want)) return false
  }
  return true
}

const record = (hits: PhraseHits, id: number, at: number): void => {
  const list = hits.get(id)
  if (list === undefined) hits.set(id, [at])
  else if (list[list.length - 1] !== at) list.push(at)
}

/**
 * Records into `hits` (one field's) every phrase occurrence in `tokens`, in one pass: each token looks up only
 * the phrases that start with it and walks the prefix trie as far as it matches, so the cost is
 * linear in the text, not in the number of terms. `''` tokens are barriers no phrase crosses.
 */
export const scanTokens = (
  tokens: readonly string[],
  index: PhraseIndex,
  hits: PhraseHits,
): void => {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string
    if (t === '') continue
    const starting =
      ((index.firstTokenShapes[shapeRow(t)] as number) & shapeBit(t)) === 0
        ? undefined
        : index.byFirstToken.get(t)
    if (starting) for (const p of starting) if (phraseAt(tokens, i, p)) record(hits, p.id, i)
    // Prefix terms: walk the trie along the token's characters while they lead somewhere.
    let node: PrefixNode | undefined = index.prefixes
    for (let k = 0; k < t.length; k++) {
      node = node.next.get(t.charCodeAt(k))
      if (node === undefined) break
      if (node.ending) for (const p of node.ending) record(hits, p.id, i)
    }
  }
}

/** A–Z to a–z; other code units as they are. */
const lower = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c)

/** Whether a code unit is in a word of text that tokenize() reads without its Unicode pass. */
const isWordUnit = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)

/**
 * Records the phrases that start at the `word`-th word of ASCII text (see {@link scanAsciiText}),
 * which runs from `start` to `end` of `text`: the phrases of several words that start with it
 * (when PhraseIndex `firstTokenShapes` may start one with it) and the prefix terms it walks the
 * trie to. Returns `hits`, made when it was undefined and a phrase is found.
 */
export const asciiWordHits = (
  text: string,
  start: number,
  end: number,
  word: number,
  index: PhraseIndex,
  tokensOf: () => readonly string[],
  hits: PhraseHits | undefined,
): PhraseHits | undefined => {
  const first = lower(text.charCodeAt(start))
  const length = end - start
  if (((index.firstTokenShapes[first & 127] as number) & (1 << Math.min(length, 31))) !== 0) {
    const starting = index.byFirstToken.get(text.slice(start, end).toLowerCase())
    if (starting)
      for (const p of starting)
        if (p.tokens.length === 1 || phraseAt(tokensOf(), word, p)) {
          hits ??= new Map()
          record(hits, p.id, word)
        }
  }
  // The words' code units are ASCII: one that starts no prefix term has no trie to walk.
  if (index.prefixStarts[first] === 0) return hits
  let node: PrefixNode | undefined = index.prefixes
  for (let k = start; k < end; k++) {
    node = node.next.get(lower(text.charCodeAt(k)))
    if (node === undefined) break
    if (node.ending) {
      hits ??= new Map()
      for (const p of node.ending) record(hits, p.id, word)
    }
  }
  return hits
}

/**
 * {@link scanTokens} over the words of `text`, for text that tokenize() reads without its
 * Unicode pass (topics/text.ts takesAsciiPath): its words are the runs of A–Z, a–z and 0–9,
 * lower-cased. A word is only made into a string when the index may start a phrase with it
 * (PhraseIndex `firstTokenShapes`); the prefix trie is walked along its code units. Most words
 * start none, and tokenising a field only to scan it made a string per word and the list of
 * them. `tokensOf` gives tokenize(text), asked for only when a phrase of several words starts at
 * a word (to read the words after it). Returns the hits, or undefined when there are none.
 * (word-filter.ts `scanAsciiWords` makes the same hits while it hashes the words.)
 */
export const scanAsciiText = (
  text: string,
  index: PhraseIndex,
  tokensOf: () => readonly string[],
): PhraseHits | undefined => {
  let hits: PhraseHits | undefined
  const { firstTokenShapes, prefixStarts } = index
  const n = text.length
  let word = 0
  let i = 0
  while (i < n) {
    if (!isWordUnit(text.charCodeAt(i))) {
      i++
      continue
    }
    const start = i
    while (i < n && isWordUnit(text.charCodeAt(i))) i++
    const first = lower(text.charCodeAt(start))
    // Most words start no phrase and no prefix term: only those that may are read further.
    if (
      ((firstTokenShapes[first & 127] as number) & (1 << Math.min(i - start, 31))) !== 0 ||
      prefixStarts[first] !== 0
    )
      hits = asciiWordHits(text, start, i, word, index, tokensOf, hits)
    word++
  }
  return hits
}
