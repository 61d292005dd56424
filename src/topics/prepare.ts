/** Prepares an item for the topic rules once: its fields read, normalised, tokenised and scanned against the shared word index. */
import type { Item, MatchField } from '../model/types.js'
import type { CompiledTopics } from './compiled.js'
import { type PhraseHits, type PhraseIndex, scanAsciiText, scanTokens } from './phrase-index.js'
import type { RegexSpec } from './term.js'
import { collapseWhitespace, htmlToText, takesAsciiPath, tokenize } from './text.js'

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

/** A field whose raw text (whitespace collapsed) and words are only made when asked for. */
const lazyField = (makeText: () => string, makeTokens: () => string[]): PreparedField => {
  let text: string | undefined
  let tokens: string[] | undefined
  return {
    get text() {
      text ??= makeText()
      return text
    },
    get tokens() {
      tokens ??= makeTokens()
      return tokens
    },
  }
}

/** A field, and the text its words are read from when tokenize() reads it without the Unicode pass. */
interface ReadField {
  field: PreparedField
  /** tokenize(words) gives the field's tokens (absent: they are made some other way). */
  words?: string
}

const readField = (
  item: MatchableItem,
  field: MatchField,
  summary: PreparedField | undefined,
): ReadField => {
  switch (field) {
    case 'title': {
      const { title } = item
      return {
        field: lazyField(
          () => collapseWhitespace(title),
          () => tokenize(title),
        ),
        words: title,
      }
    }
    case 'summary': {
      const text = item.summary ?? ''
      return {
        field: lazyField(
          () => collapseWhitespace(text),
          () => tokenize(text),
        ),
        words: text,
      }
    }
    case 'content': {
      const text = htmlToText(item.contentHtml ?? '')
      // A feed that sends a description only has it as summary and content alike: tokenised once.
      if (summary && text === item.summary) return { field: summary }
      return {
        field: lazyField(
          () => text,
          () => tokenize(text),
        ),
        words: text,
      }
    }
    case 'categories': {
      const tokens: string[] = []
      for (const c of item.categories) {
        if (tokens.length > 0) tokens.push('')
        tokens.push(...tokenize(c))
      }
      return {
        field: lazyField(
          () => item.categories.map(collapseWhitespace).join('\n'),
          () => tokens,
        ),
      }
    }
  }
}

/** The hits of a field that has none (shared: hits are only read once an item is prepared). */
const NO_HITS: PhraseHits = new Map()

/** The phrase hits of one field. */
const scanField = ({ field, words }: ReadField, index: PhraseIndex): PhraseHits => {
  if (words !== undefined && takesAsciiPath(words))
    return scanAsciiText(words, index, () => field.tokens) ?? NO_HITS
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
 */
export const prepareItem = (
  item: MatchableItem,
  compiled: CompiledTopics,
  sourceTags: readonly string[] = [],
): PreparedItem => {
  const hits: Record<MatchField, PhraseHits> = {
    title: NO_HITS,
    summary: NO_HITS,
    content: NO_HITS,
    categories: NO_HITS,
  }
  const fields: PreparedItem['fields'] = {}
  let seen: Uint8Array | undefined
  for (const field of compiled.fields) {
    const read = readField(item, field, fields.summary)
    fields[field] = read.field
    // The summary's words again have the summary's hits (read only from here on).
    const found =
      field === 'content' && read.field === fields.summary
        ? hits.summary
        : scanField(read, compiled.index)
    hits[field] = found
    if (found === NO_HITS) continue
    seen ??= new Uint8Array(compiled.index.size)
    for (const id of found.keys()) seen[id] = 1
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
