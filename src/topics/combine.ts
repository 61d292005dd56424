/** Combines a topic's rules with its learned model, as the topic's `model:` declares. */
import type { Item } from '../model/types.js'
import { type ModelScore, modelProbability, scoreWithModel } from './classifier.js'
import type { CompiledTopic } from './compiled.js'

/** What a model reads of an item. */
type ModelInput = Pick<Item, 'title' | 'summary'>

/** What `explain=1` shows of a topic's model. */
export interface ModelExplanation {
  mode: 'filter' | 'alone'
  threshold: number
  /** Whether the rules matched (in `alone` mode they do not decide). */
  rules: boolean
  /** Absent while the model has not learned from an item in and one out: the rules decide alone. */
  probability?: number
  /** The features of the item that weighed most, + towards the topic. */
  words?: ModelScore['words']
  /** The examples it learned from (model file and verdicts). */
  learnedFrom?: { in: number; out: number }
}

/**
 * Whether the topic applies, given whether its rules matched: rules alone (no model, or one not
 * learned yet); `filter`: rules, and the model at least `threshold`; `alone`: the model at least
 * `threshold`. The model is only run when its answer can change the outcome.
 * @example decideTopic(topic, item, topicMatches(topic, prepared))
 */
export const decideTopic = (topic: CompiledTopic, item: ModelInput, rules: boolean): boolean => {
  const m = topic.model
  if (m?.learned === undefined) return rules
  if (m.mode === 'filter' && !rules) return false
  return modelProbability(m.learned, item) >= m.threshold
}

/** {@link decideTopic} with what `explain=1` shows: the model's score and its strongest words. */
export const explainModel = (
  topic: CompiledTopic,
  item: ModelInput,
  rules: boolean,
): { matched: boolean; model?: ModelExplanation } => {
  const m = topic.model
  if (!m) return { matched: rules }
  const base = { mode: m.mode, threshold: m.threshold, rules }
  if (m.learned === undefined) return { matched: rules, model: base }
  const score = scoreWithModel(m.learned, item)
  const passes = score.probability >= m.threshold
  return {
    matched: m.mode === 'alone' ? passes : rules && passes,
    model: {
      ...base,
      probability: Math.round(score.probability * 1e4) / 1e4,
      words: score.words,
      learnedFrom: m.learned.examples,
    },
  }
}
