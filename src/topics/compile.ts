/** Compiles validated topic rules (`Topic.match`) into matchers plus one shared word index; collects rule errors. */
import { AppError } from '../model/errors.js'
import type {
  GroupNode,
  MatchField,
  MatchNode,
  NearNode,
  SourceNode,
  Topic,
  TopicModelSetting,
  WeightedTerm,
} from '../model/types.js'
import { MATCH_FIELDS } from '../model/types.js'
import { buildTopicCandidates } from './candidates.js'
import type {
  CompiledGroup,
  CompiledLeaf,
  CompiledModel,
  CompiledNode,
  CompiledTerm,
  CompiledTopic,
  CompiledTopics,
  SplitList,
  TopicCandidates,
} from './compiled.js'
import { isUsableModel } from './learn.js'
import {
  buildPhraseIndex,
  internPhrase,
  type PhraseIndex,
  type PhraseSpec,
} from './phrase-index.js'
import { type ParsedTerm, parseTerm, type RegexSpec } from './term.js'

/** A path inside a rule, relative to the topic's `match` node: `['any', 2]`, `['all', 0, 'near']`. */
export type RulePath = (string | number)[]

/**
 * One problem in a topic rule, with a sentence a non-programmer can act on.
 * @example new RuleError(['any', 2], 'an "any" group needs at least one term')
 */
export class RuleError extends AppError {
  /** Where, relative to the topic's `match` node. */
  readonly path: RulePath
  constructor(path: RulePath, message: string) {
    super('config', message)
    this.path = path
  }
}

/** Renders a rule path the way the YAML reads: `match.any[2].near`. */
export const formatRulePath = (path: RulePath): string =>
  path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : `${s}.${p}`), 'match')

/** Every rule error of every topic, thrown once by {@link compileTopics}. */
export class TopicRulesError extends AppError {
  readonly errors: { topicId: string; error: RuleError }[]
  constructor(errors: { topicId: string; error: RuleError }[]) {
    super(
      'config',
      errors
        .map((e) => `topic "${e.topicId}" at ${formatRulePath(e.error.path)}: ${e.error.message}`)
        .join('\n'),
    )
    this.errors = errors
  }
}

const GROUP_KEYS = new Set(['any', 'all', 'none', 'in', 'scope'])
const OPS = ['any', 'all', 'none'] as const

/** Shared state of one compilation: dedupes phrases and regexes across topics. */
interface Builder {
  phrases: Map<string, PhraseSpec>
  regexes: Map<string, RegexSpec>
  fields: Set<MatchField>
  errors: RuleError[]
  /** Terms parsed so far: rules reused through YAML anchors repeat whole lists. */
  parsed: Map<string, ParsedTerm | string>
  /** Terms compiled so far, per list of fields (the same array for every term of a group). */
  terms: Map<MatchField[], Map<string, CompiledTerm>>
  fieldLists: Map<string, MatchField[]>
  /**
   * Groups compiled so far by what they say (its structural id, its fields, whether inside a
   * clause group): two or more alike are shared (CompiledGroup.shared), as a reused anchor's are.
   */
  groups: Map<string, CompiledGroup[]>
  /** Each compiled group's key in {@link Builder.groups}, for the copies {@link copyGroup} makes. */
  groupKeys: Map<CompiledGroup, string>
  /** Structural ids (see {@link structuralId}) by the description of a node, or by a term. */
  ids: Map<string, number>
  stringIds: Map<string, number>
  /** Structural id of every rule node met so far. */
  nodeIds: Map<object, number>
  /**
   * Groups compiled without error, by structural id, fields, clause scope and negation: the next
   * group alike (an anchor such as `*relations` in every narrower topic) is a copy of this one.
   */
  compiledGroups: Map<string, CompiledCopy>
}

/** A group compiled once, with what a copy elsewhere needs: its leaves and where it was written. */
interface CompiledCopy {
  group: CompiledGroup
  /** Its leaves, the topic's from `first` on. */
  leaves: CompiledLeaf[]
  first: number
  /** Its path, formatted: the prefix of its clause groups' paths. */
  at: string
}

