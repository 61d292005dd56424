/** One incremental step of a topic model: a warm start from its weights on a new verdict and a replay sample of older ones. */
import type { TopicModel } from '../model/types.js'
import { descend } from './classifier.js'

/** Gradient rounds of one step: few, over a small batch, so a step costs far less than a retrain. */
const STEP_ROUNDS = 12

const roundTo = (x: number) => Math.round(x * 1e4) / 1e4

/**
 * A model being updated: weights in a Map (a step changes a few of thousands of them in place,
 * without copying or re-sorting the rest); {@link toTopicModel} makes the plain JSON model of it.
 */
export interface ModelUnderUpdate {
  version: 1
  examples: { in: number; out: number }
  bias: number
  weights: Map<string, number>
}

/** A model to update step by step (a copy: the given one is not changed). */
export const toModelUnderUpdate = (m: TopicModel): ModelUnderUpdate => ({
  version: 1,
  examples: { ...m.examples },
  bias: m.bias,
  weights: new Map(Object.entries(m.weights)),
})

/**
 * The plain model of a model under update. Its weights keep the Map's order, which only the
 * sequence of steps decides (the same history gives the same order, so the same JSON and
 * tagging fingerprint); re-sorting thousands of features per verdict would cost more than the step.
 */
export const toTopicModel = (m: ModelUnderUpdate): TopicModel => ({
  version: 1,
  examples: { ...m.examples },
  bias: m.bias,
  // fromEntries defines own properties, and scoring reads only own ones ("constructor" is a word)
  weights: Object.fromEntries(m.weights),
})

/** A verdict as a step reads it: the item's features (classifier.ts itemFeatures) and its class. */
export interface FeatureExample {
  features: ReadonlySet<string>
  in: boolean
}

/** What a step needs besides the model and the examples. */
export interface UpdateOptions {
  /** The model file's weights: what the penalty pulls towards (else zero), as a retrain does. */
  prior?: TopicModel
}

/**
 * Moves `model` (in place) towards `fresh` (the new verdict) by a few rounds of gradient descent over it and
 * `replay` (older verdicts, so the step does not forget them), starting from the model's weights.
 * Only the model's own features and the new verdict's are trained, so a step adds at most the new
 * verdict's features; features outside the batch keep their weights. Deterministic: the same model
 * and examples give the same weights. Cost: rounds × the batch's features.
 * @example updateTopicModel(model, { features: itemFeatures(item), in: true }, replay, {})
 */
export const updateTopicModel = (
  model: ModelUnderUpdate,
  fresh: FeatureExample,
  replay: readonly FeatureExample[],
  opts: UpdateOptions,
): void => {
  const examples = [fresh, ...replay]
  const freshFeatures = fresh.features
  const trained = new Map<string, number>()
  const names: string[] = []
  const slot = (f: string): number | undefined => {
    const known = trained.get(f)
    if (known !== undefined) return known
    if (!model.weights.has(f) && !freshFeatures.has(f)) return undefined
    trained.set(f, names.length)
    names.push(f)
    return names.length - 1
  }
  // Every example's feature indexes in one array, as a retrain lays them out (classifier.ts).
  const starts = new Int32Array(examples.length + 1)
  const flat: number[] = []
  examples.forEach((ex, k) => {
    for (const f of ex.features) {
      const i = slot(f)
      if (i !== undefined) flat.push(i)
    }
    starts[k + 1] = flat.length
  })
  const prior = opts.prior?.weights
  const w = Float64Array.from(names, (f) => model.weights.get(f) ?? 0)
  const w0 = Float64Array.from(names, (f) =>
    prior && Object.hasOwn(prior, f) ? (prior[f] as number) : 0,
  )
  // each class weighs half of the batch, as in a retrain (the replay sample is drawn half and half)
  const nIn = examples.filter((e) => e.in).length
  const n = examples.length
  const target = Float64Array.from(examples, (e) => (e.in ? 1 : 0))
  const weight = Float64Array.from(examples, (e) => (e.in ? n / (2 * nIn) : n / (2 * (n - nIn))))
  const bias = descend(
    { w, w0, bias: model.bias, starts, feats: Int32Array.from(flat), target, weight },
    STEP_ROUNDS,
  )
  names.forEach((f, i) => {
    const x = roundTo(w[i] as number)
    if (Math.abs(x) >= 1e-3) model.weights.set(f, x)
    else model.weights.delete(f)
  })
  model.bias = roundTo(bias)
  if (fresh.in) model.examples.in++
  else model.examples.out++
}
