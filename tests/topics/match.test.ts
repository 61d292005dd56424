import { describe, expect, it } from 'vitest'
import { NotFoundError } from '../../src/model/errors.js'
import type { MatchField, MatchNode, Topic } from '../../src/model/types.js'
import { MATCH_FIELDS } from '../../src/model/types.js'
import { compileTopics } from '../../src/topics/compile.js'
import { matchPrepared, matchTopic } from '../../src/topics/match.js'
import { type MatchableItem, prepareItem } from '../../src/topics/prepare.js'

const topic = (match: MatchNode, extra: Partial<Topic> = {}): Topic => ({
  id: 't',
  title: 'T',
  match,
  in: [...MATCH_FIELDS],
  ...extra,
})

const item = (title: string, rest: Partial<MatchableItem> = {}): MatchableItem => ({
  title,
  categories: [],
  ...rest,
})

/** Does the single-topic rule match an item with this title (or these fields)? */
const matches = (match: MatchNode, it: MatchableItem | string, extra: Partial<Topic> = {}) =>
  matchTopic(compileTopics([topic(match, extra)]), 't', typeof it === 'string' ? item(it) : it)
    .matched

describe('plain terms: whole words and phrases', () => {
  it.each<[string, string, boolean]>([
    ['Pak', 'Pakistan and Afghanistan resume talks', false],
    ['Pakistan', 'Pakistani delegation arrives', false],
    ['Afghanistan', 'An Afghanistani dish', false],
    ['Afghan', 'Afghans return home', false],
    ['Afghan', 'Pak-Afghan ties', true],
    ['Afghanistan', "Afghanistan's new envoy", true],
    ['Kabul', 'KABUL: talks resume', true],
    ['TTP', 'Ban on TTP extended', true],
    ['T20', 'T20 squad named', true],
    ['Durand Line', 'Fencing along the Durand Line resumes', true],
    ['Durand Line', 'Durand and the Line', false],
    ['Durand Line', 'line durand', false],
    ['Durand Line', 'DURAND-LINE dispute', true],
    ['Khawaja Asif', 'Defence minister Khawaja  Asif said', true],
    ['Tehrik-i-Taliban', 'Tehrik i Taliban claims attack', true],
    ['Tehrik-i-Taliban', 'TEHRIK-I-TALIBAN PAKISTAN', true],
    ['Tehrik-i-Taliban', 'Tehrik-e-Taliban', false],
    ['World Cup', 'the world-cup final', true],
  ])('%s in "%s" → %s', (term, title, expected) => {
    expect(matches(term, title)).toBe(expected)
  })
})

describe('prefix terms (trailing *)', () => {
  it.each<[string, string, boolean]>([
    ['Afghan*', 'Afghans return home', true],
    ['Afghan*', 'Afghanistan talks', true],
    ['Afghan*', 'Afghan refugees', true],
    ['Afghan*', 'Kafghan is not a word', false],
    ['Afghan*', 'Afgha', false],
    ['Türk*', 'TÜRKİYE mediates', true],
    ['Tehrik-i-Tal*', 'Tehrik-i-Taliban Pakistan', true],
    ['Tehrik-i-Tal*', 'Tehrik i Tal', true],
    ['Tehrik-i-Tal*', 'Tehrik Taliban', false],
  ])('%s in "%s" → %s', (term, title, expected) => {
    expect(matches(term, title)).toBe(expected)
  })
})

describe('case, diacritics and Unicode forms', () => {
  it.each<[string, string]>([
    ['Türkiye', 'TÜRKİYE hosts talks'],
    ['Türkiye', 'Turkiye hosts talks'],
    ['Türkiye', 'türkiye hosts talks'],
    ['TÜRKİYE', 'Türkiye hosts talks'],
    ['Turkiye', 'Türkiye hosts talks'],
    ['Taliban', 'ＴＡＬＩＢＡＮ statement'],
    ['Peshawar', 'Peshāwar blast'],
  ])('%s matches "%s"', (term, title) => {
    expect(matches(term, title)).toBe(true)
  })
})

describe('Urdu, Persian and Arabic spelling variants', () => {
  it.each<[string, string, string]>([
    ['پاکستان', 'پاكستان اور افغانستان', 'term with keheh, text with Arabic kaf'],
    ['پاكستان', 'پاکستان کے وزیر', 'term with Arabic kaf, text with keheh'],
    ['افغانستان', 'أفغانستان وباكستان', 'Arabic text with hamza on alef'],
    ['ایران', 'ايران', 'Arabic yeh in the text, Persian yeh in the term'],
    ['ايران', 'ایران و پاکستان', 'Arabic yeh in the term, Persian yeh in the text'],
    ['پاکستان', 'ﭘﺎﻛﺴﺘﺎﻥ', 'Arabic presentation forms'],
    ['پاکستان', 'پاکـــستان', 'tatweel'],
    ['پاکستان', 'پاکِستان', 'harakat'],
    ['طالبان پاکستان', 'تحریک طالبانِ پاکستان', 'a phrase with a kasra'],
    ['افغانستان', 'افغانستان۔', 'Urdu full stop'],
  ])('%s matches "%s" (%s)', (term, title) => {
    expect(matches(term, title)).toBe(true)
  })

  it('does not match a longer Urdu word', () => {
    expect(matches('پاک', 'پاکستان')).toBe(false)
  })
})

