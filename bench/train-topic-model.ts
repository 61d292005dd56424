/**
 * Writes the shipped topic model file: a logistic regression trained on news-dev's labels only
 * (weights over normalised words and word pairs, no text of the corpus), deterministic, so running
 * it again on the same corpus writes the same bytes.
 * Usage: npx tsx bench/train-topic-model.ts [--news-dev DIR] [--topic pakistan-afghanistan]
 *          [--out config/models/pakistan-afghanistan.json]
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { trainTopicModel } from '../src/topics/classifier.js'
import { readItemLabelSet } from '../src/topics/item-label-set.js'
import { NEWS_DEV_OUTLET_TAGS } from './news-dev.js'

const root = resolve(import.meta.dirname, '..')
const { values } = parseArgs({
  options: {
    'news-dev': { type: 'string', default: resolve(root, '../shared/corpus/news-dev') },
    topic: { type: 'string', default: 'pakistan-afghanistan' },
    out: { type: 'string', default: resolve(root, 'config/models/pakistan-afghanistan.json') },
  },
})
const dir = values['news-dev'] ?? ''
const topic = values.topic ?? ''
const rows = readItemLabelSet(
  await readFile(join(dir, 'items.tsv'), 'utf8'),
  await readFile(join(dir, 'tagging.tsv'), 'utf8'),
  topic,
  NEWS_DEV_OUTLET_TAGS,
  dir,
)
const model = trainTopicModel(rows.map((r) => ({ item: r, in: r.topics.includes(topic) })))
// one weight a line: a retrained file diffs by the words that moved
const weights = Object.entries(model.weights)
  .map(([f, w]) => `    ${JSON.stringify(f)}: ${w}`)
  .join(',\n')
const text = `{
  "version": 1,
  "examples": ${JSON.stringify(model.examples)},
  "bias": ${model.bias},
  "weights": {
${weights}
  }
}
`
await writeFile(values.out ?? '', text)
console.log(
  `${values.out}: ${Object.keys(model.weights).length} weights from ${model.examples.in} in / ${model.examples.out} out (${text.length} bytes)`,
)
