/** Scores compiled topic rules on a labelled set: precision, recall and F1 per topic, and misses. */
import { NotFoundError } from '../model/errors.js'
import type { CompiledTopics } from './compiled.js'
import type { LabelledRow } from './labelled-set.js'
import { matchPrepared } from './match.js'
import { prepareItem } from './prepare.js'

/** Confusion counts for one topic. */
export interface Counts {
  tp: number
  fp: number
  fn: number
  tn: number
}

/** How one topic's rule did on the set. */
export interface TopicScore extends Counts {
  topicId: string
  /** tp / (tp + fp); 1 when the rule tagged nothing. */
  precision: number
  /** tp / (tp + fn); 1 when no row expects the topic. */
  recall: number
  /** Harmonic mean of precision and recall; 0 when both are 0. */
  f1: number
  /** Rows tagged but not labelled with the topic. */
  falsePositives: LabelledRow[]
  /** Rows labelled with the topic but not tagged. */
  falseNegatives: LabelledRow[]
  /** The same counts per row language. */
  byLang: Record<string, Counts>
}

/** The result of {@link evaluateTopics}. */
export interface Evaluation {
  rows: number
  topics: TopicScore[]
}

const ratio = (num: number, den: number): number => (den === 0 ? 1 : num / den)

const emptyCounts = (): Counts => ({ tp: 0, fp: 0, fn: 0, tn: 0 })

const outcome = (expected: boolean, got: boolean): keyof Counts =>
  expected ? (got ? 'tp' : 'fn') : got ? 'fp' : 'tn'

/**
 * Tags every row (title and summary) with every compiled topic, scanning each row once, and
 * compares with its labels. A row's `sourceTags`, when the set gives them, apply as a source's.
 * @param topicIds the topics to score, in this order (default: every compiled topic, sorted)
 * @throws NotFoundError when a row is labelled with a topic that is not compiled
 * @example evaluateTopics(parseLabelledSet(text, file), compileTopics(config.topics))
 */
export const evaluateTopics = (
  rows: readonly LabelledRow[],
  compiled: CompiledTopics,
  topicIds: readonly string[] = compiled.ids,
): Evaluation => {
  for (const row of rows)
    for (const t of row.topics) if (!compiled.topics.has(t)) throw new NotFoundError('topic', t)
  const scores = new Map(
    topicIds.map((id) => {
      if (!compiled.topics.has(id)) throw new NotFoundError('topic', id)
      const score: TopicScore = {
        topicId: id,
        ...emptyCounts(),
        precision: 0,
        recall: 0,
        f1: 0,
        falsePositives: [],
        falseNegatives: [],
        byLang: {},
      }
      return [id, score]
    }),
  )
  for (const row of rows) {
    const prepared = prepareItem(
      { title: row.title, summary: row.summary, categories: [] },
      compiled,
      row.sourceTags,
    )
    for (const score of scores.values()) {
      const got = matchPrepared(compiled, score.topicId, prepared, row.sourceTags).matched
      const key = outcome(row.topics.includes(score.topicId), got)
      score[key]++
      const lang = score.byLang[row.lang] ?? emptyCounts()
      lang[key]++
      score.byLang[row.lang] = lang
      if (key === 'fp') score.falsePositives.push(row)
      if (key === 'fn') score.falseNegatives.push(row)
    }
  }
  const topics = [...scores.values()].map((s) => {
    const precision = ratio(s.tp, s.tp + s.fp)
    const recall = ratio(s.tp, s.tp + s.fn)
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall)
    return { ...s, precision, recall, f1 }
  })
  return { rows: rows.length, topics }
}

const pad = (s: string, n: number): string => s.padEnd(n)
const num = (x: number): string => x.toFixed(3)

/**
 * The evaluation as a plain-text table (one line per topic), the scores per language, and the
 * misclassified rows with their ids, so a rule change can be judged at a glance.
 */
export const formatEvaluation = (e: Evaluation): string[] => {
  const width = Math.max(5, ...e.topics.map((t) => t.topicId.length))
  const lines = [
    `${e.rows} labelled rows`,
    '',
    `${pad('topic', width)}  labelled  tagged    tp   fp   fn  precision  recall     f1`,
  ]
  for (const t of e.topics) {
    const labelled = String(t.tp + t.fn).padStart(8)
    const tagged = String(t.tp + t.fp).padStart(6)
    const counts = [t.tp, t.fp, t.fn].map((n) => String(n).padStart(4)).join(' ')
    const scores = `${num(t.precision).padStart(9)}  ${num(t.recall).padStart(6)}  ${num(t.f1)}`
    lines.push(`${pad(t.topicId, width)}  ${labelled}  ${tagged}  ${counts}  ${scores}`)
  }
  lines.push('', 'per language (precision / recall):')
  for (const t of e.topics) {
    const langs = Object.entries(t.byLang)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([lang, c]) => `${lang} ${num(ratio(c.tp, c.tp + c.fp))}/${num(ratio(c.tp, c.tp + c.fn))}`,
      )
    lines.push(`  ${pad(t.topicId, width)}  ${langs.join('  ')}`)
  }
  const wrong = e.topics.filter((t) => t.fp + t.fn > 0)
  if (wrong.length > 0)
    lines.push('', '+ tagged but not labelled (false positive), - labelled but missed')
  for (const t of wrong) {
    lines.push('', `${t.topicId}:`)
    for (const r of t.falsePositives) lines.push(`  + ${r.id} [${r.kind}] ${r.title}`)
    for (const r of t.falseNegatives) lines.push(`  - ${r.id} [${r.kind}] ${r.title}`)
  }
  return lines
}