describe('groups: any, all, none', () => {
  const rule: MatchNode = {
    all: [{ any: ['Pakistan', 'Islamabad'] }, { any: ['Afghanistan', 'Kabul'] }],
    none: ['cricket', { all: ['India', 'Kashmir'] }],
  }
  it.each<[string, boolean]>([
    ['Pakistan and Afghanistan talk', true],
    ['Islamabad and Kabul talk', true],
    ['Islamabad talks', false],
    ['Pakistan Afghanistan cricket', false],
    ['Pakistan Afghanistan India', true],
    ['Pakistan Afghanistan India Kashmir', false],
  ])('"%s" → %s', (title, expected) => {
    expect(matches(rule, title)).toBe(expected)
  })

  it('ANDs several keys of one group', () => {
    const both: MatchNode = { any: ['Kabul'], all: ['talks', 'Doha'] }
    expect(matches(both, 'Kabul talks in Doha')).toBe(true)
    expect(matches(both, 'Kabul talks')).toBe(false)
    expect(matches(both, 'talks in Doha')).toBe(false)
  })

  it('matches a lone none group when nothing in it matches', () => {
    expect(matches({ none: ['cricket'] }, 'Kabul')).toBe(true)
    expect(matches({ none: ['cricket'] }, 'Kabul cricket')).toBe(false)
  })
})

describe('fields: topic in, group in and field scopes', () => {
  const story = item('Border reopens', {
    summary: 'Trucks cross at Chaman',
    contentHtml: '<p>Traders in <b>Torkham</b> welcome it</p>',
    categories: ['South Asia', 'Trade'],
  })
  it.each<[string, MatchNode, MatchField[], boolean]>([
    ['term in summary, all fields', 'Chaman', [...MATCH_FIELDS], true],
    ['term in summary, topic looks at title only', 'Chaman', ['title'], false],
    ['title: scope, term only in summary', 'title:Chaman', [...MATCH_FIELDS], false],
    ['summary: scope', 'summary:Chaman', [...MATCH_FIELDS], true],
    ['scope overrides the topic in', 'summary:Chaman', ['title'], true],
    ['group in narrows', { in: ['title'], any: ['Chaman'] }, [...MATCH_FIELDS], false],
    ['group in widens', { in: ['summary'], any: ['Chaman'] }, ['title'], true],
    [
      'nested in applies to inner terms',
      { in: ['content'], any: [{ all: ['Torkham'] }] },
      ['title'],
      true,
    ],
    ['content is stripped of tags', 'content:"in Torkham welcome"', ['title'], true],
    ['categories', 'categories:"South Asia"', [...MATCH_FIELDS], true],
    ['no phrase across two categories', 'categories:"Asia Trade"', [...MATCH_FIELDS], false],
  ])('%s → %s', (_name, match, fields, expected) => {
    expect(matches(match, story, { in: fields })).toBe(expected)
  })

  it('ignores tag names and attributes in content', () => {
    const html =
      '<a href="https://example.org/taliban" title="Taliban">link</a><span class="x">y</span>'
    expect(matches('Taliban', item('x', { contentHtml: html }))).toBe(false)
    expect(matches('span', item('x', { contentHtml: html }))).toBe(false)
  })

  it('reads a description sent as both summary and content alike, with each field still its own scope', () => {
    const both = item('Border news', {
      summary: 'Trucks cross at Chaman',
      contentHtml: '<p>Trucks cross at <b>Chaman</b></p>',
    })
    const compiled = compileTopics([topic('Chaman')])
    const p = prepareItem(both, compiled)
    expect(p.fields.content?.tokens).toEqual(['trucks', 'cross', 'at', 'chaman'])
    expect(p.fields.content?.tokens).toEqual(p.fields.summary?.tokens)
    expect(p.fields.content?.text).toBe('Trucks cross at Chaman')
    expect(p.hits.content).toEqual(p.hits.summary)
    expect(p.hits.content.size).toBe(1)
    expect(matches('content:"cross at Chaman"', both)).toBe(true)
    expect(matches('summary:Chaman', both)).toBe(true)
    expect(matches('title:Chaman', both)).toBe(false)
    // Content that says more than the summary is read on its own.
    const more = { ...both, contentHtml: '<p>Trucks cross at Chaman and Torkham</p>' }
    expect(matches('content:Torkham', more)).toBe(true)
    expect(matches('summary:Torkham', more)).toBe(false)
  })

  it('decodes entities in content', () => {
    expect(
      matches('Pakistan Afghanistan', item('x', { contentHtml: 'Pakistan&ndash;Afghanistan' })),
    ).toBe(true)
  })
})

