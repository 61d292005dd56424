import { describe, expect, it } from 'vitest'
import { ParseError } from '../../src/model/errors.js'
import { readItemLabelSet } from '../../src/topics/item-label-set.js'

const ITEMS = [
  'id\toutlet\tlink\tpublished\ttitle\tsummary',
  'a1\tDaily Pak\thttps://p.example/1\t2023-02-20T08:00:00Z\tTorkham reopens\tTrucks cross.',
  'a2\tWorld Wire\thttps://w.example/2\t2023-02-21T08:00:00Z\tQuake hits region\t',
  'a3\tWorld Wire\thttps://w.example/3\t2023-02-22T08:00:00Z\tUnlabelled\t',
].join('\n')

describe('readItemLabelSet', () => {
  it('joins items and labels, with the outlet tags as source tags; unlabelled items left out', () => {
    const rows = readItemLabelSet(
      ITEMS,
      'id\tlabel\na1\t1\na2\t0\n',
      'pa',
      { 'Daily Pak': ['pakistan'] },
      'set',
    )
    expect(rows).toEqual([
      expect.objectContaining({
        id: 'a1',
        topics: ['pa'],
        sourceTags: ['pakistan'],
        outlet: 'Daily Pak',
        title: 'Torkham reopens',
        summary: 'Trucks cross.',
        published: '2023-02-20T08:00:00Z',
      }),
      expect.objectContaining({ id: 'a2', topics: [], sourceTags: [] }),
    ])
  })

  it.each([
    ['a label of no item', 'id\tlabel\nzz\t1', 'set/labels:2: no item "zz"'],
    ['a label that is not 0 or 1', 'id\tlabel\na1\tyes', 'set/labels:2: the label must be 1 or 0'],
    ['a wrong header', 'id\tverdict\na1\t1', 'set/labels:1: the header'],
    ['a short row', 'id\tlabel\na1', 'set/labels:2: expected 2'],
  ])('%s is an error naming the line', (_, labels, message) => {
    expect(() => readItemLabelSet(ITEMS, labels, 'pa', {}, 'set')).toThrow(ParseError)
    expect(() => readItemLabelSet(ITEMS, labels, 'pa', {}, 'set')).toThrow(message)
  })
})
