import { describe, expect, it } from 'vitest'
import { isActorKey } from '../../src/stories/actors.js'
import {
  clauseWords,
  compactFacts,
  isMatchKey,
  readStory,
  storyFacts,
} from '../../src/stories/facts.js'
import { tokenize } from '../../src/topics/text.js'
import { seeded } from '../helpers/random.js'

const numbers = (title: string, summary = '') => [...storyFacts(title, summary).numbers].sort()
/** Quantities by unit, read back from their flat form (each unit followed by its values). */
const quantities = (title: string, summary = '') => {
  const flat = storyFacts(title, summary).quantities
  const out: Record<string, number[]> = {}
  let unit = ''
  for (const x of flat) {
    if (typeof x === 'string') {
      unit = x
      out[unit] = []
    } else out[unit]?.push(x)
  }
  return out
}

describe('storyFacts: figures', () => {
  it.each<[string, number[]]>([
    ['100,000 Afghans returned', [100000]],
    ['100k Afghans returned', [100000]],
    ['Over 1.2 million returned', [1200000]],
    ['IMF releases $1.2bn', [1200000000]],
    ['$1.2 billion tranche', [1200000000]],
    ['Gold hits record Rs450,000 per tola', [450000]],
    ['27th polio case of the year', [27]],
    ['Seventeen million face hunger', [17000000]],
    ['three killed, 14 wounded', [14, 3]],
    ['petrol cut by Rs2.04 per litre', [2.04]],
    ['exports fall 40% or 40pc', [40]],
    ['UNHCR: ٨٠٠٠٠ returned', [80000]],
  ])('reads %j', (title, expected) => {
    expect(numbers(title)).toEqual([...expected].sort())
  })

  it.each([
    ['KSE-100 gains', 'an index name'],
    ['Q1 exports', 'a quarter name'],
    ['blast in G-11 sector', 'a sector name'],
    ['one of the busiest crossings', 'the word "one"'],
    ['talks for the first time', 'an ordinal without an event noun'],
  ])('ignores %j (%s)', (title) => {
    expect(numbers(title)).toEqual([])
  })

  it('counts things: the word after a figure, ordinals before their noun', () => {
    expect(quantities('Pakistan beat South Africa by two wickets in first ODI')).toEqual({
      wicket: [2],
      odi: [1],
    })
    expect(quantities('Third round of talks begins')).toEqual({ round: [3] })
    // An ordinal counts a round but is no bare figure, so it never meets "2 wickets".
    expect(numbers('Second round of talks')).toEqual([])
  })

  it('never reads a figure across a clause', () => {
    expect(quantities('Blast kills 5. Officials say more')).toEqual({})
    expect(quantities('killing 12, injuring 27 people')).toEqual({ peopl: [27] })
  })
})

/** Bit numbers set in a mask (months: January = 0; weekdays: Sunday = 0). */
const bits = (mask: number): number[] => [...Array(12).keys()].filter((b) => mask & (1 << b))

describe('storyFacts: dates', () => {
  it('reads months and weekdays; "may" only next to a day number', () => {
    const f = storyFacts(
      'Returns in October',
      'Figures released on Sunday; talks may resume on 5 May',
    )
    expect(bits(f.months)).toEqual([4, 9])
    expect(bits(f.weekdays)).toEqual([0])
    expect(storyFacts('Talks may resume').months).toBe(0)
  })

  it('reads abbreviated months only next to a day number', () => {
    expect(bits(storyFacts('Deadline Oct 31').months)).toEqual([9])
    expect(storyFacts('Dec meeting').months).toBe(0)
  })

  it('shares one empty value for facts a text does not state', () => {
    const a = storyFacts('Talks in Kabul')
    const b = storyFacts('Gold price today')
    expect(a.numbers).toBe(b.numbers)
    expect(a.quantities).toBe(b.quantities)
    expect(a.otherPlaces).toBe(b.otherPlaces)
    expect(a.direction).toBe(b.direction)
  })
})

