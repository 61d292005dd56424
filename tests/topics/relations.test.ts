import { describe, expect, it } from 'vitest'
import { parseConfigText } from '../../src/config/load.js'
import { ConfigError } from '../../src/model/errors.js'
import type { MatchNode, Topic } from '../../src/model/types.js'
import { MATCH_FIELDS } from '../../src/model/types.js'
import { compileTopics } from '../../src/topics/compile.js'
import { explainItem } from '../../src/topics/explain.js'
import { matchTopic } from '../../src/topics/match.js'
import type { MatchableItem } from '../../src/topics/prepare.js'
import { tagItem } from '../../src/topics/tag.js'

const topic = (match: MatchNode): Topic => ({ id: 't', title: 'T', match, in: [...MATCH_FIELDS] })
const item = (title: string, summary = ''): MatchableItem => ({ title, summary, categories: [] })
const run = (match: MatchNode, it: MatchableItem, tags: string[] = []) =>
  matchTopic(compileTopics([topic(match)]), 't', it, tags)

/** Both sides and a relation word within one clause, not when a disaster merely hits both. */
const RELATION: MatchNode = {
  scope: 'clause',
  all: [
    { any: ['Pakistan', { source: ['pakistan'] }] },
    { any: ['Afghanistan', 'Afghan', 'Kabul'] },
    { any: ['accuses', 'refugees', 'trade', 'quake'] },
  ],
  none: ['quake', { near: ['near', 'Afghan border'], within: 3 }],
}

describe('scope: clause', () => {
  it.each<[string, string, string, boolean]>([
    [
      'one clause names both and a relation',
      'Pakistan accuses Kabul of sheltering militants',
      '',
      true,
    ],
    ['refugees in the other country', 'Afghan refugees in Pakistan face deportation', '', true],
    ['a comma does not end a clause', 'Pakistan, Afghanistan agree to boost trade', '', true],
    ['a sentence ends the clause', 'Pakistan floods. Afghan refugees counted', '', false],
    ['a spaced dash ends the clause', 'Pakistan in focus – Kabul trade fair opens', '', false],
    [
      'the title and the summary are different clauses',
      'Pakistan accuses',
      'Kabul denies it.',
      false,
    ],
    ['a clause in the summary', 'Week in review', 'Karachi shuts. Pakistan accuses Kabul.', true],
    ['a scoped none rules the clause out', 'Pakistan, Afghanistan quake toll rises', '', false],
    [
      'a scoped near in none',
      'Pakistan troops accused of firing near the Afghan border',
      '',
      false,
    ],
  ])('%s', (_, title, summary, expected) => {
    expect(run(RELATION, item(title, summary)).matched).toBe(expected)
  })

  it('a none in a clause group leaves other clauses free', () => {
    const it = item('Quake hits Pakistan. Pakistan accuses Afghanistan of shelling')
    expect(run(RELATION, it).matched).toBe(true)
  })

  it('explain names the group and the clause it held in', () => {
    const r = run(
      { any: ['Torkham', RELATION] },
      item('Talks resume', 'Storms. Pakistan accuses Kabul!'),
    )
    expect(r.clauses).toEqual([
      { group: 'match.any[1]', field: 'summary', clause: 'Pakistan accuses Kabul' },
    ])
  })

  it('a regular expression in a clause group is tested on the clause text', () => {
    const rule: MatchNode = { scope: 'clause', all: ['Pakistan', '/\\bUS\\b/'] }
    expect(run(rule, item('US aid. Pakistan thanks donors')).matched).toBe(false)
    expect(run(rule, item('Pakistan thanks US donors')).matched).toBe(true)
  })

  it('categories are one clause each', () => {
    const rule: MatchNode = { scope: 'clause', all: ['Pakistan', 'Kabul'] }
    const it = (categories: string[]): MatchableItem => ({ title: 'x', categories })
    expect(run(rule, it(['Pakistan', 'Kabul'])).matched).toBe(false)
    expect(run(rule, it(['Pakistan and Kabul'])).matched).toBe(true)
  })
})

describe('source: the outlet stands for the side a story leaves implied', () => {
  const it2 = item('Afghan refugees told to leave by October 31')

  it('holds only for a source with the tag, and shows in explain as a source term', () => {
    expect(run(RELATION, it2, ['afghanistan']).matched).toBe(false)
    const r = run(RELATION, it2, ['pakistan'])
    expect(r.matched).toBe(true)
    expect(r.terms).toContainEqual({ term: 'source: [pakistan]', field: 'source' })
  })

  it('a topic that holds on the source alone is evaluated for every item', () => {
    const compiled = compileTopics([topic({ source: ['pakistan'] })])
    expect(tagItem(item('Weather'), compiled, ['pakistan'])).toEqual(['t'])
    expect(tagItem(item('Weather'), compiled, ['afghanistan'])).toEqual([])
    expect(explainItem(item('Weather'), compiled, ['pakistan']).t?.matched).toBe(true)
  })
})

describe('the YAML: new keys validated with line and column', () => {
  const yaml = (rule: string) =>
    [
      'sources:',
      '  - { id: a, title: A, url: "https://a.example/feed" }',
      'topics:',
      '  t:',
      '    title: T',
      '    match:',
      rule,
    ].join('\n')

  it('reads scope and source', () => {
    const config = parseConfigText(
      yaml('      scope: clause\n      all: [Pakistan, { source: [pakistan, pk] }]'),
      't.yaml',
    )
    expect(config.topics[0]?.match).toEqual({
      scope: 'clause',
      all: ['Pakistan', { source: ['pakistan', 'pk'] }],
    })
  })

  it.each([
    [
      'a scope other than clause',
      '      scope: sentence\n      all: [Pakistan]',
      't.yaml:7:14',
      'can only be "clause"',
    ],
    [
      'a source that is not a tag',
      '      any: [{ source: [Pakistan Observer] }]',
      't.yaml:7:',
      'must be a source tag',
    ],
    [
      'an unknown key beside source',
      '      any: [{ source: [pk], from: x }]',
      't.yaml:7:',
      'unknown key "from"',
    ],
  ])('%s', (_, rule, at, message) => {
    let error: unknown
    try {
      parseConfigText(yaml(rule), 't.yaml')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect(String((error as Error).message)).toContain(at)
    expect(String((error as Error).message)).toContain(message)
  })
})
