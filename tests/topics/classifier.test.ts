import { describe, expect, it } from 'vitest'
import { itemFeatures, scoreWithModel, trainTopicModel } from '../../src/topics/classifier.js'
import { crossValidate, scoreDecisions } from '../../src/topics/cross-validate.js'
import type { LabelledRow } from '../../src/topics/labelled-set.js'

const row = (id: string, title: string, isIn: boolean): LabelledRow => ({
  id,
  lang: 'en',
  kind: 'test',
  title,
  summary: '',
  topics: isIn ? ['t'] : [],
})

// In: the border and deportations; out: sport and weather. Each shares words with the others
// ("Pakistan", "Kabul") so only the telling words separate them.
const ROWS: LabelledRow[] = [
  ...[
    'Torkham border closed',
    'Chaman border reopens',
    'Afghans deported from Pakistan',
    'Kabul protests Pakistan deportations',
    'Border crossing closed again at Torkham',
    'Pakistan deports Afghan families',
    'Torkham trade resumes',
    'Chaman border traders protest',
  ].map((t, i) => row(`in${i}`, t, true)),
  ...[
    'Pakistan win cricket match',
    'Kabul weather turns cold',
    'Cricket final in Pakistan',
    'Kabul marathon draws runners',
    'Pakistan weather warning',
    'Cricket: Kabul team wins',
    'Snow in Kabul',
    'Pakistan cricket squad named',
  ].map((t, i) => row(`out${i}`, t, false)),
]
const examples = ROWS.map((r) => ({ item: r, in: r.topics.length > 0 }))

describe('trainTopicModel / scoreWithModel', () => {
  it('learns telling words and scores unseen items by them, in both languages of its verdicts', () => {
    const model = trainTopicModel(examples)
    expect(
      scoreWithModel(model, { title: 'Torkham border closed for trade' }).probability,
    ).toBeGreaterThan(0.7)
    expect(
      scoreWithModel(model, { title: 'Pakistan cricket and Kabul weather' }).probability,
    ).toBeLessThan(0.3)
  })

  it('explains a score by its strongest words, signed', () => {
    const model = trainTopicModel(examples)
    const { words } = scoreWithModel(model, { title: 'Cricket at the Torkham border' })
    const weight = (w: string) => words.find((x) => x.word === w)?.weight ?? 0
    expect(weight('torkham')).toBeGreaterThan(0)
    expect(weight('cricket')).toBeLessThan(0)
    expect(words.length).toBeLessThanOrEqual(8)
  })

  it('is deterministic: the same verdicts in any order give the same model', () => {
    const a = trainTopicModel(examples)
    const b = trainTopicModel([...examples].reverse())
    expect(JSON.stringify(b)).toBe(JSON.stringify(a))
    expect(Object.keys(a.weights)).toEqual([...Object.keys(a.weights)].sort())
  })

  it('keeps words such as constructor (an Object.prototype key) as plain features', () => {
    const odd = [
      { item: { title: '__proto__ constructor border' }, in: true },
      { item: { title: '__proto__ constructor border' }, in: true },
      { item: { title: 'toString weather' }, in: false },
      { item: { title: 'toString weather' }, in: false },
    ]
    const model = trainTopicModel(odd)
    expect(Object.hasOwn(model.weights, 'constructor')).toBe(true)
    expect(
      Number.isFinite(
        scoreWithModel(model, { title: 'constructor valueOf hasOwnProperty' }).probability,
      ),
    ).toBe(true)
  })

  it('uses words and adjacent pairs, multilingual through the matcher normalisation', () => {
    expect([...itemFeatures({ title: 'Pak-Afghan تورخم', summary: '' })]).toEqual([
      'pak',
      'pak_afghan',
      'afghan',
      'afghan_تورخم',
      'تورخم',
    ])
  })
})

describe('crossValidate', () => {
  it('never scores a row with a model that learned from it', () => {
    // two identical rows with opposite labels in different folds: each fold's model learned only
    // the other label for that text, so each is scored as the other label
    const twin = [row('a', 'Zebra quokka', true), row('b', 'Zebra quokka', false)]
    const pad = ROWS
    const probs = crossValidate([...twin, ...pad], 't', 2, (r) =>
      r.id === 'a' ? 0 : r.id === 'b' ? 1 : pad.indexOf(r) % 2,
    )
    expect(probs.get('a') ?? 1).toBeLessThan(probs.get('b') ?? 0)
  })

  it('scoreDecisions counts a decision against the labels', () => {
    const d = scoreDecisions(
      ROWS,
      't',
      (r) => r.title.includes('Torkham') || r.title.includes('Snow'),
    )
    expect([d.tp, d.fp, d.fn]).toEqual([3, 1, 5])
    expect(d.precision).toBeCloseTo(0.75)
    expect(d.wrong.map((w) => w.row.id)).toContain('out6')
  })
})
