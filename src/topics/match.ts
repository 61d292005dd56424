/** Runs compiled topic rules on a prepared item (prepare.ts): evaluates any topic cheaply, and explains. */
import { NotFoundError } from '../model/errors.js'
import type { MatchField } from '../model/types.js'
import { type ClauseMatch, clauseHolds, type Evaluation } from './clause.js'
import { explainModel, type ModelExplanation } from './combine.js'
import type {
  CompiledGroup,
  CompiledNode,
  CompiledTerm,
  CompiledTopic,
  CompiledTopics,
  SplitList,
} from './compiled.js'
import { nearIn } from './near.js'
import { type MatchableItem, type PreparedItem, prepareItem } from './prepare.js'
import type { RegexSpec } from './term.js'

/** One term that matched, as written in the YAML, and the first field it matched in (`source` for a `source:` term). */
export interface TermMatch {
  term: string
  field: MatchField | 'source'
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

/** Each regex runs at most once per field and item, however many topics use it. */
const regexIn = (regex: RegexSpec, field: MatchField, p: PreparedItem): boolean => {
  let cache = p.regexHits[field]
  if (cache === undefined) {
    cache = new Map()
    p.regexHits[field] = cache
  }
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

/** The boolean tree: `any` (some), `all` (every), `none` (no child) holds, each when present. */
const holds = (node: CompiledNode, e: Evaluation): boolean => {
  if (node.kind === 'leaf') {
    const g = e.gate[node.leaf] as number
    return (g < 0 || e.seen[g] === 1) && e.hit(node.leaf)
  }
  // a shared group's result is the same in every topic that uses it (explain works each out, to
  // name the clauses it held in)
  if (node.shared !== undefined && !e.inClause && !e.onClause) {
    const known = e.p.shared[node.shared]
    if (known === 1 || known === 2) return known === 1
    const held = groupHolds(node, e)
    e.p.shared[node.shared] = held ? 1 : 2
    return held
  }
  return groupHolds(node, e)
}

const groupHolds = (node: CompiledGroup, e: Evaluation): boolean => {
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
  holds,
  ...(onClause ? { onClause } : {}),
})

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
