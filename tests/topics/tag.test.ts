import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Topic } from '../../src/model/types.js'
import { MATCH_FIELDS } from '../../src/model/types.js'
import { compileTopics } from '../../src/topics/compile.js'
import type { MatchableItem } from '../../src/topics/prepare.js'
import { tagItem } from '../../src/topics/tag.js'
import { CORPUS_DIR, corpusPresent } from '../helpers/corpus.js'

const ALL = [...MATCH_FIELDS]

/** The rules SPEC §2 ships, written as the config loader hands them over. */
const TOPICS: Topic[] = [
  {
    id: 'pakistan-afghanistan',
    title: 'Pakistan–Afghanistan relations',
    in: ALL,
    match: {
      all: [
        { any: ['Pakistan', 'Pakistani', 'Islamabad', 'Khawaja Asif', 'پاکستان'] },
        {
          any: [
            'Afghanistan',
            'Afghan',
            'Kabul',
            'Taliban',
            'TTP',
            'Tehrik-i-Taliban',
            'Durand Line',
            'Torkham',
            'افغانستان',
          ],
        },
      ],
      none: ['cricket', 'T20', 'World Cup'],
    },
  },
  {
    id: 'border-trade',
    title: 'Border crossings and trade',
    in: ALL,
    match: {
      any: [{ near: ['Torkham', 'trade'], within: 12 }, 'title:Chaman', '/transit\\s+trade/i'],
    },
    sourceTags: ['pakistan', 'afghanistan'],
    minScore: 1,
  },
]

const compiled = compileTopics(TOPICS)
const PA = 'pakistan-afghanistan'
const BT = 'border-trade'

const item = (title: string, rest: Partial<MatchableItem> = {}): MatchableItem => ({
  title,
  categories: [],
  ...rest,
})

describe('tagItem on realistic headlines', () => {
  it.each<[string, MatchableItem, string[]]>([
    ['talks', item('Pakistan and Afghanistan agree to resume talks in Doha'), [PA]],
    [
      'Torkham and capitals',
      item('Torkham crossing reopens as Islamabad and Kabul ease tensions'),
      [PA],
    ],
    [
      'Torkham trade',
      item('Torkham trade resumes after Islamabad talks with Afghan officials'),
      [BT, PA],
    ],
    [
      'TTP',
      item('TTP attack in Khyber: Pakistan blames militants operating from Afghan soil'),
      [PA],
    ],
    ['refugees', item('Afghan refugees face deportation deadline in Pakistan'), [PA]],
    ['Khawaja Asif', item('Khawaja Asif warns Kabul over cross-border militancy'), [PA]],
    ['Durand Line', item('Durand Line fencing sparks protest as Pakistani troops deploy'), [PA]],
    ['Tehrik-i-Taliban', item('Tehrik-i-Taliban Pakistan claims Bannu attack'), [PA]],
    ['Urdu', item('پاکستان اور افغانستان کے درمیان مذاکرات'), [PA]],
    ['Urdu typed with Arabic letters', item('پاكستان و افغانستان ميں تجارت'), [PA]],
    ['trilateral', item('Islamabad hosts trilateral meeting with China and Afghanistan'), [PA]],
    [
      'only the summary tells',
      item('Border talks resume', {
        summary: 'Delegations from Islamabad and Kabul met on Tuesday.',
      }),
      [PA],
    ],
    [
      'only the content tells',
      item('Talks resume', {
        contentHtml: '<p>Officials from <b>Pakistan</b> met the <a href="/t">Taliban</a>.</p>',
      }),
      [PA],
    ],
    [
      'transit trade, any case',
      item('Transit Trade agreement with Kabul extended, says Islamabad'),
      [BT, PA],
    ],
    ['Chaman in the title', item('Chaman border traders protest new visa rules'), [BT]],
    [
      'Chaman only in the summary',
      item('Traders protest', { summary: 'At Chaman, traders protest' }),
      [],
    ],
    ['cricket negative', item('Pakistan beat Afghanistan by six wickets in T20 thriller'), []],
    [
      'cricket team negative',
      item('Afghanistan cricket team arrives in Lahore for Pakistan series'),
      [],
    ],
    [
      'World Cup negative',
      item("Afghanistan's Rashid Khan stars as Pakistan lose World Cup opener"),
      [],
    ],
    [
      'cricket in categories',
      item('Pakistan and Afghanistan meet in Sharjah', { categories: ['Sport', 'Cricket'] }),
      [],
    ],
    ['India–Pakistan', item('India and Pakistan trade accusations over Kashmir'), []],
    ['India–Pakistan talks', item('India–Pakistan talks stall in New Delhi'), []],
    ['Afghanistan alone', item('Taliban government in Afghanistan bans poppy cultivation'), []],
    ['Pakistan alone', item('Pakistani rupee slides against the dollar'), []],
    ['Pak is not Pakistan', item('Pak-Afghan ties under strain'), []],
    ['trade far from Torkham', item(`Torkham ${'word '.repeat(12)}trade`), []],
  ])('%s', (_name, it, expected) => {
    expect(tagItem(it, compiled, ['pakistan'])).toEqual(expected)
  })
})

