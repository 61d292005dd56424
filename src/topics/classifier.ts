/** A small, explainable topic classifier: naive Bayes over an item's normalised words and word pairs, trained on verdicts. */
import type { Item, TopicModel } from '../model/types.js'
import { tokenize } from './text.js'

/** One verdict to learn from: the item's text and whether it belongs to the topic. */
export interface TrainingExample {
  item: Pick<Item, 'title' | 'summary'>
  in: boolean
}

/** A model's view of one item: the probability it is in the topic and the words that weighed most. */
export interface ModelScore {
  /** 0–1. */
  probability: number
  /** Up to 8 features present in the item, strongest first, with their weight (+ for in, − for out). */
  words: { word: string; weight: number }[]
}

/** Features kept at most (the most frequent), so a model stays small whatever it is fed. */
export const MAX_FEATURES = 20_000
/** Words in a title or summary read at most, so one huge text cannot cost more. */
const MAX_WORDS = 400

/** An item's distinct features: its words and adjacent word pairs (`a_b`), title and summary together. */
export const itemFeatures = (item: Pick<Item, 'title' | 'summary'>): Set<string> => {
  const out = new Set<string>()
  for (const text of [item.title, item.summary ?? '']) {
    if (text === '') continue
    const words = tokenize(text)
    const n = Math.min(words.length, MAX_WORDS)
    for (let i = 0; i < n; i++) {
      const w = words[i] as string
      out.add(w)
      if (i + 1 < n) out.add(`${w}_${words[i + 1]}`)
    }
  }
  return out
}

/** Examples laid out for {@link descend}: example k's feature indexes are `feats[starts[k]…starts[k + 1]]`. */
export interface DescentProblem {
  /** Weights, changed in place. */
  w: Float64Array
  /** What the L2 penalty pulls each weight towards (a prior's weight, else 0). */
  w0: Float64Array
  bias: number
  starts: Int32Array
  feats: Int32Array
  /** 1 for in, 0 for out. */
  target: Float64Array
  /** Each example's weight in the loss (the classes weigh half each). */
  weight: Float64Array
}

/**
 * Full-batch gradient descent on the weighted logistic loss with an L2 penalty towards `w0`, for
 * `rounds` rounds (a retrain and an incremental step alike). Updates `p.w` in place and returns
 * the new bias. Deterministic: the same problem gives the same numbers.
 */
export const descend = (p: DescentProblem, rounds: number): number => {
  const { w, w0, starts, feats, target, weight } = p
  const count = target.length
  const grad = new Float64Array(w.length)
  const n = Math.max(count, 1)
  let bias = p.bias
  for (let round = 0; round < rounds; round++) {
    grad.fill(0)
    let gBias = 0
    for (let k = 0; k < count; k++) {
      const from = starts[k] as number
      const to = starts[k + 1] as number
      let z = bias
      for (let j = from; j < to; j++) z += w[feats[j] as number] as number
      const err = (1 / (1 + Math.exp(-z)) - (target[k] as number)) * (weight[k] as number)
      gBias += err
      for (let j = from; j < to; j++) {
        const i = feats[j] as number
        grad[i] = (grad[i] as number) + err
      }
    }
    bias -= (RATE * gBias) / n
    for (let i = 0; i < w.length; i++)
      w[i] =
        (w[i] as number) -
        RATE * ((grad[i] as number) / n + L2 * ((w[i] as number) - (w0[i] as number)))
  }
  return bias
}

/**
 * Trains an L2-regularised logistic regression on the examples' features (present = 1), by full
 * gradient descent for a fixed number of rounds: deterministic, and the in and out classes weigh
 * the same in total however few verdicts one has. A feature needs `minCount` examples. Cost:
 * rounds × the examples' features (a few ms for a thousand verdicts).
 * With a `prior` (a shipped model file), descent starts from its weights and the penalty pulls
 * towards them instead of towards zero: the verdicts move the prior where they disagree with it,
 * and its features no verdict has keep their weights.
 * @example const model = trainTopicModel(verdicts.map((v) => ({ item: v.item, in: v.in })))
 */
