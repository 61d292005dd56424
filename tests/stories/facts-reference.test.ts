/**
 * readStory, storyFeatures and clauseWords against the versions before a story's words were read
 * into one list (kept in ./reference/): the same output on random texts made of the lexicons'
 * words, names, figures and clause ends, in ASCII and beyond it.
 */
import { describe, expect, it } from 'vitest'
import { clauseWords, readStory } from '../../src/stories/facts.js'
import { storyFeatures } from '../../src/stories/features.js'
import {
  ANGLE_WORDS,
  BACKGROUND,
  CURRENCIES,
  DEVELOPMENTS,
  EVENT_KINDS,
  MATCH_ANGLE_WORDS,
  MATCH_WORDS,
  MONTH_ABBR,
  MONTHS,
  NUMBER_WORDS,
  ORDINAL_NOUNS,
  ORDINAL_WORDS,
  PURPOSE,
  REACTION_WORDS,
  SCALES,
  SITE_BEFORE,
  SPORT_TEAMS,
  TEST_AFTER,
  TEST_BEFORE,
  UNIT_SKIP,
  WEEKDAYS,
} from '../../src/stories/lexicon.js'
import { COUNTRY_NAMES, PLACES } from '../../src/stories/places.js'
import { seeded } from '../helpers/random.js'
import {
  clauseWords as clauseWordsBefore,
  readStory as readStoryBefore,
} from './reference/facts-before.js'
import { storyFeatures as storyFeaturesBefore } from './reference/features-before.js'

/** Words of every lexicon the passes read, and others around them. */
const VOCABULARY = [
  ...Object.keys(NUMBER_WORDS),
  ...Object.keys(ORDINAL_WORDS),
  ...ORDINAL_NOUNS,
  ...Object.keys(SCALES),
  ...CURRENCIES,
  ...UNIT_SKIP,
  ...Object.keys(MONTHS),
  ...Object.keys(MONTH_ABBR),
  ...Object.keys(WEEKDAYS),
  ...BACKGROUND,
  ...DEVELOPMENTS.keys(),
  ...PURPOSE,
  ...SITE_BEFORE,
  ...Object.values(EVENT_KINDS).flat(),
  ...ANGLE_WORDS,
  ...REACTION_WORDS,
  ...SPORT_TEAMS.keys(),
  ...MATCH_WORDS,
  ...TEST_BEFORE,
  ...TEST_AFTER,
  ...MATCH_ANGLE_WORDS,
  ...Object.keys(PLACES),
  ...Object.values(COUNTRY_NAMES).flat(),
  // Axes, actors, their roles and developments, and the words around them
  ...'reopens reopened closes closed closure arrested released freed approves rejected denies rises falls killed injured dead toll'.split(
    ' ',
  ),
  ...'imran khan shehbaz sharif nawaz maryam bilawal bhutto zardari asif ali munir ghani karzai abdullah mullah baradar amir muttaqi shah mahmood qureshi'.split(
    ' ',
  ),
  ...'ex pm former prime minister premier leader ousted jailed supporters aides family sparks triggered arrest bail hearing protests troops talks visit ban resigns charged returns'.split(
    ' ',
  ),
  ...'in at near the of to and but as while how help you can new another fresh days after'.split(
    ' ',
  ),
  ...'Matotora Gato Hill Sedetise Yaritora raneri humi korito'.split(' '),
  // Figures and names glued to them
  ...'25 1,500 2.5bn 100k 6.3-magnitude magnitude 6.4 27th 3rd KSE-100 Rs100 $5 Q1 T20 2 10 300 45 million 1.2 07'.split(
    ' ',
  ),
  // Beyond ASCII: Polish, Urdu/Persian, Arabic digits, an ellipsis
  ...'Pakistanie ąę zamknięte przejście Torkham zginęło osób زلزله کابل عمران خان ٢٥ ۱۲ …'.split(
    ' ',
  ),
]

/** What may stand between two words. */
const GAPS = [
  ' ',
  ' ',
  ' ',
  ' ',
  ' ',
  ', ',
  '. ',
  '; ',
  ': ',
  ' - ',
  '\n',
  ' (',
  ') ',
  '! ',
  '? ',
  ' – ',
  '-',
  '  ',
  '...',
]