describe('tagItem and source tags', () => {
  const story = item('Transit trade via Torkham resumes, Islamabad tells Kabul')
  it.each<[string[], string[]]>([
    [['pakistan'], [BT, PA]],
    [
      ['afghanistan', 'news'],
      [BT, PA],
    ],
    [['world'], [PA]],
    [[], [PA]],
  ])('source tags %j → %j', (tags, expected) => {
    expect(tagItem(story, compiled, tags)).toEqual(expected)
  })
})

describe('tagItem evaluates topics that share no word with the item', () => {
  const odd = compileTopics([
    { id: 'not-cricket', title: 'x', in: ALL, match: { none: ['cricket'] } },
    { id: 'regex-only', title: 'x', in: ALL, match: '/\\bKa?bul\\b/' },
    { id: 'words', title: 'x', in: ALL, match: { any: ['Doha'] } },
  ])
  it.each<[string, string[]]>([
    ['Kbul talks', ['not-cricket', 'regex-only']],
    ['cricket in Doha', ['words']],
    ['nothing', ['not-cricket']],
  ])('"%s" → %j', (title, expected) => {
    expect(tagItem(item(title), odd, [])).toEqual(expected)
  })
})

describe('tagItem with many topics', () => {
  // 50 topics × 100 terms: every topic has 99 terms no headline contains plus one real one.
  const many: Topic[] = Array.from({ length: 50 }, (_, t) => ({
    id: `topic-${String(t).padStart(2, '0')}`,
    title: `Topic ${t}`,
    in: ALL,
    match: {
      any: [
        ...Array.from({ length: 97 }, (_, k) => `zz${t}x${k} phrase`),
        `prefix${t}q*`,
        `/needle${t}z/`,
        `word${t}`,
      ],
    },
  }))
  const bulk = compileTopics(many)

  it('returns exactly the topics whose terms occur, sorted', () => {
    const text = 'word7 and word42 and prefix3qualified and needle19z, but not word7x or zz1x1'
    expect(tagItem(item(text), bulk, [])).toEqual(['topic-03', 'topic-07', 'topic-19', 'topic-42'])
  })

  it('matches a phrase term among thousands', () => {
    expect(tagItem(item('news: ZZ49X96 Phrase today'), bulk, [])).toEqual(['topic-49'])
  })

  it('scans a long article once per field', () => {
    const body = `<p>${'filler text about the region '.repeat(5_000)}word25</p>`
    expect(tagItem(item('x', { contentHtml: body }), bulk, [])).toEqual(['topic-25'])
  })
})

describe.skipIf(!corpusPresent())(
  'tagItem on a real Urdu feed (read from the shared corpus)',
  () => {
    const file = join(CORPUS_DIR, 'feeds/miniflux/parser/testdata/urdu_UTF8.xml')
    const cdata = (xml: string, tag: string): string =>
      new RegExp(`<${tag}><!\\[CDATA\\[([\\s\\S]*?)\\]\\]></${tag}>`).exec(xml)?.[1] ?? ''
    // Read when the suite runs: a skipped suite (no corpus) must not touch the file.
    let items: MatchableItem[] = []
    beforeAll(() => {
      items = readFileSync(file, 'utf8')
        .split('<item>')
        .slice(1)
        .map((xml) => ({
          title: cdata(xml, 'title'),
          summary: cdata(xml, 'description'),
          categories: [],
        }))
    })
    /** The same text as typed on an Arabic keyboard: Arabic kaf, yeh and heh, plus a tatweel. */
    const arabicTyped = (s: string): string =>
      s.replaceAll('ک', 'ك').replaceAll('ی', 'ي').replaceAll('ہ', 'ه').replaceAll('پا', 'پـا')
    const urdu = compileTopics([
      { id: 'pakistan', title: 'x', in: ALL, match: 'پاکستان' },
      { id: 'both', title: 'x', in: ALL, match: { all: ['پاکستان', 'افغانستان'] } },
    ])

    it('finds the stories about Pakistan and Afghanistan', () => {
      expect(items.length).toBeGreaterThan(20)
      const tagged = items.map((i) => tagItem(i, urdu, []))
      expect(tagged.filter((t) => t.includes('pakistan')).length).toBeGreaterThan(10)
      expect(tagged.filter((t) => t.includes('both')).length).toBeGreaterThan(0)
    })

    it('tags every story the same when typed with Arabic letters', () => {
      const typed = items.map((i) => ({
        ...i,
        title: arabicTyped(i.title),
        summary: arabicTyped(i.summary ?? ''),
      }))
      expect(typed.filter((t, k) => t.summary !== items[k]?.summary).length).toBeGreaterThan(20)
      expect(typed.map((i) => tagItem(i, urdu, []))).toEqual(items.map((i) => tagItem(i, urdu, [])))
    })
  },
)
