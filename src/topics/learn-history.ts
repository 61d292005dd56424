/** A topic's model as a function of its verdict history: a full retrain every so many verdicts, incremental steps in between. */
import { createHash } from 'node:crypto'
import type { StoredTopicModel, TopicModel, Verdict } from '../model/types.js'
import { itemFeatures, trainTopicModel } from './classifier.js'
import {
  type FeatureExample,
  type ModelUnderUpdate,
  toModelUnderUpdate,
  toTopicModel,
  updateTopicModel,
} from './update-topic-model.js'

/** Verdicts a topic learns from at most (the newest): training time stays bounded whatever is imported. */
export const MAX_TRAINING_VERDICTS = 20_000

/**
 * A full retrain happens when the history reaches a multiple of this; the verdicts after the last
 * one are learned by incremental steps, so at most this many steps separate any model from a
 * full retrain (the drift a step may add is bounded by it).
 */
export const RETRAIN_EVERY = 128

/** Older verdicts replayed with each step (half in, half out, where there are that many). */
export const REPLAY = 64

/** Below this many verdicts a word seen once is kept: a reader's first verdicts are few. */
const FEW = 100

/**
 * Bumped when a change to learning (training, steps, features) changes what a history learns:
 * stored models (Store.saveTopicModel) of another revision are then not used.
 */
const LEARNING_REVISION = 1

/**
 * Full retrains and incremental steps run in this thread so far (a learner's worker counts its
 * own): what a start that loads a stored model saves, made visible to tests and benchmarks.
 */
export const learnCounts = { retrains: 0, steps: 0 }

/** What a topic's learning remembers between two verdicts, so the next one costs one step. */
interface HistoryState {
  baseKey: string
  /** The verdicts learned, as keys (item, time, class, text), oldest first. */
  keys: string[]
  /**
   * The history index of the last full retrain, and its model (undefined: none, the base;
   * 'unknown': the state was resumed from a stored model past the checkpoint, see learnHistory).
   */
  checkpoint: number
  atCheckpoint: TopicModel | undefined | 'unknown'
  /** The model after all of `keys` (undefined: the checkpoint model unchanged). */
  model: ModelUnderUpdate | undefined
  /** Per learned verdict: its features (for replay), made when first replayed. */
  features: (ReadonlySet<string> | undefined)[]
  /** Indexes of the verdicts in and out, ascending. */
  ins: number[]
  outs: number[]
}

/**
 * Per topic, the state after its last learning: a learner keeps one (learnTopics takes it), so a
 * new verdict is one incremental step instead of a retrain. It never changes a result: the model
 * is the same with or without it.
 */
export type HistoryCache = Map<string, HistoryState>

/** An empty {@link HistoryCache}. */
export const createHistoryCache = (): HistoryCache => new Map()

/**
 * The verdicts in learning order: by the store's import sequence (Verdict.seq: a later import
 * comes after, whatever its times), then time given, then item id; verdicts stored before the
 * sequence existed come first. The order the store lists them in does not matter.
 */
export const historyOrder = (list: readonly Verdict[]): Verdict[] =>
  [...list].sort(
    (a, b) =>
      (a.seq ?? 0) - (b.seq ?? 0) ||
      (a.at < b.at ? -1 : a.at > b.at ? 1 : a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0),
  )

// the text too: a verdict is only the same if it learns the same (tests reuse ids and times)
const keyOf = (v: Verdict) =>
  `${v.seq ?? 0}\u0000${v.itemId}\u0000${v.at}\u0000${v.in ? 1 : 0}\u0000${v.title}\u0000${v.summary ?? ''}`

const baseKeys = new WeakMap<TopicModel, string>()
/** The base model as a string, remembered per object (a worker gets a new copy each time). */
const baseKeyOf = (base: TopicModel | undefined): string => {
  if (!base) return ''
  let k = baseKeys.get(base)
  if (k === undefined) {
    k = JSON.stringify(base)
    baseKeys.set(base, k)
  }
  return k
}

/**
 * What a topic's learned model depends on besides its verdicts: the model file and how learning
 * works. A stored model of another basis is not used (learnHistory retrains).
 */
