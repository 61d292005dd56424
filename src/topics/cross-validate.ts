/** Scores a topic model on a labelled set without ever scoring an item it learned from (k-fold cross-validation). */
import type { TopicModel } from '../model/types.js'
import { scoreWithModel, trainTopicModel } from './classifier.js'
import type { LabelledRow } from './labelled-set.js'

/** How a fold's model is learned from its training rows: by default one full retrain on them all. */
export type FoldTrainer = (rows: readonly LabelledRow[], topicId: string) => TopicModel | undefined

const retrainAll: FoldTrainer = (rows, topicId) =>
  trainTopicModel(rows.map((r) => ({ item: r, in: r.topics.includes(topicId) })))

/**
 * Per row, the probability a model trained on the other folds gives it. `foldOf` puts rows in
 * folds; rows that are copies of one story should share a fold (e.g. by day), or the model sees
 * a wire copy of the item it is scored on.
 * @param train learns a fold's model (e.g. the verdicts streamed one by one, learn-history.ts)
 * @example crossValidate(rows, 'pakistan-afghanistan', 5, (r, i) => i % 5)
 */
export const crossValidate = (
  rows: readonly LabelledRow[],
  topicId: string,
  folds: number,
  foldOf: (row: LabelledRow, index: number) => number,
  train: FoldTrainer = retrainAll,
): Map<string, number> => {
  const fold = rows.map((r, i) => ((foldOf(r, i) % folds) + folds) % folds)
  const out = new Map<string, number>()
  for (let k = 0; k < folds; k++) {
    const model = train(
      rows.filter((_, i) => fold[i] !== k),
      topicId,
    )
    rows.forEach((r, i) => {
      if (fold[i] === k) out.set(r.id, model ? scoreWithModel(model, r).probability : 0)
    })
  }
  return out
}

/** How one decision per row compares with the labels, and the rows it gets wrong. */
export interface Decided {
  tp: number
  fp: number
  fn: number
  tn: number
  precision: number
  recall: number
  wrong: { row: LabelledRow; got: boolean }[]
}

/**
 * Counts a decision per row against the labels.
 * @example scoreDecisions(rows, 'pa', (r) => (probs.get(r.id) ?? 0) >= 0.5)
 */
export const scoreDecisions = (
  rows: readonly LabelledRow[],
  topicId: string,
  decide: (row: LabelledRow) => boolean,
): Decided => {
  const d: Decided = { tp: 0, fp: 0, fn: 0, tn: 0, precision: 1, recall: 1, wrong: [] }
  for (const row of rows) {
    const expected = row.topics.includes(topicId)
    const got = decide(row)
    if (expected && got) d.tp++
    else if (got) d.fp++
    else if (expected) d.fn++
    else d.tn++
    if (got !== expected) d.wrong.push({ row, got })
  }
  d.precision = d.tp + d.fp === 0 ? 1 : d.tp / (d.tp + d.fp)
  d.recall = d.tp + d.fn === 0 ? 1 : d.tp / (d.tp + d.fn)
  return d
}
