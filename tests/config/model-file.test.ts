/** Model files: what parseModelFile accepts, and the sentence naming what is wrong and where when it refuses. */
import { describe, expect, it } from 'vitest'
import { MAX_MODEL_FEATURES, parseModelFile } from '../../src/config/model-file.js'

const base = { version: 1, examples: { in: 3, out: 4 }, bias: -0.25 }
const model = (fields: object) => JSON.stringify({ ...base, ...fields })
const refusal = (where: string, why: string) =>
  `it is not a topicwire model (version 1, examples, bias, weights)${where}: ${why}`

describe('parseModelFile', () => {
  it('reads a model with its weights', () => {
    expect(parseModelFile(model({ weights: { torkham: 1.5, cricket: -2 } }))).toEqual({
      ...base,
      weights: { torkham: 1.5, cricket: -2 },
    })
  })

  it.each([
    [
      'a weight that is not a number',
      model({ weights: { a: 1, b: 'x' } }),
      ' at weights.b',
      'Invalid input: expected number, received string',
    ],
    [
      'a weight that is null',
      model({ weights: { a: null } }),
      ' at weights.a',
      'Invalid input: expected number, received null',
    ],
    // JSON has no Infinity, but a number too large for a double reads as one.
    [
      'an infinite weight',
      model({ weights: { a: 1 } }).replace('"a":1', '"a":1e999'),
      ' at weights.a',
      'Invalid input: expected number, received Infinity',
    ],
    [
      'weights as a list',
      model({ weights: [1] }),
      ' at weights',
      'Invalid input: expected record, received array',
    ],
    [
      'weights null',
      model({ weights: null }),
      ' at weights',
      'Invalid input: expected record, received null',
    ],
    ['no weights', model({}), ' at weights', 'Invalid input: expected record, received undefined'],
    ['a key it does not know', model({ weights: {}, extra: 1 }), '', 'Unrecognized key: "extra"'],
    // The other fields are reported before the weights, in the file's field order.
    [
      'a bad bias and bad weights',
      model({ bias: 'x', weights: 3 }),
      ' at bias',
      'Invalid input: expected number, received string',
    ],
  ])('refuses %s, naming where', (_, text, where, why) => {
    expect(parseModelFile(text)).toBe(refusal(where, why))
  })

  it('refuses more weights than the limit', () => {
    const weights = Object.fromEntries(
      Array.from({ length: MAX_MODEL_FEATURES + 1 }, (_, i) => [`f${i}`, 1]),
    )
    expect(parseModelFile(model({ weights }))).toBe(
      refusal(' at weights', `more than ${MAX_MODEL_FEATURES} weights`),
    )
    const fewer = Object.fromEntries(Object.entries(weights).slice(1))
    expect(parseModelFile(model({ weights: fewer }))).toMatchObject({ bias: -0.25 })
  })

  it('refuses text that is not JSON', () => {
    expect(parseModelFile('{"version": 1,')).toMatch(/^it is not JSON \(/)
  })
})
