/** Runs compiled topic rules on an item: prepares its fields once, then evaluates any topic cheaply. */
import { NotFoundError } from '../model/errors.js'
import type { Item, MatchField } from '../model/types.js'
import { explainModel, type ModelExplanation } from './combine.js'
import type {
  CompiledGroup,
  CompiledNode,
  CompiledTerm,
  CompiledTopic,
  CompiledTopics,
  SplitList,
} from './compiled.js'
import { type PhraseHits, type PhraseSpec, scanTokens } from './phrase-index.js'
import type { RegexSpec } from './term.js'
import { collapseWhitespace, htmlToText, tokenize } from './text.js'

/** The parts of an item that rules look at. */
export type MatchableItem = Pick<Item, 'title' | 'summary' | 'contentHtml' | 'categories'>

/** One term that matched, as written in the YAML, and the first field it matched in (`source` for a `source:` term). */
export interface TermMatch {
  term: string
  field: MatchField | 'source'
}

/** A `scope: clause` group that held: where the YAML writes it, and the clause it held in. */
export interface ClauseMatch {
  group: string
  field: MatchField
  clause: string
}

/**
 * Outcome for one topic. `score` sums the weights of the matched terms (plain terms weigh 1; a
 * term counts once per place the rule uses it, so a list reused through a YAML anchor counts
 * again); `terms` lists them once each (for `explain=1`). Terms under a `none` group never score
 * nor appear in `terms`; those found in the item are listed in `excluded` (absent when none).
 * `sourceAllowed: false` says the topic's `source_tags` ruled the item out (absent otherwise).
 * `clauses` names each `scope: clause` group that held and the clause it held in.
 */
export interface MatchResult {
  matched: boolean
  score: number
  terms: TermMatch[]
  excluded?: TermMatch[]
  /** The `scope: clause` groups that held, each with its first clause (absent when none did). */
  clauses?: ClauseMatch[]
  sourceAllowed?: false
  /** The topic's model, when it declares one: its score, and whether the rules matched. */
  model?: ModelExplanation
}

interface PreparedField {
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
}

/** A field cut into clauses: clause k covers tokens `starts[k]` up to `starts[k + 1]` (or the end). */
interface Clauses {
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

/**
 * True when one occurrence of every part can be picked with all pairs within `within` words: the
 * gap from the end of one to the start of another is at most `within` (adjacent words: 1).
 * Sweeps the occurrences in order, keeping the latest of each part (it has the latest end).
 */
const nearIn = (parts: readonly PhraseSpec[], within: number, hits: PhraseHits) => {
  const lists = parts.map((part) => hits.get(part.id) ?? [])
  if (lists.some((l) => l.length === 0)) return false
  const cursor = lists.map(() => 0)
  const lastEnd = lists.map(() => Number.NEGATIVE_INFINITY)
  for (;;) {
    let j = -1
    let start = Number.POSITIVE_INFINITY
    lists.forEach((l, k) => {
      const s = l[cursor[k] ?? 0]
      if (s !== undefined && s < start) [j, start] = [k, s]
    })
    if (j < 0) return false
    cursor[j] = (cursor[j] ?? 0) + 1
    lastEnd[j] = start + (parts[j]?.tokens.length ?? 1) - 1
    if (start - Math.min(...lastEnd) <= within) return true
  }
}

/** Each regex runs at most once per field and item, however many topics use it. */
const regexIn = (regex: RegexSpec, field: MatchField, p: PreparedItem): boolean => {
  const cache = p.regexHits[field]
  let hit = cache.get(regex)
  if (hit === undefined) {
    hit = regex.re.test(p.fields[field]?.text ?? '')
    cache.set(regex, hit)
  }
  return hit
}

/** The first of the term's fields where it matches, if any (`source` for a source term that holds). */
const matchedField = (term: CompiledTerm, p: PreparedItem): MatchField | 'source' | undefined => {
  if (term.kind === 'source')
    return term.tags.some((t) => p.sourceTags.includes(t)) ? 'source' : undefined
  if (term.kind === 'phrase' && p.seen[term.phrase.id] !== 1) return undefined
  if (term.kind === 'near' && term.parts.some((part) => p.seen[part.id] !== 1)) return undefined
  for (const f of term.fields) {
    const hit =
      term.kind === 'phrase'
        ? p.hits[f].has(term.phrase.id)
        : term.kind === 'regex'
          ? regexIn(term.regex, f, p)
          : term.kind === 'near' && nearIn(term.parts, term.within, p.hits[f])
    if (hit) return f
  }
  return undefined
}

/** Some leaf or subgroup of the list holds. */
const someHolds = ({ leaves, groups }: SplitList, e: Evaluation): boolean => {
  const { gate, seen, hit } = e
  for (let k = 0; k < leaves.length; k++) {
    const leaf = leaves[k] as number
    const g = gate[leaf] as number
    if ((g < 0 || seen[g] === 1) && hit(leaf)) return true
  }
  for (const c of groups) if (holds(c, e)) return true
  return false
}

/** What evaluating one topic's tree on one item needs. */
interface Evaluation {
  gate: Int32Array
  seen: Uint8Array
  /** Whether the leaf matches; only called for leaves that pass the gate. */
  hit: (leaf: number) => boolean
  topic: CompiledTopic
  p: PreparedItem
  /** Set while a `scope: clause` group is evaluated one clause at a time. */
  inClause: boolean
  /** Told of each clause group that holds (for `explain`). */
  onClause?: (match: ClauseMatch) => void
}

/** The boolean tree: `any` (some), `all` (every), `none` (no child) holds, each when present. */
const holds = (node: CompiledNode, e: Evaluation): boolean => {
  if (node.kind === 'leaf') {
    const g = e.gate[node.leaf] as number
    return (g < 0 || e.seen[g] === 1) && e.hit(node.leaf)
  }
  if (node.scope !== undefined && !e.inClause) return clauseHolds(node, node.scope, e)
  return (
    (node.anySplit === undefined || someHolds(node.anySplit, e)) &&
    (node.all === undefined || node.all.every((c) => holds(c, e))) &&
    (node.noneSplit === undefined || !someHolds(node.noneSplit, e))
  )
}

const evaluation = (
  topic: CompiledTopic,
  p: PreparedItem,
  hit: (leaf: number) => boolean,
  onClause?: (match: ClauseMatch) => void,
): Evaluation => ({
  gate: topic.gate,
  seen: p.seen,
  hit,
  topic,
  p,
  inClause: false,
  ...(onClause ? { onClause } : {}),
})

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
      at += tokenize(piece).length
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
const clauseHolds = (
  node: CompiledGroup,
  scope: NonNullable<CompiledGroup['scope']>,
  e: Evaluation,
): boolean => {
  if (!mayHold(node, e)) return false
  for (const field of scope.fields) {
    const tokens = e.p.fields[field]?.tokens
    if (!tokens || tokens.length === 0) continue
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
      if (holds(node, inner)) {
        e.onClause?.({ group: scope.path, field, clause: (texts[k] ?? '').trim() })
        return true
      }
    }
  }
  return false
}