export const trainTopicModel = (
  examples: readonly TrainingExample[],
  minCount = 2,
  prior?: TopicModel,
): TopicModel => {
  const counts = new Map<string, number>()
  const docs = examples.map((ex) => [...itemFeatures(ex.item)])
  for (const fs of docs) for (const f of fs) counts.set(f, (counts.get(f) ?? 0) + 1)
  const kept = [...counts.entries()]
    .filter(([, c]) => c >= minCount)
    .sort(([fa, a], [fb, b]) => b - a || (fa < fb ? -1 : 1))
    .slice(0, MAX_FEATURES)
    .map(([f]) => f)
    .sort()
  const index = new Map(kept.map((f, i) => [f, i]))
  // every example's feature indexes in one array (example k: starts[k] … starts[k + 1]): the
  // descent below reads them 300 times, so they are laid out for plain indexed loops
  const starts = new Int32Array(docs.length + 1)
  const flat: number[] = []
  docs.forEach((fs, k) => {
    for (const f of fs) {
      const i = index.get(f)
      if (i !== undefined) flat.push(i)
    }
    starts[k + 1] = flat.length
  })
  const feats = Int32Array.from(flat)
  const nIn = examples.filter((e) => e.in).length
  const nOut = examples.length - nIn
  // each class weighs half of the total, so a few "in" verdicts among many "out" still count
  const target = Float64Array.from(examples, (e) => (e.in ? 1 : 0))
  const weight = Float64Array.from(examples, (e) =>
    e.in ? examples.length / (2 * Math.max(nIn, 1)) : examples.length / (2 * Math.max(nOut, 1)),
  )
  const priorOf = (f: string): number =>
    prior && Object.hasOwn(prior.weights, f) ? (prior.weights[f] as number) : 0
  const w0 = Float64Array.from(kept, priorOf)
  const w = Float64Array.from(w0)
  const bias = descend({ w, w0, bias: prior?.bias ?? 0, starts, feats, target, weight }, ROUNDS)
  const learned = new Map(
    kept.flatMap((f, i) =>
      Math.abs(w[i] as number) >= 1e-3 ? [[f, roundTo(w[i] as number)]] : [],
    ),
  )
  // Object.keys: entries is many times slower over a model file's dictionary of named weights.
  const priorWeights = prior?.weights ?? {}
  for (const f of Object.keys(priorWeights))
    if (!index.has(f)) learned.set(f, priorWeights[f] as number)
  return {
    version: 1,
    examples: { in: nIn + (prior?.examples.in ?? 0), out: nOut + (prior?.examples.out ?? 0) },
    bias: roundTo(bias),
    // fromEntries defines own properties, and scoring reads only own ones ("constructor" is a word)
    weights: Object.fromEntries([...learned].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  }
}

/** Gradient descent: rounds, step size and L2 penalty (chosen on news-dev, cross-validated). */
const ROUNDS = 300
const RATE = 2
const L2 = 1e-3

const roundTo = (x: number) => Math.round(x * 1e4) / 1e4

/** The model's weight of a feature, if it has one (own properties only: "constructor" is a word). */
const weightOf = (model: TopicModel, f: string): number | undefined => {
  const w = Object.hasOwn(model.weights, f) ? model.weights[f] : undefined
  return typeof w === 'number' ? w : undefined
}

/**
 * The probability alone (what tagging needs, for every item the rules let through): the same sum
 * as {@link scoreWithModel}, in the same order, without collecting and sorting the words.
 * @example modelProbability(model, item) >= threshold
 */
export const modelProbability = (
  model: TopicModel,
  item: Pick<Item, 'title' | 'summary'>,
): number => {
  let logit = model.bias
  for (const f of itemFeatures(item)) {
    const w = weightOf(model, f)
    if (w !== undefined) logit += w
  }
  return 1 / (1 + Math.exp(-logit))
}

/**
 * Scores one item: the posterior probability of the topic and the features that weighed most.
 * @example scoreWithModel(model, item).probability > 0.5
 */
export const scoreWithModel = (
  model: TopicModel,
  item: Pick<Item, 'title' | 'summary'>,
): ModelScore => {
  let logit = model.bias
  const present: { word: string; weight: number }[] = []
  for (const f of itemFeatures(item)) {
    const w = weightOf(model, f)
    if (w === undefined) continue
    logit += w
    present.push({ word: f.replace('_', ' '), weight: w })
  }
  present.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight) || (a.word < b.word ? -1 : 1))
  return { probability: 1 / (1 + Math.exp(-logit)), words: present.slice(0, 8) }
}