/** One array per distinct list of fields, so that terms compiled for it are found again. */
const fieldList = (b: Builder, fields: MatchField[]): MatchField[] => {
  const key = fields.join()
  const known = b.fieldLists.get(key)
  if (known) return known
  b.fieldLists.set(key, fields)
  return fields
}

const parseOnce = (b: Builder, s: string): ParsedTerm | string => {
  let parsed = b.parsed.get(s)
  if (parsed === undefined) {
    parsed = parseTerm(s)
    b.parsed.set(s, parsed)
  }
  return parsed
}

const toTerm = (b: Builder, parsed: ParsedTerm, label: string, fields: MatchField[]) => {
  const scoped = parsed.field ? [parsed.field] : fields
  for (const f of scoped) b.fields.add(f)
  if (parsed.kind === 'regex') {
    const regex = b.regexes.get(parsed.regex.key) ?? parsed.regex
    b.regexes.set(regex.key, regex)
    return { kind: 'regex', label, fields: scoped, regex } satisfies CompiledTerm
  }
  const phrase = internPhrase(b.phrases, parsed.tokens, parsed.prefix)
  return { kind: 'phrase', label, fields: scoped, phrase } satisfies CompiledTerm
}

interface Walk {
  b: Builder
  leaves: CompiledLeaf[]
  /** Inside a `scope: clause` group (a nested one is within the outer one's clause). */
  scoped: boolean
}

const addLeaf = (w: Walk, term: CompiledTerm, weight: number, negated: boolean): CompiledNode => {
  w.leaves.push({ term, weight, negated })
  return { kind: 'leaf', leaf: w.leaves.length - 1 }
}

const compileString = (w: Walk, s: string, path: RulePath, fields: MatchField[]) => {
  let known = w.b.terms.get(fields)
  const term = known?.get(s)
  if (term) return term
  const parsed = parseOnce(w.b, s)
  if (typeof parsed === 'string') {
    w.b.errors.push(new RuleError(path, parsed))
    return undefined
  }
  const compiled = toTerm(w.b, parsed, s.trim(), fields)
  if (!known) {
    known = new Map()
    w.b.terms.set(fields, known)
  }
  known.set(s, compiled)
  return compiled
}

const compileNear = (w: Walk, n: NearNode, path: RulePath, fields: MatchField[], neg: boolean) => {
  const errorsBefore = w.b.errors.length
  const terms = Array.isArray(n.near) ? n.near : []
  if (terms.length < 2)
    w.b.errors.push(new RuleError([...path, 'near'], '"near" needs at least two terms'))
  const within = n.within ?? 12
  if (!Number.isInteger(within) || within < 1)
    w.b.errors.push(
      new RuleError([...path, 'within'], `"within" must be a whole number of words, 1 or more`),
    )
  const parts: PhraseSpec[] = []
  terms.forEach((t, i) => {
    const parsed =
      typeof t === 'string' ? parseOnce(w.b, t) : 'a "near" term must be a word or phrase'
    const at = [...path, 'near', i]
    if (typeof parsed === 'string') w.b.errors.push(new RuleError(at, parsed))
    else if (parsed.kind === 'regex')
      w.b.errors.push(new RuleError(at, `a "near" term cannot be a regular expression (${t})`))
    else if (parsed.field)
      w.b.errors.push(
        new RuleError(
          at,
          `a "near" term cannot name a field (${t}); put the near in a group with "in: [${parsed.field}]"`,
        ),
      )
    else parts.push(internPhrase(w.b.phrases, parsed.tokens, parsed.prefix))
  })
  if (w.b.errors.length > errorsBefore) return undefined
  for (const f of fields) w.b.fields.add(f)
  const label = `near: [${terms.join(', ')}] within ${within}`
  return addLeaf(w, { kind: 'near', label, fields, parts, within }, 1, neg)
}

const compileSource = (w: Walk, n: SourceNode, path: RulePath, neg: boolean) => {
  const tags = Array.isArray(n.source) ? n.source.filter((t) => typeof t === 'string') : []
  if (tags.length === 0 || tags.length !== (Array.isArray(n.source) ? n.source.length : -1)) {
    w.b.errors.push(new RuleError([...path, 'source'], '"source" needs a list of source tags'))
    return undefined
  }
  const label = `source: [${tags.join(', ')}]`
  return addLeaf(w, { kind: 'source', label, fields: [], tags }, 1, neg)
}