/** Whether an item from a source with `sourceTags` may carry the topic at all (`source_tags`, `exclude_source_tags`). */
export const sourceAllowed = (topic: CompiledTopic, sourceTags: readonly string[]): boolean =>
  (topic.sourceTags === undefined || sourceTags.some((t) => topic.sourceTags?.has(t))) &&
  !sourceTags.some((t) => topic.excludeSourceTags?.has(t))

const evaluate = (topic: CompiledTopic, p: PreparedItem): MatchResult => {
  const fields = topic.leaves.map((l) => matchedField(l.term, p))
  const terms: TermMatch[] = []
  const excluded: TermMatch[] = []
  let score = 0
  topic.leaves.forEach((leaf, i) => {
    const field = fields[i]
    if (field === undefined) return
    const list = leaf.negated ? excluded : terms
    // a YAML anchor reused in several places gives several leaves with one label: list it once
    if (!list.some((t) => t.term === leaf.term.label && t.field === field))
      list.push({ term: leaf.term.label, field })
    if (!leaf.negated) score += leaf.weight
  })
  const clauses: ClauseMatch[] = []
  const tree = holds(
    topic.root,
    evaluation(
      topic,
      p,
      (i) => fields[i] !== undefined,
      (c) => {
        if (!clauses.some((x) => x.group === c.group)) clauses.push(c)
      },
    ),
  )
  return {
    matched: tree && (topic.minScore === undefined || score >= topic.minScore),
    score,
    terms,
    ...(excluded.length > 0 ? { excluded } : {}),
    ...(clauses.length > 0 ? { clauses } : {}),
  }
}

/**
 * Whether the topic matches, evaluating only the terms the boolean tree needs (all of them only
 * with `min_score`). Source tags are not checked here.
 */
export const topicMatches = (topic: CompiledTopic, p: PreparedItem): boolean => {
  // Per leaf: 0 not evaluated yet, 1 matched, 2 did not (sized once: a sparse array grown by
  // leaf index was most of what tagging allocated).
  const memo = new Uint8Array(topic.leaves.length)
  const matched = (i: number): boolean => {
    if (memo[i] === 0) {
      const leaf = topic.leaves[i]
      memo[i] = leaf && matchedField(leaf.term, p) !== undefined ? 1 : 2
    }
    return memo[i] === 1
  }
  if (!holds(topic.root, evaluation(topic, p, matched))) return false
  if (topic.minScore === undefined) return true
  let score = 0
  topic.leaves.forEach((leaf, i) => {
    if (!leaf.negated && matched(i)) score += leaf.weight
  })
  return score >= topic.minScore
}

/**
 * Matches an already prepared item against one topic, rules and model (when the topic has one)
 * combined as it declares. With `sourceTags`, a topic restricted by
 * `source_tags` does not match an item whose source carries none of them (score and terms are
 * still reported).
 * @throws NotFoundError when the topic is unknown
 */
export const matchPrepared = (
  compiled: CompiledTopics,
  topicId: string,
  prepared: PreparedItem,
  sourceTags?: readonly string[],
): MatchResult => {
  const topic = compiled.topics.get(topicId)
  if (!topic) throw new NotFoundError('topic', topicId)
  const rules = evaluate(topic, prepared)
  const { matched, model } = explainModel(topic, prepared.item, rules.matched)
  const result: MatchResult = { ...rules, matched, ...(model ? { model } : {}) }
  return sourceTags === undefined || sourceAllowed(topic, sourceTags)
    ? result
    : { ...result, matched: false, sourceAllowed: false }
}

/**
 * Matches one item against one topic. To test many topics, prefer `tagItem` or `prepareItem` +
 * `matchPrepared`, which scan the item once.
 * @example matchTopic(compiled, 'pakistan-afghanistan', item).terms // [{ term: 'Torkham', field: 'title' }]
 * @throws NotFoundError when the topic is unknown
 */
export const matchTopic = (
  compiled: CompiledTopics,
  topicId: string,
  item: MatchableItem,
  sourceTags?: readonly string[],
): MatchResult =>
  matchPrepared(compiled, topicId, prepareItem(item, compiled, sourceTags), sourceTags)