describe('regular expressions', () => {
  it.each<[string, MatchableItem, boolean]>([
    ['/transit\\s+trade/i', item('New Transit  Trade deal'), true],
    ['/transit\\s+trade/', item('New Transit Trade deal'), false],
    ['/transit\\s+trade/', item('transit\ntrade'), true],
    ['/Türkiye/', item('Turkiye'), false],
    ['/Türkiye/i', item('TÜRKİYE'), false],
    ['/^Cricket$/m', item('x', { categories: ['Sport', 'Cricket'] }), true],
    ['/^Cricket$/', item('x', { categories: ['Sport', 'Cricket'] }), false],
    ['/Sport.Cricket/s', item('x', { categories: ['Sport', 'Cricket'] }), true],
    ['/Sport.Cricket/', item('x', { categories: ['Sport', 'Cricket'] }), false],
    ['title:/^Torkham/', item('x', { summary: 'Torkham reopens' }), false],
    ['summary:/^Torkham/', item('x', { summary: 'Torkham reopens' }), true],
    ['/\\bTTP\\b/', item('x', { contentHtml: '<p>the <b>TTP</b> said</p>' }), true],
    ['/\\d{4}-\\d{2}/u', item('Deal of 2024-05'), true],
  ])('%s → %s', (re, it, expected) => {
    expect(matches(re, it)).toBe(expected)
  })
})

describe('near', () => {
  const near = (within: number, ...terms: string[]): MatchNode => ({ near: terms, within })
  it.each<[string, MatchNode, MatchableItem, boolean]>([
    ['adjacent', near(1, 'Torkham', 'trade'), item('Torkham trade resumes'), true],
    ['either order', near(3, 'Torkham', 'trade'), item('trade via Torkham'), true],
    [
      'inside the window',
      near(5, 'Torkham', 'trade'),
      item('Torkham border reopens for trade'),
      true,
    ],
    [
      'outside the window',
      near(3, 'Torkham', 'trade'),
      item('Torkham border reopens for trade'),
      false,
    ],
    [
      'window counts from the end of a phrase',
      near(2, 'Durand Line', 'fence'),
      item('Durand Line new fence'),
      true,
    ],
    [
      'the nearest pair is found among many',
      near(2, 'Torkham', 'trade'),
      item('Torkham a b c d e f trade g h i Torkham x trade'),
      true,
    ],
    [
      'three terms, all pairs within',
      near(4, 'Torkham', 'trade', 'trucks'),
      item('trucks at Torkham trade'),
      true,
    ],
    [
      'three terms, one pair too far',
      near(4, 'Torkham', 'trade', 'trucks'),
      item('trucks a b c d Torkham trade'),
      false,
    ],
    ['a missing term', near(12, 'Torkham', 'trade'), item('Torkham reopens'), false],
    ['prefix parts', near(2, 'Afghan*', 'refugee*'), item('Afghanistan returns refugees'), true],
    [
      'terms in different fields do not count',
      near(12, 'Torkham', 'trade'),
      item('Torkham reopens', { summary: 'trade resumes' }),
      false,
    ],
    [
      'any field where all occur',
      near(2, 'Torkham', 'trade'),
      item('Torkham reopens', { summary: 'trade at Torkham' }),
      true,
    ],
  ])('%s → %s', (_name, rule, it, expected) => {
    expect(matches({ any: [rule] }, it)).toBe(expected)
  })

  it('respects the group in', () => {
    const rule: MatchNode = { in: ['title'], any: [{ near: ['Torkham', 'trade'], within: 3 }] }
    expect(matches(rule, item('x', { summary: 'Torkham trade' }))).toBe(false)
    expect(matches(rule, item('Torkham trade'))).toBe(true)
  })
})

