/** Prepares an item for the topic rules once: its fields read, normalised, tokenised and scanned against the shared word index. */
import type { Item, MatchField } from '../model/types.js'
import type { CompiledTopics } from './compiled.js'
import { type PhraseHits, scanTokens } from './phrase-index.js'
import type { RegexSpec } from './term.js'
import { collapseWhitespace, htmlToText, tokenize } from './text.js'

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
  /** Per field: phrase id → start positions (token indexes), ascending. */
  hits: Record<MatchField, PhraseHits>
  /** Phrase id → 1 when it occurs in some field: one array read rules most terms out. */
  seen: Uint8Array
  /** Per field: regex → result, filled on first use. */
  regexHits: Record<MatchField, Map<RegexSpec, boolean>>
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

/** A field whose raw text is only made (whitespace collapsed) when a regex asks for it. */
const lazyText = (make: () => string, tokens: string[]): PreparedField => {
  let text: string | undefined
  return {
    get text() {
      text ??= make()
      return text
    },
    tokens,
  }
}

const readField = (
  item: MatchableItem,
  field: MatchField,
  summary: PreparedField | undefined,
): PreparedField => {
  switch (field) {
    case 'title':
      return lazyText(() => collapseWhitespace(item.title), tokenize(item.title))
    case 'summary':
      return lazyText(() => collapseWhitespace(item.summary ?? ''), tokenize(item.summary ?? ''))
    case 'content': {
      const text = htmlToText(item.contentHtml ?? '')
      // A feed that sends a description only has it as summary and content alike: tokenised once.
      if (summary && text === item.summary) return { text, tokens: summary.tokens }
      return { text, tokens: tokenize(text) }
    }
    case 'categories': {
      const tokens: string[] = []
      for (const c of item.categories) {
        if (tokens.length > 0) tokens.push('')
        tokens.push(...tokenize(c))
      }
      return lazyText(() => item.categories.map(collapseWhitespace).join('\n'), tokens)
    }
  }
}

/**
 * Normalises, tokenises and scans each field the compiled rules look at, once. Linear in the
 * item's text; independent of how many terms the topics have.
 */
export const prepareItem = (
  item: MatchableItem,
  compiled: CompiledTopics,
  sourceTags: readonly string[] = [],
): PreparedItem => {
  const perField = <T>(make: () => T) =>
    ({ title: make(), summary: make(), content: make(), categories: make() }) as Record<
      MatchField,
      T
    >
  const prepared: PreparedItem = {
    item,
    fields: {},
    hits: perField(() => new Map()),
    seen: new Uint8Array(compiled.index.size),
    regexHits: perField(() => new Map()),
    sourceTags,
    clauses: {},
    shared: new Uint8Array(compiled.sharedGroups),
  }
  for (const field of compiled.fields) {
    const summary = prepared.fields.summary
    const f = readField(item, field, summary)
    prepared.fields[field] = f
    // The same tokens as the summary's have the same hits (read only from here on).
    if (field === 'content' && f.tokens === summary?.tokens) {
      prepared.hits.content = prepared.hits.summary
      continue
    }
    scanTokens(f.tokens, compiled.index, prepared.hits[field])
    for (const id of prepared.hits[field].keys()) prepared.seen[id] = 1
  }
  return prepared
}