/** What compileNode reads as a group: an object that is not a `near`, `term` or `source` term. */
const isGroup = (node: MatchNode): node is GroupNode =>
  typeof node === 'object' &&
  node !== null &&
  !Array.isArray(node) &&
  !('near' in node) &&
  !('term' in node) &&
  !('source' in node)

/**
 * A number per distinct rule node: two nodes get the same one exactly when they read the same
 * (their JSON is equal), as the copies YAML makes of an anchor do. A group's comes from its
 * children's, so each node is described once, not a subtree's text per group above it.
 */
const structuralId = (b: Builder, node: MatchNode): number => {
  const object = typeof node === 'object' && node !== null
  const known = object ? b.nodeIds.get(node) : undefined
  if (known !== undefined) return known
  if (typeof node === 'string') {
    // the most common node, keyed as it is: no description to build
    let id = b.stringIds.get(node)
    if (id === undefined) {
      id = b.ids.size + b.stringIds.size
      b.stringIds.set(node, id)
    }
    return id
  }
  let description: string
  if (!isGroup(node)) description = `j${JSON.stringify(node)}`
  else {
    description = 'g'
    for (const [key, value] of Object.entries(node)) {
      const children =
        Array.isArray(value) && (OPS as readonly string[]).includes(key)
          ? `[${value.map((c: MatchNode) => structuralId(b, c)).join()}]`
          : JSON.stringify(value)
      description += `${JSON.stringify(key)}:${children};`
    }
  }
  let id = b.ids.get(description)
  if (id === undefined) {
    id = b.ids.size + b.stringIds.size
    b.ids.set(description, id)
  }
  if (object) b.nodeIds.set(node, id)
  return id
}

const registerGroup = (b: Builder, key: string, group: CompiledGroup) => {
  b.groupKeys.set(group, key)
  const same = b.groups.get(key)
  if (same) same.push(group)
  else b.groups.set(key, [group])
}

/**
 * A compiled group again, for a topic whose leaves start `shift` later and a place written `at`:
 * what compiling it there gives, without parsing, checking or keying its subtree again.
 */
const copyGroup = (b: Builder, n: CompiledGroup, shift: number, from: string, at: string) => {
  const out: CompiledGroup = { kind: 'group' }
  if (n.scope) out.scope = { fields: n.scope.fields, path: at + n.scope.path.slice(from.length) }
  for (const op of OPS) {
    const children = n[op]
    if (children)
      out[op] = children.map(
        (c): CompiledNode =>
          c.kind === 'leaf'
            ? { kind: 'leaf', leaf: c.leaf + shift }
            : copyGroup(b, c, shift, from, at),
      )
  }
  if (out.any) out.anySplit = splitList(out.any)
  if (out.none) out.noneSplit = splitList(out.none)
  registerGroup(b, b.groupKeys.get(n) as string, out)
  return out
}

