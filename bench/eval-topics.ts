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
import { evaluateTopics, formatEvaluation } from '../src/topics/evaluate.js'
import { readItemLabelSet } from '../src/topics/item-label-set.js'
import { parseLabelledSet } from '../src/topics/labelled-set.js'
import { NEWS_DEV_HOLDOUT_FROM, NEWS_DEV_OUTLET_TAGS } from './news-dev.js'

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
const rows = parseLabelledSet(await readFile(setPath, 'utf8'), setPath).filter((r) =>
  r.id.startsWith(values.ids ?? ''),
)
const ids = config.topics.map((t) => t.id)
console.log(`rules: ${configPath}\nset:   ${setPath}${values.ids ? ` (ids ${values.ids}…)` : ''}`)
for (const line of formatEvaluation(evaluateTopics(rows, compiled, ids))) console.log(line)

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
    console.log(`\n=== ${name} ${NEWS_DEV_HOLDOUT_FROM}): ${TOPIC} ===`)
    for (const line of formatEvaluation(evaluateTopics(part, compiled, [TOPIC]))) console.log(line)
  }
  console.log(`\n=== news-dev, all: ${TOPIC} ===`)
  for (const line of formatEvaluation(evaluateTopics(all, compiled, [TOPIC])).slice(0, 5))
    console.log(line)
}