const cased = (w: string, r: number): string =>
  r % 5 === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : r % 17 === 0 ? w.toUpperCase() : w

const randomText = (next: () => number, words: number): string => {
  let out = ''
  for (let i = 0; i < words; i++) {
    const w = VOCABULARY[next() % VOCABULARY.length]!
    out += cased(w, next()) + (i + 1 < words ? GAPS[next() % GAPS.length]! : '')
  }
  return out
}

const asciiOnly = (s: string): string => s.replace(/[\u0080-\uffff]+/g, ' ')

describe('readStory and storyFeatures against the version before one list of words', () => {
  it('give the same facts, keys and events on 4,000 random stories', () => {
    const next = seeded(3_030)
    for (let k = 0; k < 4_000; k++) {
      let title = randomText(next, 1 + (next() % 14))
      let summary = randomText(next, next() % 70)
      // Most stories are ASCII (the ASCII reader), some not (the one that folds).
      if (next() % 3 !== 0) {
        title = asciiOnly(title)
        summary = asciiOnly(summary)
      }
      const max = [0, 5, 40, Number.POSITIVE_INFINITY][next() % 4]!
      const label = JSON.stringify({ title, summary, max })
      expect(readStory(title, summary, max), label).toEqual(readStoryBefore(title, summary, max))
      expect(storyFeatures(title, summary), label).toEqual(storyFeaturesBefore(title, summary))
      expect(clauseWords(summary), label).toEqual(clauseWordsBefore(summary))
    }
    // A few seconds on a loaded machine: a check of output, not of time.
  }, 60_000)

  it('give the same names after in/at/near on 3,000 random texts of names and clause ends', () => {
    const next = seeded(4_040)
    const words =
      'in at near In At Near _in xin Kabul Matotora Gato Hill Sedetise New Delhi Spin Boldak AB Ab A the of 25'.split(
        ' ',
      )
    const gaps = [
      ' ',
      ' ',
      ' ',
      ' - ',
      ', ',
      '. ',
      '  ',
      '\n',
      '-',
      ' – ',
      ' (',
      '; ',
      '\t-\t',
      '\u00a0-\u00a0',
      '…',
    ]
    for (let k = 0; k < 3_000; k++) {
      let text = ''
      for (let i = 0, n = 1 + (next() % 16); i < n; i++)
        text += words[next() % words.length]! + (i + 1 < n ? gaps[next() % gaps.length]! : '')
      if (next() % 2 === 0) text = text.replace(/[\u0080-\uffff]/g, ' ')
      const [title, summary] = next() % 2 === 0 ? [text, ''] : ['Torkham reopens', text]
      expect(readStory(title, summary).facts, JSON.stringify(text)).toEqual(
        readStoryBefore(title, summary).facts,
      )
    }
  }, 60_000)

  it('give the same on stories the tests of facts and actors read', () => {
    for (const [title, summary] of [
      [
        'Torkham reopens after 25 days',
        'Trade resumed on Sunday at Torkham, 1,500 trucks crossed.',
      ],
      [
        '6.3-magnitude earthquake hits Herat, 2,000 killed',
        'A quake struck near Herat in western Afghanistan.',
      ],
      [
        'Imran Khan arrested in Islamabad',
        'Protests erupt as supporters of ex-PM Khan clash with police.',
      ],
      [
        'Pakistan v England: second Test, day three – live',
        'Shakeel leads Pakistan charge in Rawalpindi Test.',
      ],
      [
        'Another blast kills 20 in Quetta',
        'In Quetta Cantonment, near Zarghoon Road, a blast killed 20 on May 5.',
      ],
      ['Trzęsienie ziemi w Pakistanie: zginęło 10 osób', 'Zamknięte przejście Torkham.'],
      ['زلزله در هرات ٢٥ کشته', ''],
      ['World reacts to the earthquake', 'How to help the victims in Herat and Kabul'],
    ] as const) {
      for (const max of [0, 40, Number.POSITIVE_INFINITY])
        expect(readStory(title, summary, max), title).toEqual(readStoryBefore(title, summary, max))
      expect(storyFeatures(title, summary), title).toEqual(storyFeaturesBefore(title, summary))
    }
  })
})
