/** The shared indexes of all topics: phrases by first word or prefix, topics by phrase. Built once, at compile time. */
import type { CompiledNode, CompiledTopic } from './compile.js'

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
  /** Single-token prefix terms (`afghan*`), by their prefix. */
  byPrefix: ReadonlyMap<string, readonly PhraseSpec[]>
  /** Distinct lengths of the keys of `byPrefix`, ascending. */
  prefixLengths: readonly number[]
  /** First characters (UTF-16 code units) of the keys of `byPrefix`: most tokens start otherwise. */
  prefixStarts: ReadonlySet<number>
  /** How many phrases: ids run from 0 to size - 1. */
  size: number
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
  const byPrefix = new Map<string, PhraseSpec[]>()
  let size = 0
  for (const p of phrases) {
    size = Math.max(size, p.id + 1)
    const [first = ''] = p.tokens
    const target = p.prefix && p.tokens.length === 1 ? byPrefix : byFirstToken
    const list = target.get(first)
    if (list) list.push(p)
    else target.set(first, [p])
  }
  const lengths = new Set([...byPrefix.keys()].map((k) => k.length))
  return {
    byFirstToken,
    byPrefix,
    prefixLengths: [...lengths].sort((a, b) => a - b),
    prefixStarts: new Set([...byPrefix.keys()].map((k) => k.charCodeAt(0))),
    size,
  }
}

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
 * the phrases that start with it and the prefixes it begins with (a few lengths), so the cost is
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
    const starting = index.byFirstToken.get(t)
    if (starting) for (const p of starting) if (phraseAt(tokens, i, p)) record(hits, p.id, i)
    // Prefix terms: only for a token that starts like one of them.
    if (!index.prefixStarts.has(t.charCodeAt(0))) continue
    for (const len of index.prefixLengths) {
      if (len > t.length) break
      const prefixed = index.byPrefix.get(t.slice(0, len))
      if (prefixed) for (const p of prefixed) record(hits, p.id, i)
    }
  }
}

/** Which topics an item can possibly match, so tagging skips the rest unevaluated. */
export interface TopicCandidates {
  /** Phrase id → ids of the topics using it (near parts included). */
  byPhrase: ReadonlyMap<number, readonly string[]>
  /** Topics to evaluate anyway: with a regex, or whose tree holds when no term matches. */
  always: readonly string[]
}

const holdsWithoutHits = (n: CompiledNode): boolean =>
  n.kind === 'group' &&
  (n.any?.some(holdsWithoutHits) ?? true) &&
  (n.all?.every(holdsWithoutHits) ?? true) &&
  !(n.none?.some(holdsWithoutHits) ?? false)

/** Reverse index phrase → topics, so tagging evaluates only topics sharing a word with the item. */
export const buildTopicCandidates = (topics: Iterable<CompiledTopic>): TopicCandidates => {
  const byPhrase = new Map<number, string[]>()
  const always: string[] = []
  for (const t of topics) {
    const ids = new Set<number>()
    for (const { term } of t.leaves) {
      if (term.kind === 'phrase') ids.add(term.phrase.id)
      if (term.kind === 'near') for (const p of term.parts) ids.add(p.id)
    }
    if (holdsWithoutHits(t.root) || t.leaves.some((l) => l.term.kind === 'regex')) always.push(t.id)
    for (const id of ids) {
      const list = byPhrase.get(id)
      if (list) list.push(t.id)
      else byPhrase.set(id, [t.id])
    }
  }
  return { byPhrase, always }
}
