import { describe, expect, it } from 'vitest'
import { NotFoundError } from '../../src/model/errors.js'
import type { Topic } from '../../src/model/types.js'
import { MATCH_FIELDS } from '../../src/model/types.js'
import { compileTopics } from '../../src/topics/compile.js'
import { evaluateTopics, formatEvaluation } from '../../src/topics/evaluate.js'
import type { LabelledRow } from '../../src/topics/labelled-set.js'

const topic = (id: string, match: Topic['match']): Topic => ({
  id,
  title: id,
  match,
  in: [...MATCH_FIELDS],
})

const compiled = compileTopics([
  topic('kabul', { any: ['Kabul'], none: ['cricket'] }),
  topic('trade', 'trade'),
])

const row = (
  id: string,
  lang: string,
  topics: string[],
  title: string,
  summary = '',
): LabelledRow => ({
  id,
  lang,
  kind: 'test',
  topics,
  title,
  summary,
})

const ROWS: LabelledRow[] = [
  row('r1', 'en', ['kabul'], 'Kabul talks'), // tp
  row('r2', 'en', ['kabul', 'trade'], 'Trade fair', 'Held in Kabul.'), // tp kabul (summary), tp trade
  row('r3', 'en', ['kabul'], 'Talks in the capital'), // fn kabul
  row('r4', 'en', [], 'Kabul cricket'), // tn: excluded
  row('r5', 'ur', [], 'کابل', 'Kabul weather'), // fp kabul
  row('r6', 'ur', ['kabul'], 'Kabul'), // tp
]

describe('evaluateTopics', () => {
  const e = evaluateTopics(ROWS, compiled)
  const kabul = e.topics.find((t) => t.topicId === 'kabul')
  const trade = e.topics.find((t) => t.topicId === 'trade')

  it('counts true and false positives and negatives per topic', () => {
    expect(e.rows).toBe(6)
    expect(kabul).toMatchObject({ tp: 3, fp: 1, fn: 1, tn: 1 })
    expect(kabul?.falsePositives.map((r) => r.id)).toEqual(['r5'])
    expect(kabul?.falseNegatives.map((r) => r.id)).toEqual(['r3'])
    expect(trade).toMatchObject({ tp: 1, fp: 0, fn: 0, tn: 5 })
  })

  it('computes precision, recall and F1', () => {
    expect(kabul?.precision).toBeCloseTo(0.75)
    expect(kabul?.recall).toBeCloseTo(0.75)
    expect(kabul?.f1).toBeCloseTo(0.75)
    expect(trade).toMatchObject({ precision: 1, recall: 1, f1: 1 })
  })

  it('splits the counts by language', () => {
    expect(kabul?.byLang).toEqual({
      en: { tp: 2, fp: 0, fn: 1, tn: 1 },
      ur: { tp: 1, fp: 1, fn: 0, tn: 0 },
    })
  })

  it('scores 1 when a rule tags nothing and no row expects it, 0 F1 when all is wrong', () => {
    const none = evaluateTopics([row('x', 'en', [], 'Nothing here')], compiled, ['trade'])
    expect(none.topics[0]).toMatchObject({ precision: 1, recall: 1, f1: 1 })
    const wrong = evaluateTopics(
      [row('x', 'en', [], 'trade'), row('y', 'en', ['trade'], 'nothing')],
      compiled,
      ['trade'],
    )
    expect(wrong.topics[0]).toMatchObject({ precision: 0, recall: 0, f1: 0 })
  })

  it('keeps the topic order asked for', () => {
    expect(evaluateTopics(ROWS, compiled, ['trade', 'kabul']).topics.map((t) => t.topicId)).toEqual(
      ['trade', 'kabul'],
    )
  })

  it.each([
    ['a row labelled with an unknown topic', [row('x', 'en', ['nope'], 'x')], undefined],
    ['an unknown topic asked for', ROWS, ['nope']],
  ])('throws NotFoundError for %s', (_name, rows, ids) => {
    expect(() => evaluateTopics(rows, compiled, ids)).toThrow(NotFoundError)
  })
})

describe('formatEvaluation', () => {
  it('prints one line per topic, the languages and the misclassified rows', () => {
    const lines = formatEvaluation(evaluateTopics(ROWS, compiled, ['kabul', 'trade']))
    expect(lines[0]).toBe('6 labelled rows')
    expect(lines).toContain('kabul         4       4     3    1    1      0.750   0.750  0.750')
    expect(lines).toContain('  kabul  en 1.000/0.667  ur 0.500/1.000')
    expect(lines).toContain('  + r5 [test] کابل')
    expect(lines).toContain('  - r3 [test] Talks in the capital')
    expect(lines.join('\n')).not.toContain('trade:')
  })
})