const compileGroup = (
  w: Walk,
  g: GroupNode,
  path: RulePath,
  fields: MatchField[],
  neg: boolean,
): CompiledNode | undefined => {
  const id = structuralId(w.b, g)
  const copyKey = `${id}|${fields.join()}|${w.scoped}|${neg}`
  const compiled = w.b.compiledGroups.get(copyKey)
  if (compiled) {
    const shift = w.leaves.length - compiled.first
    for (const leaf of compiled.leaves) w.leaves.push(leaf)
    return copyGroup(w.b, compiled.group, shift, compiled.at, formatRulePath(path))
  }
  const errorsBefore = w.b.errors.length
  const first = w.leaves.length
  for (const key of Object.keys(g))
    if (!GROUP_KEYS.has(key))
      w.b.errors.push(
        new RuleError([...path, key], `unknown key "${key}" in a group (use any, all, none or in)`),
      )
  let inner = fields
  if (g.in !== undefined) {
    if (!Array.isArray(g.in) || g.in.length === 0)
      w.b.errors.push(new RuleError([...path, 'in'], '"in" needs at least one field'))
    else {
      g.in.forEach((f, i) => {
        if (!MATCH_FIELDS.includes(f))
          w.b.errors.push(
            new RuleError(
              [...path, 'in', i],
              `unknown field "${String(f)}" (use title, summary, content or categories)`,
            ),
          )
      })
      inner = fieldList(
        w.b,
        g.in.filter((f) => MATCH_FIELDS.includes(f)),
      )
    }
  }
  const out: CompiledGroup = { kind: 'group' }
  const outerScoped = w.scoped
  if (g.scope !== undefined) {
    if (g.scope !== 'clause')
      w.b.errors.push(
        new RuleError([...path, 'scope'], `"scope" can only be "clause", not "${String(g.scope)}"`),
      )
    // a clause group inside another is already within the outer one's clause
    else if (!outerScoped) out.scope = { fields: inner, path: formatRulePath(path) }
    w.scoped = true
  }
  for (const op of OPS) {
    const children = g[op]
    if (children === undefined) continue
    if (!Array.isArray(children) || children.length === 0) {
      w.b.errors.push(
        new RuleError(
          [...path, op],
          `${op === 'none' ? 'a' : 'an'} "${op}" group needs at least one term`,
        ),
      )
      continue
    }
    const childNeg = op === 'none' ? !neg : neg
    out[op] = children.flatMap((c, i) => {
      const node = compileNode(w, c, [...path, op, i], inner, childNeg)
      return node ? [node] : []
    })
  }
  w.scoped = outerScoped
  if (out.any) out.anySplit = splitList(out.any)
  if (out.none) out.noneSplit = splitList(out.none)
  if (OPS.every((op) => g[op] === undefined))
    w.b.errors.push(
      new RuleError(path, 'a group needs "any", "all" or "none" with a list of terms'),
    )
  if (w.b.errors.length > errorsBefore) return undefined
  registerGroup(w.b, `${inner.join()}|${outerScoped}|${id}`, out)
  w.b.compiledGroups.set(copyKey, {
    group: out,
    leaves: w.leaves.slice(first),
    first,
    at: formatRulePath(path),
  })
  return out
}

const splitList = (children: CompiledNode[]): SplitList => {
  const leaves: number[] = []
  const groups: CompiledNode[] = []
  for (const c of children) {
    if (c.kind === 'leaf') leaves.push(c.leaf)
    else groups.push(c)
  }
  return { leaves: Int32Array.from(leaves), groups }
}

const compileNode = (
  w: Walk,
  node: MatchNode,
  path: RulePath,
  fields: MatchField[],
  neg: boolean,
): CompiledNode | undefined => {
  if (typeof node === 'string') {
    const term = compileString(w, node, path, fields)
    return term && addLeaf(w, term, 1, neg)
  }
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    w.b.errors.push(new RuleError(path, 'a rule must be a term or a group (any, all, none)'))
    return undefined
  }
  if ('near' in node) return compileNear(w, node, path, fields, neg)
  if ('term' in node) return compileWeighted(w, node, path, fields, neg)
  if ('source' in node) return compileSource(w, node, path, neg)
  return compileGroup(w, node, path, fields, neg)
}

const compileWeighted = (
  w: Walk,
  n: WeightedTerm,
  path: RulePath,
  fields: MatchField[],
  neg: boolean,
) => {
  const weightOk = typeof n.weight === 'number' && Number.isFinite(n.weight)
  if (!weightOk) w.b.errors.push(new RuleError([...path, 'weight'], '"weight" must be a number'))
  if (typeof n.term !== 'string') {
    w.b.errors.push(new RuleError([...path, 'term'], '"term" must be a word or phrase'))
    return undefined
  }
  const term = compileString(w, n.term, [...path, 'term'], fields)
  return term && weightOk ? addLeaf(w, term, n.weight, neg) : undefined
}

const compileModel = (m: TopicModelSetting): CompiledModel => ({
  mode: m.mode,
  threshold: m.threshold,
  ...(isUsableModel(m.learned) ? { learned: m.learned } : {}),
})

/**
 * Compiles every topic once: parses terms, checks every rule and builds the shared word index.
 * Plain terms weigh 1; a field scope (`title:Chaman`) overrides the inherited `in`.
 * @throws TopicRulesError with every rule error of every topic (paths relative to `match`)
 * @example const compiled = compileTopics(config.topics)
 */