describe('storyFacts: places and countries', () => {
  it('finds gazetteer places, multi-word names first', () => {
    const f = storyFacts(
      'Spin Boldak crossing reopens',
      'Trucks crossed into Chaman in Balochistan',
    )
    expect([...f.places].sort()).toEqual(['balochistan', 'chaman', 'spin-boldak'])
  })

  it('takes a capital as a site only after in/at/near, else as its country', () => {
    const metonym = storyFacts('Kabul rejects Islamabad claims')
    expect([...metonym.places]).toEqual([])
    expect([...metonym.countries].sort()).toEqual(['afghanistan', 'pakistan'])
    expect([...storyFacts('Blast in Kabul kills five').places]).toEqual(['kabul'])
    expect([...storyFacts('Blast in the Afghan capital, Kabul').places]).toEqual(['kabul'])
  })

  it('collects capitalised names after in/at/near that the gazetteer does not know', () => {
    expect([
      ...storyFacts('Blast kills five', 'An explosion in Zarghun Shahr killed five').otherPlaces,
    ]).toEqual(['zarghun'])
    // Title case ("In") and known places are not unknown places.
    expect([...storyFacts('Blast In Zarghun Kills Five').otherPlaces]).toEqual([])
    expect([...storyFacts('x', 'a blast in Quetta and in October').otherPlaces]).toEqual([])
  })

  it('maps demonyms and places to countries', () => {
    expect(
      [...storyFacts('Iranian police deport Afghans', 'crossing at Islam Qala').countries].sort(),
    ).toEqual(['afghanistan', 'iran'])
  })
})

describe('storyFacts: event direction', () => {
  it.each<[string, string, Record<string, number>]>([
    ['Torkham reopens for trade', '', { operation: 1 }],
    ['Torkham closed again after firing', '', { operation: -1 }],
    ['Torkham reopens after three-week closure', '', { operation: 1 }],
    ['Internet restored after 48-hour shutdown', '', { operation: 1 }],
    ['Talks collapse in Istanbul', '', { operation: -1 }],
    ['Gold falls Rs9,000', '', { level: -1 }],
    ['Kabul rejects claims', '', { decision: -1 }],
    ['Torkham reopens but Chaman stays closed', '', { operation: 0 }],
    ['Trade at Torkham', 'The crossing reopened on Monday', { operation: 1 }],
    ['Torkham reopens', 'It was closed on Monday', { operation: 1 }],
  ])('%j + %j → %j', (title, summary, expected) => {
    expect(storyFacts(title, summary).direction).toEqual(expected)
  })
})

describe('readStory: a text reads the same every time', () => {
  const title = 'Torkham reopened; internationally-brokered reconciliation talks resume'
  const summary = 'Three killed, 14 wounded near Chaman on Monday as Islamabad and Kabul talk'

  it('reads a text the same the second time, long words too', () => {
    const first = readStory(title, summary)
    expect(readStory(title, summary)).toEqual(first)
    expect(first.facts.direction).toEqual({ operation: 1 })
    expect(first.titleKeys).toHaveLength(7)
  })

  it('reads the same after many other words were read', () => {
    const first = readStory(title, summary)
    const many = Array.from({ length: 60_000 }, (_, i) => `w${i.toString(36)}x`).join(' ')
    readStory(many)
    expect(readStory(title, summary)).toEqual(first)
  })
})

describe('readStory: the first summary keys only', () => {
  it('gives the first summaryKeyMax keys of the summary, and all else as without a cap', () => {
    const words = [
      'Torkham',
      'reopened',
      'killed',
      'Chaman',
      'the',
      'talks',
      'Monday',
      '14',
      'Islamabad',
      'quake',
      'hits',
      'Kabul',
      'after',
      'three',
      'wickets',
      'Pakistan',
      'England',
      'Test',
      'in',
      'Peshawar',
      'Dr',
      'Imran',
      'Khan',
      'arrested',
      'rose',
      '2.5bn',
      'trade',
      'and',
    ]
    const marks = [' ', ' ', ' ', ', ', '. ', '; ', ' - ', '… ', 'ł ']
    const next = seeded(41)
    const text = (n: number): string => {
      let t = ''
      for (let i = 0; i < n; i++)
        t += `${words[next() % words.length]}${marks[next() % marks.length]}`
      return t
    }
    for (let n = 0; n < 600; n++) {
      const title = text(next() % 14)
      const summary = text(next() % 120)
      const whole = readStory(title, summary)
      for (const max of [0, 1, 5, 40]) {
        const capped = readStory(title, summary, max)
        expect(capped.summaryKeys, JSON.stringify([title, summary, max])).toEqual(
          whole.summaryKeys.slice(0, max),
        )
        expect({ ...capped, summaryKeys: [] }).toEqual({ ...whole, summaryKeys: [] })
      }
    }
  })
})

