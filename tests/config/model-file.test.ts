/** Model files: what parseModelFile accepts, and the sentence naming what is wrong and where when it refuses. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MAX_MODEL_FEATURES, parseModelFile } from '../../src/config/model-file.js'
import type { TopicModel } from '../../src/model/types.js'

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

  it.each([
    [
      'the shipped model',
      readFileSync(
        join(import.meta.dirname, '../../config/models/pakistan-afghanistan.json'),
        'utf8',
      ),
    ],
    ['no weights at all', model({ weights: {} })],
    ['one line', model({ weights: { a: 1, b: -0.5 } })],
    ['pretty-printed', JSON.stringify({ ...base, weights: { a: 1, b: -0.5 } }, null, 2)],
    ['weights first', JSON.stringify({ weights: { a: 1 }, ...base })],
    [
      'tiny and exact numbers',
      model({ weights: { a: 1e-7, b: -2.5e-12, c: 123456789.125, d: 0 } }),
    ],
    // feature names JSON escapes, and words that are also names of fields or of Object's members
    [
      'escaped and unusual names',
      model({
        weights: {
          'a"b': 1,
          'c\\d': 2,
          'tab\there': 3,
          اسلام_آباد: 4,
          weights: 5,
          ['__proto__']: 6,
          constructor: 7,
        },
      }),
    ],
    [
      'escapes JSON.stringify does not write',
      '{"version":1,"examples":{"in":3,"out":4},"bias":-0.25,"weights":{"\\u0041\\/b":1.5E+2}}',
    ],
    // JSON keeps the last of a repeated key
    ['a weight written twice', model({ weights: { a: 1 } }).replace('"a":1', '"a":1,"a":2')],
    [
      'weights written twice',
      model({ weights: { a: 1 } }).replace('"weights":', '"weights":{"b":1},"weights":'),
    ],
  ])('reads %s as JSON.parse does', (name, text) => {
    const read = parseModelFile(text)
    expect(typeof read).toBe('object')
    // every file here but the one naming weights twice is read without building its weights
    const lazy = typeof Object.getOwnPropertyDescriptor(read, 'weights')?.get === 'function'
    expect(lazy).toBe(name !== 'weights written twice')
    expect(JSON.parse(JSON.stringify(read))).toEqual(JSON.parse(text))
    expect(read).toEqual(JSON.parse(text))
  })

  it('reads the weights of a well-formed file when first used, once', () => {
    const read = parseModelFile(model({ weights: { torkham: 1.5 } })) as TopicModel
    expect(Object.getOwnPropertyDescriptor(read, 'weights')?.get).toBeTypeOf('function')
    const weights = read.weights
    expect(weights).toEqual({ torkham: 1.5 })
    expect(Object.getOwnPropertyDescriptor(read, 'weights')).toMatchObject({ value: weights })
    expect(read.weights).toBe(weights)
    expect(Object.keys(read)).toEqual(['version', 'examples', 'bias', 'weights'])
    // a copy (a worker's, the fingerprint's) has them as plain data
    expect(structuredClone(read)).toEqual({ ...base, weights: { torkham: 1.5 } })
    read.weights = { other: 2 }
    expect(read.weights).toEqual({ other: 2 })
  })

  it('refuses weights nested where the format has none', () => {
    const text = JSON.stringify({
      version: 1,
      examples: { in: 3, out: 4, weights: { a: 1 } },
      bias: 0,
      weights: { a: 1 },
    })
    expect(parseModelFile(text)).toBe(refusal(' at examples', 'Unrecognized key: "weights"'))
  })
})