describe('weights and min_score', () => {
  const rule: MatchNode = {
    any: [{ term: 'Torkham', weight: 2 }, { term: 'trade', weight: 1.5 }, 'border'],
    none: [{ term: 'cricket', weight: 10 }],
  }
  it.each<[string, number, boolean, number]>([
    ['Torkham', 3, false, 2],
    ['Torkham trade', 3, true, 3.5],
    ['Torkham border', 3, true, 3],
    ['border trade', 3, false, 2.5],
    ['Torkham trade cricket', 3, false, 3.5],
    ['nothing relevant', 0, false, 0],
  ])('"%s" with min_score %s → %s (score %s)', (title, minScore, expected, score) => {
    const r = matchTopic(compileTopics([topic(rule, { minScore })]), 't', item(title))
    expect(r.matched).toBe(expected)
    expect(r.score).toBe(score)
  })

  it('needs the boolean tree as well as the score', () => {
    const compiled = compileTopics([
      topic({ all: ['Kabul', { term: 'trade', weight: 5 }] }, { minScore: 5 }),
    ])
    expect(matchTopic(compiled, 't', item('trade talks')).matched).toBe(false)
    expect(matchTopic(compiled, 't', item('Kabul trade talks')).matched).toBe(true)
  })
})

describe('MatchResult', () => {
  const compiled = compileTopics([
    topic({
      all: [
        'Pakistan',
        { any: ['title:Kabul', '/transit\\s+trade/i', { near: ['Torkham', 'trade'], within: 3 }] },
      ],
      none: ['cricket'],
    }),
  ])

  it('lists matched terms as written, with the first field they matched in', () => {
    const r = matchTopic(
      compiled,
      't',
      item('Kabul and Pakistan', { summary: 'Torkham trade and transit trade' }),
    )
    expect(r).toEqual({
      matched: true,
      score: 4,
      terms: [
        { term: 'Pakistan', field: 'title' },
        { term: 'title:Kabul', field: 'title' },
        { term: '/transit\\s+trade/i', field: 'summary' },
        { term: 'near: [Torkham, trade] within 3', field: 'summary' },
      ],
    })
  })

  it('lists terms of a none group found in the item as excluded, not as terms', () => {
    const r = matchTopic(compiled, 't', item('Pakistan Kabul cricket'))
    expect(r.matched).toBe(false)
    expect(r.terms.map((t) => t.term)).toEqual(['Pakistan', 'title:Kabul'])
    expect(r.excluded).toEqual([{ term: 'cricket', field: 'title' }])
    expect(matchTopic(compiled, 't', item('Pakistan Kabul')).excluded).toBeUndefined()
  })

  it('lists a term reused in several places once, and counts it in each place', () => {
    const reused = compileTopics([
      topic({ any: [{ all: ['Kabul', 'Pakistan'] }, { all: ['Kabul', 'trade'] }] }),
    ])
    const r = matchTopic(reused, 't', item('Kabul trade with Pakistan'))
    expect(r.terms).toEqual([
      { term: 'Kabul', field: 'title' },
      { term: 'Pakistan', field: 'title' },
      { term: 'trade', field: 'title' },
    ])
    expect(r.score).toBe(4)
  })

  it('applies source tags only when given', () => {
    const tagged = compileTopics([topic('Kabul', { sourceTags: ['afghanistan'] })])
    expect(matchTopic(tagged, 't', item('Kabul')).matched).toBe(true)
    expect(matchTopic(tagged, 't', item('Kabul'), ['afghanistan', 'news']).matched).toBe(true)
    const other = matchTopic(tagged, 't', item('Kabul'), ['world'])
    expect(other).toEqual({
      matched: false,
      score: 1,
      terms: [{ term: 'Kabul', field: 'title' }],
      sourceAllowed: false,
    })
  })

  it('excludes sources carrying an excluded tag', () => {
    const t = compileTopics([
      topic('Kabul', { sourceTags: ['afghanistan'], excludeSourceTags: ['opinion'] }),
    ])
    expect(matchTopic(t, 't', item('Kabul'), ['afghanistan']).matched).toBe(true)
    expect(matchTopic(t, 't', item('Kabul'), ['afghanistan', 'opinion'])).toMatchObject({
      matched: false,
      sourceAllowed: false,
    })
    const only = compileTopics([topic('Kabul', { excludeSourceTags: ['opinion'] })])
    expect(matchTopic(only, 't', item('Kabul'), ['news']).matched).toBe(true)
    expect(matchTopic(only, 't', item('Kabul'), ['opinion']).matched).toBe(false)
  })

  it('throws NotFoundError for an unknown topic', () => {
    expect(() => matchTopic(compiled, 'nope', item('x'))).toThrow(NotFoundError)
  })

  it('reuses one prepared item across topics', () => {
    const two = compileTopics([
      { ...topic('Kabul'), id: 'a' },
      { ...topic('Doha'), id: 'b' },
    ])
    const prepared = prepareItem(item('Kabul talks in Doha'), two)
    expect(matchPrepared(two, 'a', prepared).matched).toBe(true)
    expect(matchPrepared(two, 'b', prepared).matched).toBe(true)
  })
})
