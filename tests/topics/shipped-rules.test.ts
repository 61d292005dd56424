/**
 * The shipped topic rules (config/topicwire.yaml) scored on our labelled set
 * (tests/fixtures/topics/labelled.tsv). `npm run eval:topics` prints the same numbers as a table.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import { compileTopics } from '../../src/topics/compile.js'
import { evaluateTopics } from '../../src/topics/evaluate.js'
import { parseLabelledSet } from '../../src/topics/labelled-set.js'
import { matchTopic } from '../../src/topics/match.js'

const root = resolve(import.meta.dirname, '../..')
const SET = resolve(root, 'tests/fixtures/topics/labelled.tsv')
const config = await loadConfig(resolve(root, 'config/topicwire.yaml'), {})
const rows = parseLabelledSet(await readFile(SET, 'utf8'), SET)
const evaluation = evaluateTopics(
  rows,
  compileTopics(config.topics),
  config.topics.map((t) => t.id),
)

const UMBRELLA = 'pakistan-afghanistan'
/** The target for the relations topic; the narrower topics hold a floor we reach. */
const FLOOR: Record<string, number> = { [UMBRELLA]: 0.95 }
const NARROW_FLOOR = 0.9

const fixed = (x: number) => x.toFixed(3)

describe('the labelled set', () => {
  it('has at least 150 rows, 20 in Urdu and 15 in Dari or Pashto', () => {
    const lang = (l: string) => rows.filter((r) => r.lang === l).length
    expect(rows.length).toBeGreaterThanOrEqual(150)
    expect(lang('ur')).toBeGreaterThanOrEqual(20)
    expect(lang('fa') + lang('ps')).toBeGreaterThanOrEqual(15)
  })

  it('has every kind of hard negative the issue names', () => {
    const negatives = new Set(rows.filter((r) => r.topics.length === 0).map((r) => r.kind))
    for (const kind of [
      'cricket',
      'afghanistan-only',
      'pakistan-only',
      'india-pakistan',
      'doha-2020',
      'diaspora',
      'iran-afghanistan',
      'china-pakistan',
    ])
      expect(negatives.has(kind), kind).toBe(true)
  })

  it('labels only shipped topics, and every narrower topic together with the relations topic', () => {
    const ids = new Set(config.topics.map((t) => t.id))
    for (const r of rows) {
      for (const t of r.topics) expect(ids.has(t), `${r.id}: ${t}`).toBe(true)
      if (r.topics.length > 0) expect(r.topics, r.id).toContain(UMBRELLA)
    }
  })
})

describe('the shipped rules on the labelled set', () => {
  it.each(
    evaluation.topics.map((t) => ({
      ...t,
      floor: FLOOR[t.topicId] ?? NARROW_FLOOR,
      p: fixed(t.precision),
      r: fixed(t.recall),
    })),
  )('$topicId: precision $p, recall $r (floor $floor)', (t) => {
    const wrong = [
      ...t.falsePositives.map((r) => `+${r.id}`),
      ...t.falseNegatives.map((r) => `-${r.id}`),
    ].join(' ')
    expect(t.precision, wrong).toBeGreaterThanOrEqual(t.floor)
    expect(t.recall, wrong).toBeGreaterThanOrEqual(t.floor)
  })

  it.each(['en', 'ur', 'fa', 'ps'])(
    `${UMBRELLA} keeps precision and recall ≥ 0.9 in %s`,
    (lang) => {
      const c = evaluation.topics.find((t) => t.topicId === UMBRELLA)?.byLang[lang]
      expect(c).toBeDefined()
      if (!c) return
      expect(c.tp / (c.tp + c.fp)).toBeGreaterThanOrEqual(0.9)
      expect(c.tp / (c.tp + c.fn)).toBeGreaterThanOrEqual(0.9)
    },
  )
})

