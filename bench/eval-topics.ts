/**
 * `npm run eval:topics`: scores the topic rules of a configuration on a labelled set and prints
 * precision, recall and F1 per topic, then the rows each rule gets wrong.
 * Usage: tsx bench/eval-topics.ts [--config config/topicwire.yaml]
 *          [--set tests/fixtures/topics/labelled.tsv] [--ids PREFIX] (only rows whose id starts so)
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { loadConfig } from '../src/config/load.js'
import { compileTopics } from '../src/topics/compile.js'
import { evaluateTopics, formatEvaluation } from '../src/topics/evaluate.js'
import { parseLabelledSet } from '../src/topics/labelled-set.js'

const root = resolve(import.meta.dirname, '..')
const { values } = parseArgs({
  options: {
    config: { type: 'string', default: resolve(root, 'config/topicwire.yaml') },
    set: { type: 'string', default: resolve(root, 'tests/fixtures/topics/labelled.tsv') },
    ids: { type: 'string', default: '' },
  },
})
const configPath = values.config ?? ''
const setPath = values.set ?? ''
const config = await loadConfig(configPath, process.env)
const rows = parseLabelledSet(await readFile(setPath, 'utf8'), setPath).filter((r) =>
  r.id.startsWith(values.ids ?? ''),
)
const evaluation = evaluateTopics(
  rows,
  compileTopics(config.topics),
  config.topics.map((t) => t.id),
)
console.log(`rules: ${configPath}\nset:   ${setPath}${values.ids ? ` (ids ${values.ids}…)` : ''}`)
for (const line of formatEvaluation(evaluation)) console.log(line)
