import { describe, expect, it } from 'vitest'
import type { Problem } from '../../src/config/locate.js'
import { readMatchNode } from '../../src/config/rules.js'

const read = (v: unknown) => {
  const problems: Problem[] = []
  const node = readMatchNode(v, [], problems)
  return {
    node,
    problems: problems.map((p) => ({
      path: p.path.join('.'),
      message: p.message,
      ...(p.at ? { at: p.at } : {}),
    })),
  }
}

describe('readMatchNode: valid rules come back with defaults', () => {
  it.each([
    ['a phrase', '  Durand Line ', 'Durand Line'],
    ['a number as a word', 1971, '1971'],
    ['a weighted term', { term: 'Torkham', weight: 3 }, { term: 'Torkham', weight: 3 }],
    ['a term without weight', { term: 'Torkham' }, { term: 'Torkham', weight: 1 }],
    [
      'a near without within',
      { near: ['Torkham', 'trade'] },
      { near: ['Torkham', 'trade'], within: 12 },
    ],
    [
      'a nested group',
      { all: [{ any: ['a', 'b'], in: ['title'] }], none: ['c'] },
      { all: [{ any: ['a', 'b'], in: ['title'] }], none: ['c'] },
    ],
    ['a group whose empty list is dropped', { any: [], all: ['x'] }, { all: ['x'] }],
  ])('%s', (_, input, expected) => {
    expect(read(input)).toEqual({ node: expected, problems: [] })
  })
})

describe('readMatchNode: every mistake, with a path relative to match', () => {
  it.each([
    [
      'an empty word',
      { any: ['ok', ' '] },
      [{ path: 'any.1', message: '{field} is empty; write a word or phrase' }],
    ],
    [
      'a boolean',
      { any: [true] },
      [
        {
          path: 'any.0',
          message:
            '{field} must be a word or phrase, or a map with any/all/none, term/weight, near/within or source; got true',
        },
      ],
    ],
    [
      'an empty group',
      { any: [] },
      [{ path: '', message: '{field} needs at least one rule under any:, all: or none:' }],
    ],
    [
      'an unknown key',
      { al: ['x'] },
      [{ path: 'al', at: 'key', message: 'unknown key "al" {where} (did you mean "all"?)' }],
    ],
    [
      'a key of another kind of rule',
      { term: 'x', within: 3 },
      [
        {
          path: 'within',
          at: 'key',
          message: 'unknown key "within" {where} (allowed: term, weight)',
        },
      ],
    ],
    [
      'a word instead of a list',
      { none: 'cricket' },
      [
        {
          path: 'none',
          message:
            '{field} must be a list of rules, such as [Torkham, "Durand Line"]; got "cricket"',
        },
      ],
    ],
    [
      'an unknown field',
      { any: ['x'], in: ['headline'] },
      [
        {
          path: 'in',
          message:
            '{field} must be a list of fields out of title, summary, content, categories; got [headline]',
        },
      ],
    ],
    [
      'a bad weight',
      { term: 'x', weight: 'high' },
      [{ path: 'weight', message: '{field} must be a number, got "high"' }],
    ],
    [
      'a bad within',
      { near: ['a', 'b'], within: 0 },
      [{ path: 'within', message: '{field} must be a whole number of words of at least 1, got 0' }],
    ],
    [
      'a near with a non-word',
      { near: ['a', { b: 1 }] },
      [{ path: 'near.1', message: '{field} must be a word or phrase, got a map' }],
    ],
    [
      'mistakes in several branches',
      { any: [{ all: [] }, { near: 'x' }], none: [null] },
      [
        { path: 'any.0', message: '{field} needs at least one rule under any:, all: or none:' },
        {
          path: 'any.1.near',
          message:
            '{field} must be a list of at least two words or phrases, such as [Torkham, trade]; got "x"',
        },
        {
          path: 'none.0',
          message:
            '{field} must be a word or phrase, or a map with any/all/none, term/weight, near/within or source; got nothing',
        },
      ],
    ],
  ])('%s', (_, input, problems) => {
    expect(read(input)).toEqual({ node: undefined, problems })
  })
})
