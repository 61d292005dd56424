/** `scope: clause`: cuts a field into clauses and runs a group's whole tree within one clause at a time. */
import type { MatchField } from '../model/types.js'
import type { CompiledGroup, CompiledNode, CompiledTerm, CompiledTopic } from './compiled.js'
import { nearIn } from './near.js'
import type { PhraseHits } from './phrase-index.js'
import type { Clauses, PreparedItem } from './prepare.js'
import { hasNonAscii, tokenize } from './text.js'

/** A `scope: clause` group that held: where the YAML writes it, and the clause it held in. */
export interface ClauseMatch {
  group: string
  field: MatchField
  clause: string
}

/** What evaluating one topic's tree on one item needs. */
export interface Evaluation {
  gate: Int32Array
  seen: Uint8Array
  /** Whether the leaf matches; only called for leaves that pass the gate. */
  hit: (leaf: number) => boolean
  topic: CompiledTopic
  p: PreparedItem
  /** Set while a `scope: clause` group is evaluated one clause at a time. */
  inClause: boolean
  /** The tree evaluation itself (match.ts), which a clause group runs once per clause. */
  holds: (node: CompiledNode, e: Evaluation) => boolean
  /** Told of each clause group that holds (for `explain`). */
  onClause?: (match: ClauseMatch) => void
}

/**
 * Sentence ends, semicolons, a dash or bar between spaces and line breaks end a clause. Commas
 * and colons do not: headlines join the two sides with them ("Pakistan, Afghanistan agree…").
 */
const CLAUSE_BREAK = /[.!?;]+(?=\s|$)|\s[-–—|]+\s|[\n•]/

/** The field's clauses; the pieces' words, in order, are the field's words (else one clause). */
const clausesOf = (field: MatchField, p: PreparedItem): Clauses => {
  const made = p.clauses[field]
  if (made) return made
  const f = p.fields[field]
  const tokens = f?.tokens ?? []
  const out: Clauses = { starts: [0], texts: [] }
  if (field === 'categories') {
    // categories are separated by '' tokens: each is a clause
    out.texts = (f?.text ?? '').split('\n')
    tokens.forEach((t, i) => {
      if (t === '') out.starts.push(i + 1)
    })
  } else {
    const pieces = (f?.text ?? '').split(CLAUSE_BREAK).filter((x) => x.trim() !== '')
    let at = 0
    pieces.forEach((piece, k) => {
      if (k > 0) out.starts.push(at)
      at += wordCount(piece)
    })
    out.texts = pieces
    if (at !== tokens.length) {
      out.starts = [0]
      out.texts = [f?.text ?? '']
    }
  }
  p.clauses[field] = out
  return out
}

/**
 * How many words tokenize() makes of `s`, without making them: for ASCII text its words are the
 * runs of letters and digits, counted in one pass; other text is tokenised (its normalisation can
 * join or split words).
 */
const wordCount = (s: string): number => {
  if (hasNonAscii(s)) return tokenize(s).length
  let n = 0
  let inWord = false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) | 0x20 // folds A-Z onto a-z; digits keep their codes
    const word = (c >= 0x61 && c <= 0x7a) || (s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39)
    if (word && !inWord) n++
    inWord = word
  }
  return n
}

/** Some occurrence of the phrase lies whole within tokens [from, to). */
const phraseWithin = (
  starts: readonly number[] | undefined,
  len: number,
  from: number,
  to: number,
) => starts?.some((s) => s >= from && s + len <= to) ?? false

/** Whether the leaf's term matches in `field` within tokens [from, to), whose text is `text`. */
const leafWithin = (
  term: CompiledTerm,
  field: MatchField,
  from: number,
  to: number,
  text: string,
  p: PreparedItem,
) => {
  if (term.kind === 'source') return term.tags.some((t) => p.sourceTags.includes(t))
  if (!term.fields.includes(field)) return false
  const hits = p.hits[field]
  if (term.kind === 'phrase')
    return phraseWithin(hits.get(term.phrase.id), term.phrase.tokens.length, from, to)
  if (term.kind === 'regex') return term.regex.re.test(text)
  const clipped: PhraseHits = new Map()
  for (const part of term.parts)
    clipped.set(
      part.id,
      (hits.get(part.id) ?? []).filter((s) => s >= from && s + part.tokens.length <= to),
    )
  return nearIn(term.parts, term.within, clipped)
}

/**
 * Whether the tree's `any` and `all` hold on the whole item, every `none` left out: what holds in
 * one clause holds here, so when this fails no clause need be cut and tried.
 */
const mayHold = (node: CompiledNode, e: Evaluation): boolean => {
  if (node.kind === 'leaf') {
    const g = e.gate[node.leaf] as number
    return (g < 0 || e.seen[g] === 1) && e.hit(node.leaf)
  }
  if (node.anySplit) {
    const { leaves, groups } = node.anySplit
    let some = false
    for (let k = 0; k < leaves.length && !some; k++) {
      const leaf = leaves[k] as number
      const g = e.gate[leaf] as number
      some = (g < 0 || e.seen[g] === 1) && e.hit(leaf)
    }
    if (!some && !groups.some((c) => mayHold(c, e))) return false
  }
  return node.all === undefined || node.all.every((c) => mayHold(c, e))
}

/** A `scope: clause` group: its whole tree, `none` included, holds within one clause of one field. */
export const clauseHolds = (
  node: CompiledGroup,
  scope: NonNullable<CompiledGroup['scope']>,
  e: Evaluation,
): boolean => {
  if (!mayHold(node, e)) return false
  for (const field of scope.fields) {
    const tokens = e.p.fields[field]?.tokens
    if (!tokens || tokens.length === 0) continue
    // what cannot hold in the whole field cannot hold in one of its clauses: a long text whose
    // words are not all there is not cut and tried clause by clause (a regex is taken as holding)
    const inField: Evaluation = {
      ...e,
      hit: (leaf) => {
        const l = e.topic.leaves[leaf]
        return (
          l !== undefined &&
          (l.term.kind === 'regex'
            ? l.term.fields.includes(field)
            : leafWithin(l.term, field, 0, tokens.length, '', e.p))
        )
      },
    }
    if (!mayHold(node, inField)) continue
    const { starts, texts } = clausesOf(field, e.p)
    for (let k = 0; k < starts.length; k++) {
      const from = starts[k] as number
      const to = starts[k + 1] ?? tokens.length
      const inner: Evaluation = {
        ...e,
        inClause: true,
        hit: (leaf) => {
          const l = e.topic.leaves[leaf]
          return l !== undefined && leafWithin(l.term, field, from, to, texts[k] ?? '', e.p)
        },
      }
      if (e.holds(node, inner)) {
        e.onClause?.({ group: scope.path, field, clause: (texts[k] ?? '').trim() })
        return true
      }
    }
  }
  return false
}