describe('readStory: event keys', () => {
  /** Its disasters' and matches' keys (an actor's development is keyed apart: actors.test.ts). */
  const events = (title: string, summary = '') =>
    readStory(title, summary).events.filter((k) => !isActorKey(k))

  it('gives the reports of one disaster one key, across wordings and languages', () => {
    const quake = events('Strong quake hits Morocco')
    expect(quake).toHaveLength(1)
    expect(events('Powerful earthquake rattles Morocco, hundreds dead')).toEqual(quake)
    expect(events('Trzęsienie ziemi w Maroku. Setki ofiar')).toEqual(quake)
    expect(events('Earthquake in Turkey')).not.toEqual(quake)
  })

  it('places an attack at a site, read in the summary when the headline has none', () => {
    const peshawar = events('Mosque blast kills dozens in Peshawar')
    expect(peshawar).toHaveLength(1)
    expect(
      events(
        'Suicide bomber kills 25 at mosque in Pakistan',
        'The blast hit a mosque in Peshawar.',
      ),
    ).toEqual(peshawar)
    expect(
      events(
        'Zamachowiec samobójca wysadził się w meczecie. 20 osób nie żyje',
        'W meczecie w Peszawarze na północy Pakistanu zamachowiec zdetonował kamizelkę.',
      ),
    ).toEqual(peshawar)
    // A country holds several attacks a day: no site, no key.
    expect(events('Suicide bomber kills 25 at mosque in Pakistan')).toEqual([])
  })

  it('gives no key to an attack without a toll, a reaction or a political development', () => {
    expect(events('Protesters attack army headquarters in Rawalpindi')).toEqual([])
    expect(events('White House condemns deadly mosque blast in Peshawar')).toEqual([])
    expect(events('Taliban deny role in Peshawar mosque blast that killed 100')).toEqual([])
    expect(events('Imran Khan arrested in Islamabad')).toEqual([])
    expect(readStory('Imran Khan arrested in Islamabad').events.filter(isActorKey)).toHaveLength(1)
  })

  it('gives the reports of one match one key: its two sides and a match word', () => {
    const test = events('Pakistan v England: second Test, day three – live')
    expect(test).toHaveLength(1)
    expect(isMatchKey(test[0]!)).toBe(true)
    expect(
      events('Harry Brook hits third century as England edge into lead over Pakistan'),
    ).toEqual(test)
    // The second side may be in the summary (one must be in the headline); order does not matter.
    expect(
      events('Rehan Ahmed takes five wickets as England close in', 'A clean sweep of Pakistan.'),
    ).toEqual(test)
    expect(events('Rehan Ahmed takes five wickets', 'England sweep Pakistan.')).toEqual([])
    expect(events('England v Pakistan: Women’s T20 World Cup – live')).toEqual(test)
    expect(isMatchKey(events('Strong quake hits Morocco')[0]!)).toBe(false)
  })

  it('gives no match key to one side, three sides, a "test" that is no match, or a reaction', () => {
    expect(events('Pakistan bowled out for 150 in Karachi')).toEqual([])
    expect(events('India, Pakistan and England in T20 tri-series')).toEqual([])
    expect(events('Pakistan and Afghanistan test border crossing rules')).toEqual([])
    expect(events('Pakistan and Afghanistan hold talks on border trade')).toEqual([])
    expect(events('Stokes lauds England’s Test series win in Pakistan')).toEqual([])
    expect(events('Pakistan v England: Stokes says victory is not just another series')).toEqual([])
  })

  it('marks a headline of several events and a Polish text', () => {
    expect(storyFacts('Dozens killed in Pakistan bus, boat accidents').several).toBe(true)
    expect(storyFacts('More than 50 die in two Pakistan accidents').several).toBe(true)
    expect(storyFacts('Bus crash kills 39 people in Pakistan').several).toBeUndefined()
    expect(storyFacts('Tragedia na jeziorze. Zginęło 10 dzieci').folded).toBe(true)
    expect(storyFacts('Ten children die after boat capsizes').folded).toBeUndefined()
  })
})

describe('storyFacts: the phase of a disaster a headline reports', () => {
  it('tells a report of the event happening from a later angle of it', () => {
    expect(storyFacts('Powerful earthquake strikes Morocco').onset).toBe(true)
    expect(storyFacts('Flood kills 12 in Balochistan').onset).toBe(true)
    expect(storyFacts('Magnitude 6.1 earthquake felt across Morocco').magnitude).toBe(6.1)
    // "quake-hit" describes a place after the event: no report of it happening.
    expect(storyFacts("Minister's visit to quake-hit Turkey").onset).toBeUndefined()
    expect(storyFacts('Morocco earthquake survivors sleep in the streets').onset).toBeUndefined()
  })

  it('marks a recurrence: another event after an earlier one', () => {
    const again = storyFacts('New 6.4-magnitude earthquake hits southern Turkey')
    expect(again).toMatchObject({ onset: true, again: true, magnitude: 6.4 })
    expect(storyFacts('Afghanistan is hit by another earthquake').again).toBe(true)
    expect(storyFacts('Quake strikes Herat days after deadly tremors').again).toBe(true)
    expect(storyFacts('Powerful earthquake strikes Morocco').again).toBeUndefined()
    // A place named "New …" is no recurrence.
    expect(storyFacts('Earthquake strikes New Zealand').again).toBeUndefined()
  })

  it('sets aside a look back, a reaction and a service piece, not the survivors of the day', () => {
    expect(storyFacts('The deadliest earthquakes in Morocco since 1960').aside).toBe(true)
    expect(storyFacts('World leaders react to Morocco earthquake').aside).toBe(true)
    expect(storyFacts('How to help the victims of the earthquake in Morocco').aside).toBe(true)
    expect(storyFacts('Morocco earthquake survivors sleep in the streets').aside).toBeUndefined()
    // "Bus crashes" is a verb: one event.
    expect(storyFacts('Passenger bus crashes in Balochistan, killing 40').aside).toBeUndefined()
    expect(readStory('Morocco earthquake survivors sleep in the streets').events).toHaveLength(1)
  })
})

