/**
 * `npm run eval:topics`: scores the topic rules of a configuration on our labelled set and on the
 * real news-dev set, and prints precision, recall and F1 per topic, then the rows each rule gets wrong.
 * Usage: tsx bench/eval-topics.ts [--config config/topicwire.yaml]
 *          [--set tests/fixtures/topics/labelled.tsv] [--ids PREFIX] (only rows whose id starts so)
 *          [--news-dev DIR] (default ../shared/corpus/news-dev beside the checkout; skipped if absent)
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfig } from '../src/config/load.js'
import { compileTopics } from '../src/topics/compile.js'
import {
  crossValidate,
  type Decided,
  type FoldTrainer,
  scoreDecisions,
} from '../src/topics/cross-validate.js'
import { evaluateTopics, formatEvaluation } from '../src/topics/evaluate.js'
import { readItemLabelSet } from '../src/topics/item-label-set.js'
import { type LabelledRow, parseLabelledSet } from '../src/topics/labelled-set.js'
import { checkpointOf, learnHistory, RETRAIN_EVERY } from '../src/topics/learn-history.js'
import { matchPrepared } from '../src/topics/match.js'
import { prepareItem } from '../src/topics/prepare.js'
import {
  dayFold,
  NEWS_DEV_HOLDOUT_FROM,
  NEWS_DEV_OUTLET_TAGS,
  NEWS_DEV_SUBTOPICS,
  parseSubtopicLabels,
  subtopicRows,
} from './news-dev.js'

const root = resolve(import.meta.dirname, '..')
const { values } = parseArgs({
  options: {
    config: { type: 'string', default: resolve(root, 'config/topicwire.yaml') },
    set: { type: 'string', default: resolve(root, 'tests/fixtures/topics/labelled.tsv') },
    ids: { type: 'string', default: '' },
    'news-dev': { type: 'string', default: resolve(root, '../shared/corpus/news-dev') },
  },
})
const configPath = values.config ?? ''
const setPath = values.set ?? ''
const config = await loadConfig(configPath, process.env)
const compiled = compileTopics(config.topics)
// the rules without the shipped model: the model is scored cross-validated, never on items it learned from
const compiledRulesOnly = compileTopics(config.topics.map(({ model: _model, ...rest }) => rest))
const rows = parseLabelledSet(await readFile(setPath, 'utf8'), setPath).filter((r) =>
  r.id.startsWith(values.ids ?? ''),
)
const ids = config.topics.map((t) => t.id)
console.log(
  `rules (and models, as configured): ${configPath}\nset:   ${setPath}${values.ids ? ` (ids ${values.ids}…)` : ''}`,
)
for (const line of formatEvaluation(evaluateTopics(rows, compiled, ids))) console.log(line)

/** One line of counts, then (with `errors`) every row the decision gets wrong. */
const show = (name: string, d: Decided, errors: boolean) => {
  console.log(
    `${name.padEnd(44)} tp ${d.tp}  fp ${d.fp}  fn ${d.fn}  precision ${d.precision.toFixed(3)}  recall ${d.recall.toFixed(3)}`,
  )
  if (errors)
    for (const { row, got } of d.wrong)
      console.log(`  ${got ? '+' : '-'} ${row.id} [${row.kind}] ${row.title}`)
}

/** Rules alone, the model alone and the two combined as the topic declares, the model cross-validated. */
const compare = (
  rows: readonly LabelledRow[],
  topicId: string,
  rules: (r: LabelledRow) => boolean,
  probability: ReadonlyMap<string, number>,
  setting: { mode: 'filter' | 'alone'; threshold: number },
  errors: boolean,
) => {
  const p = (r: LabelledRow) => probability.get(r.id) ?? 0
  const t = setting.threshold
  show('rules alone', scoreDecisions(rows, topicId, rules), errors)
  show(
    `model alone, probability >= ${t}`,
    scoreDecisions(rows, topicId, (r) => p(r) >= t),
    errors,
  )
  show(
    `combined (${setting.mode}: rules, then the model >= ${t})`,
    scoreDecisions(rows, topicId, (r) => rules(r) && p(r) >= t),
    errors,
  )
}

// Per topic with a model: how the model, trained on our set's labels (5 folds), compares.
for (const topic of config.topics) {
  if (!topic.model) continue
  const probability = crossValidate(rows, topic.id, 5, (_, i) => i)
  const matched = (r: LabelledRow) =>
    matchPrepared(
      compiledRulesOnly,
      topic.id,
      prepareItem(
        { title: r.title, summary: r.summary, categories: [] },
        compiledRulesOnly,
        r.sourceTags,
      ),
      r.sourceTags,
    ).matched
  console.log(
    `\n=== our set: ${topic.id}, the model 5-fold cross-validated on our set's labels ===`,
  )
  compare(rows, topic.id, matched, probability, topic.model, true)
}

