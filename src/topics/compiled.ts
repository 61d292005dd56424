/** What compile.ts makes of the topic rules: the tree, its leaves and the shared indexes that match.ts runs. */
import type { MatchField, TopicModel, TopicModelSetting } from '../model/types.js'
import type { PhraseIndex, PhraseSpec } from './phrase-index.js'
import type { RegexSpec } from './term.js'

/** What one leaf of a rule looks for; `label` is the term as the YAML writes it (for `explain`). */
export type CompiledTerm =
  | { kind: 'phrase'; label: string; fields: MatchField[]; phrase: PhraseSpec }
  | { kind: 'regex'; label: string; fields: MatchField[]; regex: RegexSpec }
  | { kind: 'near'; label: string; fields: MatchField[]; parts: PhraseSpec[]; within: number }
  /** Holds when the item's source carries one of `tags`; found in no field, so `fields` is empty. */
  | { kind: 'source'; label: string; fields: MatchField[]; tags: readonly string[] }

/** A term in the tree; `negated` when under an odd number of `none` groups (it never scores). */
export interface CompiledLeaf {
  term: CompiledTerm
  weight: number
  negated: boolean
}

/** The boolean tree; every key present in a group must hold (AND). */
export type CompiledNode = { kind: 'leaf'; leaf: number } | CompiledGroup

export interface CompiledGroup {
  kind: 'group'
  any?: CompiledNode[]
  all?: CompiledNode[]
  none?: CompiledNode[]
  /**
   * `scope: clause`: the group holds only when it holds within one clause of one of `fields`
   * (`path` is where the YAML writes it, for `explain`).
   */
  scope?: { fields: MatchField[]; path: string }
  /**
   * A group written once and used in several places (a YAML anchor such as the shipped
   * `*relations`, which every narrower topic repeats): its slot in PreparedItem.shared, so its
   * result is worked out once per item for all of them.
   */
  shared?: number
  /** `any` and `none` split for evaluation (see {@link SplitList}). */
  anySplit?: SplitList
  noneSplit?: SplitList
}

/**
 * A list of children split into leaves (as indexes) and subgroups: a rule of hundreds of terms
 * (the shipped ones) is then one tight loop over the leaves, most of which the item's phrase hits
 * rule out with one array read (see CompiledTopic.gate), instead of a call per leaf.
 */
export interface SplitList {
  leaves: Int32Array
  groups: CompiledNode[]
}

export interface CompiledTopic {
  id: string
  title: string
  root: CompiledNode
  /** Indexed by `CompiledNode.leaf`. */
  leaves: CompiledLeaf[]
  /**
   * Per leaf, a phrase id the item must contain for the leaf to match (a phrase term's phrase, a
   * `near` term's first part), or -1 (a regex: always evaluated).
   */
  gate: Int32Array
  sourceTags?: ReadonlySet<string>
  excludeSourceTags?: ReadonlySet<string>
  minScore?: number
  /** `model:` of the topic; `learned` only when usable (it has seen an item in and one out). */
  model?: CompiledModel
}

/** How a topic's model combines with its rules (see TopicModelSetting). */
export interface CompiledModel {
  mode: TopicModelSetting['mode']
  threshold: number
  learned?: TopicModel
}

/** All topics compiled once; pass to `matchTopic` / `tagItem`. */
export interface CompiledTopics {
  /** Sorted topic ids. */
  ids: readonly string[]
  topics: ReadonlyMap<string, CompiledTopic>
  index: PhraseIndex
  candidates: TopicCandidates
  /** Fields some term looks at (others need not be prepared). */
  fields: readonly MatchField[]
  /** How many shared groups (CompiledGroup.shared) there are. */
  sharedGroups: number
}

/** Which topics an item can possibly match, so tagging skips the rest unevaluated. */
export interface TopicCandidates {
  /** Phrase id → ids of the topics using it (near parts included). */
  byPhrase: ReadonlyMap<number, readonly string[]>
  /**
   * Topics to evaluate anyway: those whose tree can hold on regular expressions and `source:`
   * terms alone, or decided by a model alone.
   */
  always: readonly string[]
}