describe('compactFacts', () => {
  const texts: [string, string][] = [
    ['Cricket board meets on budget', ''],
    ['Cricket board elects its chair', ''],
    ['Torkham reopens for trade', 'The board met on Tuesday.'],
    [
      'Powerful earthquake kills 2,000 in Morocco',
      'Another quake of magnitude 6.8 struck near Marrakesh on Friday.',
    ],
    ['What we know about the floods in Pakistan', 'Rescuers in Sindh said 12 people died.'],
  ]

  it('keeps the facts as they are, keys in their order, from a structured clone', () => {
    for (const [title, summary] of texts) {
      const facts = storyFacts(title, summary)
      const compact = compactFacts(structuredClone(facts))
      expect(compact).toEqual(facts)
      expect(Object.keys(compact)).toEqual(Object.keys(facts))
    }
  })

  it('gives facts that say nothing as one shared object, and others as their own', () => {
    const nothing = texts
      .slice(0, 2)
      .map(([t, s]) => compactFacts(structuredClone(storyFacts(t, s))))
    expect(nothing[0]).toBe(nothing[1])
    expect(compactFacts(nothing[0]!)).toBe(nothing[0])
    const some = texts.slice(2).map(([t, s]) => compactFacts(storyFacts(t, s)))
    expect(new Set([...some, nothing[0]]).size).toBe(some.length + 1)
  })
})

describe('clauses of ASCII text (one pass, no regex split)', () => {
  /** How clausesOf cut text before: the pieces of this split that have a word, and their tokens. */
  const CLAUSE_END = /,(?!\d)|[;:!?\n()\u2013\u2014]|\s-\s|\.(?!\d)/
  const bySplit = (text: string) =>
    text
      .split(CLAUSE_END)
      .map((raw) => ({ raw, words: tokenize(raw) }))
      .filter((c) => c.words.length > 0)
  // Every character that ends a clause or is next to one that does, words, digits and spaces.
  const PIECES = [
    'Torkham',
    'REOPENS',
    'a',
    '2',
    '25',
    '1.5',
    ',',
    '.',
    ';',
    ':',
    '!',
    '?',
    '\n',
    '(',
    ')',
    '-',
    ' - ',
    ' ',
    '\t',
    '\r',
    '\u000b',
    '\f',
    "'",
    '"',
    '|',
    '_',
    '@',
  ]

  it('gives the clauses and words of the split and tokenize, on 5,000 random strings', () => {
    const next = seeded(2_026)
    for (let n = 0; n < 5_000; n++) {
      const text = Array.from({ length: next() % 24 }, () => PIECES[next() % PIECES.length]).join(
        '',
      )
      expect(clauseWords(text), JSON.stringify(text)).toEqual(bySplit(text))
    }
  })

  it('gives them on every printable ASCII character and the controls', () => {
    const next = seeded(99)
    for (let n = 0; n < 3_000; n++) {
      const text = Array.from({ length: next() % 30 }, () =>
        String.fromCharCode(next() % 128),
      ).join('')
      expect(clauseWords(text), JSON.stringify(text)).toEqual(bySplit(text))
    }
  })

  it('cuts a headline where the split does', () => {
    expect(clauseWords('Torkham reopens - trade resumes, 1,500 trucks cross (Doha)')).toEqual([
      { raw: 'Torkham reopens', words: ['torkham', 'reopens'] },
      { raw: 'trade resumes', words: ['trade', 'resumes'] },
      { raw: ' 1,500 trucks cross ', words: ['1', '500', 'trucks', 'cross'] },
      { raw: 'Doha', words: ['doha'] },
    ])
  })
})