const newsDev = values['news-dev'] ?? ''
const TOPIC = 'pakistan-afghanistan'
if (!existsSync(join(newsDev, 'tagging.tsv'))) {
  console.log(`\nnews-dev: not found at ${newsDev}; skipped`)
} else if (compiled.topics.has(TOPIC)) {
  const all = readItemLabelSet(
    await readFile(join(newsDev, 'items.tsv'), 'utf8'),
    await readFile(join(newsDev, 'tagging.tsv'), 'utf8'),
    TOPIC,
    NEWS_DEV_OUTLET_TAGS,
    newsDev,
  )
  const halves = [
    ['news-dev, tuning half (before', all.filter((r) => r.published < NEWS_DEV_HOLDOUT_FROM)],
    ['news-dev, held-out half (from', all.filter((r) => r.published >= NEWS_DEV_HOLDOUT_FROM)],
  ] as const
  for (const [name, part] of halves) {
    console.log(`\n=== ${name} ${NEWS_DEV_HOLDOUT_FROM}): ${TOPIC}, rules alone ===`)
    for (const line of formatEvaluation(evaluateTopics(part, compiledRulesOnly, [TOPIC])))
      console.log(line)
  }
  // The narrower topics on news-dev's positives, labelled by subtopic by us (ids only): news-dev
  // labels only the umbrella topic. Each positive should land in at least one subtopic that fits.
  const subtopics = config.topics.map((t) => t.id).filter((id) => id !== TOPIC)
  const labels = parseSubtopicLabels(await readFile(NEWS_DEV_SUBTOPICS, 'utf8'), 'subtopics')
  const positives = subtopicRows(all, labels)
  console.log(
    `\n=== news-dev positives by subtopic (${positives.length} labelled by us): the narrower topics ===`,
  )
  const bySub = evaluateTopics(positives, compiledRulesOnly, subtopics)
  for (const line of formatEvaluation(bySub)) console.log(line)
  const fits = positives.filter((r) => {
    const got = prepareItem(
      { title: r.title, summary: r.summary, categories: [] },
      compiledRulesOnly,
      r.sourceTags,
    )
    return r.topics.some((t) => matchPrepared(compiledRulesOnly, t, got, r.sourceTags).matched)
  })
  console.log(`positives in at least one subtopic that fits: ${fits.length} of ${positives.length}`)
  for (const r of positives.filter((x) => !fits.includes(x)))
    console.log(`  - ${r.id} [${r.topics.join(', ')}] ${r.title}`)

  console.log(`\n=== news-dev, all: ${TOPIC} (rules alone) ===`)
  for (const line of formatEvaluation(evaluateTopics(all, compiledRulesOnly, [TOPIC])).slice(0, 5))
    console.log(line)

  // The model never scores an item it learned from: 5 folds, an item's fold by its day, so the
  // wire copies of one story (published the same day) are never split between training and test.
  const probability = crossValidate(all, TOPIC, 5, dayFold)
  const rule = new Map(
    all.map((r) => {
      const p = prepareItem(
        { title: r.title, summary: r.summary, categories: [] },
        compiledRulesOnly,
        r.sourceTags,
      )
      return [r.id, matchPrepared(compiledRulesOnly, TOPIC, p, r.sourceTags).matched]
    }),
  )
  const model = config.topics.find((t) => t.id === TOPIC)?.model
  const setting = model ?? { mode: 'filter' as const, threshold: 0.05 }
  console.log(
    `\n=== news-dev: the model (5-fold cross-validated by day), alone and with the rules ===`,
  )
  compare(all, TOPIC, (r) => rule.get(r.id) === true, probability, setting, true)
  // As serve learns: each fold's training rows are verdicts given one by one in the set's order,
  // fully retrained every RETRAIN_EVERY and learned by incremental steps in between; then with
  // the longest run of steps a model can have (RETRAIN_EVERY - 1 since the last retrain).
  const streamed =
    (checkpoint: (n: number) => number): FoldTrainer =>
    (rows, topicId) =>
      learnHistory(
        topicId,
        undefined,
        rows.map((r, i) => ({
          topicId,
          itemId: r.id,
          in: r.topics.includes(topicId),
          at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
          title: r.title,
          ...(r.summary !== undefined ? { summary: r.summary } : {}),
        })),
        { checkpoint },
      )
  for (const [name, checkpoint] of [
    [`retrain every ${RETRAIN_EVERY}, steps between`, checkpointOf],
    [`the last ${RETRAIN_EVERY - 1} by steps`, (n: number) => n - (RETRAIN_EVERY - 1)],
  ] as const) {
    const streamedP = crossValidate(all, TOPIC, 5, dayFold, streamed(checkpoint))
    console.log(
      `\n=== news-dev: the model learned verdict by verdict (${name}), cross-validated ===`,
    )
    compare(all, TOPIC, (r) => rule.get(r.id) === true, streamedP, setting, false)
  }

  console.log('\nthresholds (cross-validated):')
  const p = (r: LabelledRow) => probability.get(r.id) ?? 0
  for (const t of [0.02, 0.05, 0.1, 0.2, 0.5, 0.9]) {
    show(
      `  model alone >= ${t}`,
      scoreDecisions(all, TOPIC, (r) => p(r) >= t),
      false,
    )
    show(
      `  rules, then the model >= ${t}`,
      scoreDecisions(all, TOPIC, (r) => rule.get(r.id) === true && p(r) >= t),
      false,
    )
  }
}
