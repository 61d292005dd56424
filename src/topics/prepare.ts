/** Prepares an item for the topic rules once: its fields read, normalised, tokenised and scanned against the shared word index. */
import type { Item, MatchField } from '../model/types.js'
import type { CompiledTopics } from './compiled.js'
import {
  hitsWithin,
  type PhraseHits,
  type PhraseIndex,
  scanAsciiText,
  scanTokens,
} from './phrase-index.js'
import type { RegexSpec } from './term.js'
import {
  collapseWhitespace,
  contentText,
  summaryLeads,
  summaryWordsIn,
  takesAsciiPath,
  tokenize,
} from './text.js'
import type { ItemWords } from './word-filter.js'
import { scanAsciiWords } from './word-filter.js'

/** The parts of an item that rules look at. */
export type MatchableItem = Pick<Item, 'title' | 'summary' | 'contentHtml' | 'categories'>

export interface PreparedField {
  /** Raw text, whitespace collapsed (regexes run on this); categories joined by newlines. */
  text: string
  /** Normalised words; `''` separates categories so no phrase spans two of them. */
  tokens: string[]
}

/** An item scanned once against the shared word index; reusable for every topic. */
export interface PreparedItem {
  /** The item itself (a topic's model reads its title and summary). */
  item: MatchableItem
  fields: Partial<Record<MatchField, PreparedField>>
  /** Per field: phrase id → start positions (token indexes), ascending. Read only (shared when empty). */
  hits: Record<MatchField, PhraseHits>
  /**
   * Phrase id → 1 when it occurs in some field: one array read rules most terms out. Read only
   * (an item with no hit shares one of zeros).
   */
  seen: Uint8Array
  /** Per field: regex → result, made and filled on first use. */
  regexHits: Partial<Record<MatchField, Map<RegexSpec, boolean>>>
  /** The tags of the item's source, for `source:` terms (none known: such terms never hold). */
  sourceTags: readonly string[]
  /** Per field: its clauses, made on first use by a `scope: clause` group. */
  clauses: Partial<Record<MatchField, Clauses>>
  /** Per shared group (CompiledGroup.shared): 0 not evaluated yet, 1 holds, 2 does not. */
  shared: Uint8Array
}

/** A field cut into clauses: clause k covers tokens `starts[k]` up to `starts[k + 1]` (or the end). */
export interface Clauses {
  starts: number[]
  texts: string[]
}

/**
 * A field whose text (whitespace collapsed) and words are only made when asked for. A class with
 * no closure: an object literal with getters made two functions and their pair per field and item.
 */
class LazyField implements PreparedField {
  #text: string | undefined
  #tokens: string[] | undefined
  /**
   * @param raw the field's text before its whitespace is collapsed
   * @param wordsOfText its words are tokenize(text), not tokenize(raw) (for HTML's text)
   */
  constructor(
    private readonly raw: string,
    private readonly wordsOfText: boolean,
  ) {}
  get text(): string {
    this.#text ??= collapseWhitespace(this.raw)
    return this.#text
  }
  get tokens(): string[] {
    this.#tokens ??= tokenize(this.wordsOfText ? this.text : this.raw)
    return this.#tokens
  }
}

/** The categories: their text, and their words with '' between two categories. */
const categoriesField = (categories: readonly string[]): PreparedField => {
  const tokens: string[] = []
  for (const c of categories) {
    if (tokens.length > 0) tokens.push('')
    tokens.push(...tokenize(c))
  }
  let text: string | undefined
  return {
    get text() {
      text ??= categories.map(collapseWhitespace).join('\n')
      return text
    },
    tokens,
  }
}

/**
 * A field, and text with the same words as its tokens that {@link scanAsciiText} may read (its
 * raw text: a reader of words need not collapse whitespace).
 */
interface ReadField {
  field: PreparedField
  words?: string
  /** takesAsciiPath(words), when known. */
  ascii?: boolean
}