export const modelBasis = (base: TopicModel | undefined): string =>
  createHash('sha256')
    .update(
      `${LEARNING_REVISION}\u0000${RETRAIN_EVERY}\u0000${REPLAY}\u0000${MAX_TRAINING_VERDICTS}\u0000${baseKeyOf(base)}`,
    )
    .digest('base64url')

/**
 * The record a store keeps of a model learned from `verdicts` (one topic's, any order), or
 * undefined when there are none (the model file alone needs no record).
 */
export const storedModelOf = (
  topicId: string,
  base: TopicModel | undefined,
  verdicts: readonly Verdict[],
  model: TopicModel,
): StoredTopicModel | undefined => {
  const history = historyOrder(verdicts)
  const last = history.at(-1)
  if (!last) return undefined
  return {
    topicId,
    basis: modelBasis(base),
    covers: { count: history.length, seq: last.seq ?? 0, at: last.at, itemId: last.itemId },
    model,
  }
}

/**
 * How many verdicts of `history` a stored model covers: its first `covers.count` ones, when they
 * end with the very verdict it names (a sequence changes when a verdict is given again, so an
 * older one changed or withdrawn moves or removes it); 0: it does not cover this history.
 */
const coveredBy = (stored: StoredTopicModel, history: readonly Verdict[]): number => {
  const { count, seq, at, itemId } = stored.covers
  if (!Number.isInteger(count) || count < 1 || count > history.length) return 0
  const last = history[count - 1] as Verdict
  return (last.seq ?? 0) === seq && last.at === at && last.itemId === itemId ? count : 0
}

/** Where the last full retrain falls for a history of `n` verdicts (all of it while it is short). */
export const checkpointOf = (n: number, every = RETRAIN_EVERY): number =>
  n <= every ? n : n - (n % every)

/** The full retrain on verdicts `from`…`to` (exclusive) of the history, from `base`. */
const retrain = (
  history: readonly Verdict[],
  to: number,
  base: TopicModel | undefined,
): TopicModel | undefined => {
  const part = history
    .slice(Math.max(0, to - MAX_TRAINING_VERDICTS), to)
    // by item id, so that training does not depend on the order verdicts were given in
    .sort((a, b) => (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0))
  if (part.length === 0) return base
  learnCounts.retrains++
  return trainTopicModel(
    part.map((v) => ({
      item: { title: v.title, ...(v.summary !== undefined ? { summary: v.summary } : {}) },
      in: v.in,
    })),
    part.length < FEW ? 1 : 2,
    base,
  )
}

