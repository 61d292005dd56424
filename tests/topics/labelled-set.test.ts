import { describe, expect, it } from 'vitest'
import { ParseError } from '../../src/model/errors.js'
import { parseLabelledSet } from '../../src/topics/labelled-set.js'

const HEADER = 'id\tlang\tkind\ttopics\ttitle\tsummary'
const set = (...rows: string[]) => [HEADER, ...rows].join('\n')

describe('parseLabelledSet', () => {
  it('reads rows after comments and the header; "-" means no topic', () => {
    const text = [
      '# a comment',
      '',
      HEADER,
      'a1\ten\tdiplomacy\tb-topic,a-topic\tKabul talks\tDelegations met.',
      'a2\tur\tcricket\t-\tپاکستان کرکٹ\t',
      '# trailing comment',
    ].join('\r\n')
    expect(parseLabelledSet(text, 'set.tsv')).toEqual([
      {
        id: 'a1',
        lang: 'en',
        kind: 'diplomacy',
        topics: ['a-topic', 'b-topic'],
        title: 'Kabul talks',
        summary: 'Delegations met.',
      },
      { id: 'a2', lang: 'ur', kind: 'cricket', topics: [], title: 'پاکستان کرکٹ', summary: '' },
    ])
  })

  it.each([
    ['no header', 'a1\ten\tk\t-\tTitle\tSummary', /set\.tsv:1: the header/],
    ['only comments', '# nothing', /set\.tsv: no header/],
    ['a missing column', set('a1\ten\tk\t-\tTitle'), /set\.tsv:2: expected 6 .* got 5/],
    ['a repeated id', set('a1\ten\tk\t-\tOne\t', 'a1\ten\tk\t-\tTwo\t'), /set\.tsv:3: the id "a1"/],
    ['an empty title', set('a1\ten\tk\t-\t\tSummary'), /set\.tsv:2: the id and the title/],
    ['a bad topic list', set('a1\ten\tk\tTopic A\tTitle\t'), /set\.tsv:2: topics must be/],
  ])('rejects %s, naming the line', (_name, text, message) => {
    expect(() => parseLabelledSet(text, 'set.tsv')).toThrow(ParseError)
    expect(() => parseLabelledSet(text, 'set.tsv')).toThrow(message)
  })
})