const readField = (item: MatchableItem, field: MatchField): ReadField => {
  switch (field) {
    case 'title':
      return { field: new LazyField(item.title, false), words: item.title }
    case 'summary': {
      const text = item.summary ?? ''
      return { field: new LazyField(text, false), words: text }
    }
    case 'content': {
      // The words of HTML's text are those of its collapsed text when both are on the ASCII path
      // (ASCII whitespace separates words alike); other whitespace (a no-break space) may not
      // be: such text is read collapsed.
      const { text: raw, ascii } = contentText(item.contentHtml ?? '')
      const content = new LazyField(raw, true)
      return ascii ? { field: content, words: raw, ascii } : { field: content, words: content.text }
    }
    case 'categories':
      return { field: categoriesField(item.categories) }
  }
}

/** The hits of a field that has none (shared: hits are only read once an item is prepared). */
const NO_HITS: PhraseHits = new Map()

/** The phrase hits of one field (its words added to `into` when they are read as ASCII). */
const scanField = (
  { field, words, ascii }: ReadField,
  index: PhraseIndex,
  into: ItemWords | undefined,
): PhraseHits => {
  if (words !== undefined && (ascii ?? takesAsciiPath(words)))
    return (
      (into === undefined
        ? scanAsciiText(words, index, () => field.tokens)
        : scanAsciiWords(into, words, index, () => field.tokens)) ?? NO_HITS
    )
  const hits: PhraseHits = new Map()
  scanTokens(field.tokens, index, hits)
  return hits.size === 0 ? NO_HITS : hits
}

/** `seen` of an item with no hit: zeros, shared (read only), at least as long as any index. */
let noneSeen = new Uint8Array(0)
const zerosFor = (size: number): Uint8Array => {
  if (noneSeen.length < size) noneSeen = new Uint8Array(size)
  return noneSeen
}
const NO_SHARED = new Uint8Array(0)

/**
 * Normalises, tokenises and scans each field the compiled rules look at, once. Linear in the
 * item's text; independent of how many terms the topics have.
 * @param words the item's word filter being made (word-filter.ts beginItemWords): the words of
 *   the fields scanned as ASCII are added to it in the same walk
 */
export const prepareItem = (
  item: MatchableItem,
  compiled: CompiledTopics,
  sourceTags: readonly string[] = [],
  words?: ItemWords,
): PreparedItem => {
  const hits: Record<MatchField, PhraseHits> = {
    title: NO_HITS,
    summary: NO_HITS,
    content: NO_HITS,
    categories: NO_HITS,
  }
  const fields: PreparedItem['fields'] = {}
  let seen: Uint8Array | undefined
  // A summary cut from the content has the content's hits that end within its words: it is not
  // scanned again (its hits are made once the content's are known; they add nothing to `seen`).
  // Its count of words is only read when the content has a hit.
  const summaryCut =
    compiled.fields.includes('summary') &&
    compiled.fields.includes('content') &&
    summaryLeads(item.summary ?? '', contentText(item.contentHtml ?? ''))
  for (const field of compiled.fields) {
    const read = readField(item, field)
    fields[field] = read.field
    if (field === 'summary' && summaryCut) continue
    const found = scanField(read, compiled.index, words)
    hits[field] = found
    if (found === NO_HITS) continue
    seen ??= new Uint8Array(compiled.index.size)
    for (const id of found.keys()) seen[id] = 1
  }
  if (summaryCut && hits.content !== NO_HITS) {
    const words = summaryWordsIn(item.summary ?? '', contentText(item.contentHtml ?? ''))
    hits.summary = hitsWithin(hits.content, words, compiled.index) ?? NO_HITS
  }
  const prepared: PreparedItem = {
    item,
    fields,
    hits,
    seen: seen ?? zerosFor(compiled.index.size),
    regexHits: {},
    sourceTags,
    clauses: {},
    shared: compiled.sharedGroups === 0 ? NO_SHARED : new Uint8Array(compiled.sharedGroups),
  }
  return prepared
}