describe('the shipped relations rule on cases written for it', () => {
  const compiled = compileTopics(config.topics.map(({ model: _model, ...rules }) => rules))
  it.each<[string, string, string, string[], boolean]>([
    // the state's act on Afghans: Pakistan expels in one clause, Afghans named elsewhere
    [
      'Pakistan expels, Afghans in the headline',
      'Afghan interpreters fear being handed to the Taliban',
      'Hundreds are at risk as Pakistan deports undocumented foreigners.',
      [],
      true,
    ],
    [
      'a Pakistani outlet deports, Afghans named',
      'Police deport 300 illegal immigrants',
      'Most of those sent back were Afghans.',
      ['pakistan'],
      true,
    ],
    [
      'a refugee who lived in Pakistan is not the state acting',
      'An Afghan painter shows his work in Melbourne',
      'He grew up as a refugee in Pakistan.',
      [],
      false,
    ],
    [
      'deportation from a third country is not it',
      'Germany deports Afghan convicts',
      'The flight left Leipzig for Kabul.',
      [],
      false,
    ],
    // a cross-border relation with one side, the other named in the headline
    [
      'cross-border with Afghanistan, Pakistan in the headline',
      'Pakistan police detain tribal elder',
      'He had led a sit-in demanding cross-border movement with Afghanistan.',
      [],
      true,
    ],
    [
      'cross-border with Afghanistan and no Pakistan anywhere',
      'Tajik guards detain smugglers',
      'They were caught on a cross-border run from Afghanistan.',
      [],
      false,
    ],
    // Taliban in a Pakistani headline, the item saying they came across the border
    [
      'Taliban fighters in Pakistan, from across the border',
      'Taliban fighters swell militant ranks in Pakistan',
      'Young fighters are moving across Afghanistan’s borders.',
      [],
      true,
    ],
    [
      'Taliban attack in Pakistan with no cross-border angle',
      'Taliban fighters attack police post in Pakistan',
      'Four officers were killed in the night.',
      [],
      false,
    ],
    // the foreign minister as the actor
    [
      'Pakistan FM on the Taliban',
      'Pakistan FM says the Taliban must act on militant groups',
      '',
      [],
      true,
    ],
    // a list of places is a co-mention, not a relation
    [
      'a list of places',
      'US lists four militants in Afghanistan, Pakistan as global terrorists',
      '',
      [],
      false,
    ],
    [
      'a comma before the speaker is not a list',
      'Attackers trained in Afghanistan, Pakistan says after the convoy bombing',
      '',
      [],
      true,
    ],
    // relation cues in Urdu, Dari and Pashto (written for this test): the two sides and a cue
    // in one clause; the same sides with no cue, or a disaster, are not a relation
    [
      'Urdu: Afghan soil used against Pakistan',
      'پاکستان کا افغان سرزمین کے استعمال پر اعتراض',
      '',
      [],
      true,
    ],
    [
      'Urdu: cooperation between the two',
      'پاکستان اور افغانستان کا صحت کے شعبے میں تعاون پر اتفاق رائے',
      '',
      [],
      true,
    ],
    [
      'Urdu: Afghan nationals arrested in a Pakistani outlet',
      'کراچی میں غیر قانونی طور پر مقیم 40 افغان باشندے گرفتار',
      '',
      ['pakistan'],
      true,
    ],
    ['Dari: Kabul condemns Pakistan', 'کابل حمله هوایی پاکستان را محکوم کرد', '', [], true],
    ['Dari: smuggling between the two', 'افزایش قاچاق سوخت از افغانستان به پاکستان', '', [], true],
    [
      'Pashto: Pakistan and Afghanistan cooperation',
      'پاکستان او افغانستان د روغتیا په برخه کې همکاري پراخوي',
      '',
      [],
      true,
    ],
    [
      'Pashto: Afghan soil, Pakistan warns',
      'پاکستان وايي افغان خاوره د بریدونو لپاره کارول کېږي',
      '',
      [],
      true,
    ],
    [
      'Urdu: both named in a quake, a cue word beside',
      'پاکستان اور افغانستان میں زلزلہ، پڑوسی ممالک سے امداد کی اپیل',
      '',
      [],
      false,
    ],
    ['Dari: both named, no relation', 'مسابقات کریکت پاکستان و افغانستان در شارجه', '', [], false],
  ])('%s', (_name, title, summary, tags, expected) => {
    const got = matchTopic(compiled, UMBRELLA, { title, summary, categories: [] }, tags)
    expect(got.matched).toBe(expected)
  })
})