export const compileTopics = (topics: Topic[]): CompiledTopics => {
  const known = compiledTopics.get(topics)
  if (known) return known
  const compiled = compileAll(topics)
  compiledTopics.set(topics, compiled)
  return compiled
}

/**
 * Compiled rules by topic list. A configuration's topics are compiled when it is validated and
 * again by every tagger made from it (serve makes two at start): the list is never changed once
 * loaded, so the first compilation serves them all. Weak: a configuration reloaded away is freed.
 */
const compiledTopics = new WeakMap<readonly Topic[], CompiledTopics>()

const compileAll = (topics: Topic[]): CompiledTopics => {
  const b: Builder = {
    phrases: new Map(),
    regexes: new Map(),
    fields: new Set(),
    errors: [],
    parsed: new Map(),
    terms: new Map(),
    fieldLists: new Map(),
    groups: new Map(),
    groupKeys: new Map(),
    ids: new Map(),
    stringIds: new Map(),
    nodeIds: new Map(),
    compiledGroups: new Map(),
  }
  const all: { topicId: string; error: RuleError }[] = []
  const compiled = new Map<string, CompiledTopic>()
  const seen = new Set<string>()
  for (const topic of topics) {
    b.errors = []
    const w: Walk = { b, leaves: [], scoped: false }
    if (seen.has(topic.id)) b.errors.push(new RuleError([], 'this topic id is used twice'))
    seen.add(topic.id)
    const fields = fieldList(b, topic.in.length > 0 ? [...topic.in] : [...MATCH_FIELDS])
    const root = compileNode(w, topic.match, [], fields, false)
    if (topic.minScore !== undefined && !Number.isFinite(topic.minScore))
      b.errors.push(new RuleError([], '"min_score" must be a number'))
    for (const error of b.errors) all.push({ topicId: topic.id, error })
    if (!root || b.errors.length > 0) continue
    compiled.set(topic.id, {
      id: topic.id,
      title: topic.title,
      root,
      leaves: w.leaves,
      gate: Int32Array.from(w.leaves, ({ term }) =>
        term.kind === 'phrase'
          ? term.phrase.id
          : term.kind === 'near'
            ? (term.parts[0]?.id ?? -1)
            : -1,
      ),
      ...(topic.sourceTags ? { sourceTags: new Set(topic.sourceTags) } : {}),
      ...(topic.excludeSourceTags ? { excludeSourceTags: new Set(topic.excludeSourceTags) } : {}),
      ...(topic.minScore !== undefined ? { minScore: topic.minScore } : {}),
      ...(topic.model ? { model: compileModel(topic.model) } : {}),
    })
  }
  if (all.length > 0) throw new TopicRulesError(all)
  let sharedGroups = 0
  for (const same of b.groups.values()) {
    if (same.length < 2) continue
    for (const g of same) g.shared = sharedGroups
    sharedGroups++
  }
  return new LazilyIndexed(
    [...compiled.keys()].sort(),
    compiled,
    MATCH_FIELDS.filter((f) => b.fields.has(f)),
    sharedGroups,
    b.phrases,
  )
}

/**
 * The compiled topics, their indexes built on first use: `check` compiles the rules to validate
 * them and never tags, so it need not index every phrase and topic.
 */
class LazilyIndexed implements CompiledTopics {
  #phrases: ReadonlyMap<string, PhraseSpec>
  #index: PhraseIndex | undefined
  #candidates: TopicCandidates | undefined
  constructor(
    readonly ids: readonly string[],
    readonly topics: ReadonlyMap<string, CompiledTopic>,
    readonly fields: readonly MatchField[],
    readonly sharedGroups: number,
    phrases: ReadonlyMap<string, PhraseSpec>,
  ) {
    this.#phrases = phrases
  }
  get index(): PhraseIndex {
    this.#index ??= buildPhraseIndex(this.#phrases.values())
    return this.#index
  }
  get candidates(): TopicCandidates {
    this.#candidates ??= buildTopicCandidates(this.topics.values())
    return this.#candidates
  }
}