/** Deterministic pseudo-random numbers (mulberry32) seeded by a string: the replay sample of a verdict. */
const seeded = (s: string) => {
  let seed = 2166136261
  for (let i = 0; i < s.length; i++) seed = Math.imul(seed ^ s.charCodeAt(i), 16777619)
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The first position in ascending `list` holding a value ≥ `x`. */
const lowerBound = (list: readonly number[], x: number): number => {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((list[mid] as number) < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Up to `k` of `list[from…]`, drawn without repetition, in drawing order. */
const sample = (list: readonly number[], from: number, k: number, random: () => number) => {
  const m = list.length - from
  if (m <= k) return list.slice(from)
  const picked = new Set<number>()
  const out: number[] = []
  while (out.length < k) {
    const i = from + Math.floor(random() * m)
    if (picked.has(i)) continue
    picked.add(i)
    out.push(list[i] as number)
  }
  return out
}

/**
 * A topic's model learned from its verdicts, as a function of their history alone: the verdicts
 * in the order given ({@link historyOrder}), fully retrained up to the last multiple of
 * {@link RETRAIN_EVERY} (from `base`, the topic's model file), then one incremental step per later
 * verdict (a warm start on it and a replay sample of older ones, updateTopicModel). Every process
 * with the same verdicts lands on the same weights, whatever it learned before; with a `cache`
 * from an earlier call on fewer verdicts, only the new ones' steps are run. Without one, a
 * `stored` model (Store.topicModels) of the same basis that covers the first k verdicts, past the
 * last full retrain's place, is taken as the model at k: only the steps after it are run (none
 * when k is all), landing on the same weights as learning it all again.
 * @param checkpoint where the last full retrain falls for n verdicts ({@link checkpointOf}; the
 *   eval moves it to measure the longest run of steps)
 * @example const model = learnHistory('pakistan-afghanistan', base, verdicts, { cache })
 */
export const learnHistory = (
  topicId: string,
  base: TopicModel | undefined,
  verdicts: readonly Verdict[],
  opts: {
    cache?: HistoryCache
    checkpoint?: (n: number) => number
    stored?: StoredTopicModel
  } = {},
): TopicModel | undefined => {
  const history = historyOrder(verdicts)
  const n = history.length
  if (n === 0) {
    opts.cache?.delete(topicId)
    return base
  }
  const keys = history.map(keyOf)
  const c = Math.min(n, Math.max(1, (opts.checkpoint ?? checkpointOf)(n)))
  const baseKey = baseKeyOf(base)
  let st = opts.cache?.get(topicId)
  const valid =
    st !== undefined &&
    st.baseKey === baseKey &&
    st.checkpoint === c &&
    st.keys.length >= c &&
    keys.slice(0, c).every((k, i) => st?.keys[i] === k)
  /** The verdicts learned so far that are still the history's, from the checkpoint on. */
  let same = c
  if (st && valid) while (same < st.keys.length && same < n && st.keys[same] === keys[same]) same++
  const classes = (upTo: number) => {
    const ins: number[] = []
    const outs: number[] = []
    for (let i = 0; i < upTo; i++) (history[i]?.in ? ins : outs).push(i)
    return { ins, outs }
  }
  const stored = opts.stored
  const covered =
    stored && !opts.checkpoint && stored.basis === modelBasis(base) ? coveredBy(stored, history) : 0
  if (
    stored &&
    covered >= c &&
    checkpointOf(covered) === c &&
    (!st || !valid || same < Math.min(covered, st.keys.length))
  ) {
    // the stored model is the model at `covered`: a full retrain there, or its steps since the last
    st = {
      baseKey,
      keys: keys.slice(0, covered),
      checkpoint: c,
      atCheckpoint: covered === c ? stored.model : 'unknown',
      model: covered === c ? undefined : toModelUnderUpdate(stored.model),
      features: [],
      ...classes(covered),
    }
  } else if (!st || !valid || (same < st.keys.length && st.atCheckpoint === 'unknown')) {
    st = {
      baseKey,
      keys: keys.slice(0, c),
      checkpoint: c,
      atCheckpoint: retrain(history, c, base),
      model: undefined,
      features: [],
      ...classes(c),
    }
  } else if (same < st.keys.length) {
    // a later verdict was changed or withdrawn: its steps are redone from the checkpoint
    st.keys.length = c
    st.features.length = Math.min(st.features.length, c)
    st.ins.length = lowerBound(st.ins, c)
    st.outs.length = lowerBound(st.outs, c)
    st.model = undefined
  }
  const state = st
  const featuresAt = (k: number): ReadonlySet<string> => {
    let f = state.features[k]
    if (f === undefined) {
      f = itemFeatures(history[k] as Verdict)
      state.features[k] = f
    }
    return f
  }
  for (let i = st.keys.length; i < n; i++) {
    const v = history[i] as Verdict
    const lo = Math.max(0, i - MAX_TRAINING_VERDICTS)
    const random = seeded(keys[i] as string)
    const fromIn = lowerBound(st.ins, lo)
    const fromOut = lowerBound(st.outs, lo)
    const replay: FeatureExample[] = [
      ...sample(st.ins, fromIn, REPLAY / 2, random),
      ...sample(st.outs, fromOut, REPLAY / 2, random),
    ].map((k) => ({ features: featuresAt(k), in: (history[k] as Verdict).in }))
    const features = featuresAt(i)
    const from = st.atCheckpoint
    // 'unknown' comes with a model (a stored one past the checkpoint): never read here
    st.model ??= toModelUnderUpdate(
      from === undefined || from === 'unknown'
        ? { version: 1, examples: { in: 0, out: 0 }, bias: 0, weights: {} }
        : from,
    )
    learnCounts.steps++
    updateTopicModel(st.model, { features, in: v.in }, replay, base ? { prior: base } : {})
    st.keys.push(keys[i] as string)
    ;(v.in ? st.ins : st.outs).push(i)
  }
  opts.cache?.set(topicId, st)
  if (st.model) return toTopicModel(st.model)
  return st.atCheckpoint === 'unknown' ? undefined : st.atCheckpoint
}
