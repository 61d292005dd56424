import { describe, expect, it } from 'vitest'
import { storyFeatures } from '../../src/stories/features.js'
import { storyConflict } from '../../src/stories/guards.js'
import { placesCompatible } from '../../src/stories/places.js'

/** The guard that keeps two reports apart, or undefined. */
const conflict = (a: [string, string?], b: [string, string?]) => {
  const x = storyFeatures(...a)
  const y = storyFeatures(...b)
  return storyConflict(x.facts, y.facts, x.keys, y.keys)
}

describe('storyConflict', () => {
  it.each<[string, [string, string?], [string, string?], string | undefined]>([
    [
      'different figures',
      ['100,000 Afghans returned from Pakistan in October'],
      ['80,000 Afghans returned from Pakistan in October'],
      'numbers',
    ],
    [
      'one figure in two spellings',
      ['100,000 Afghans returned from Pakistan in October'],
      ['UNHCR: 100k Afghans returned from Pakistan in October'],
      undefined,
    ],
    [
      'one thing counted differently among shared figures',
      ['Pakistan beat South Africa by two wickets to lead 1-0'],
      ['South Africa beat Pakistan by eight wickets to level 1-1'],
      'numbers',
    ],
    [
      'a figure read as the wrong count but present in both',
      ['5.2 magnitude earthquake hits Kunar, three killed'],
      ['Earthquake of magnitude 5.2 kills 3 in Kunar'],
      undefined,
    ],
    [
      'different rounds',
      ['Second round of talks begins in Istanbul'],
      ['Third round of talks begins in Istanbul'],
      'numbers',
    ],
    [
      'different months',
      ['Afghans returned from Pakistan in October'],
      ['Afghans returned from Pakistan in November'],
      'months',
    ],
    [
      'different weekdays',
      ['Ceasefire agreed', 'The deal was announced on Sunday'],
      ['Ceasefire holding', 'Qatar said on Tuesday'],
      'weekdays',
    ],
    ['different crossings', ['Torkham reopens for trade'], ['Chaman reopens for trade'], 'places'],
    [
      'the two names of one crossing',
      ['Chaman border reopens for trade'],
      ['Spin Boldak crossing reopens for trade'],
      undefined,
    ],
    [
      'a place and the district it lies in',
      ['Torkham reopens for trade'],
      ['Crossing in Khyber reopens for trade'],
      undefined,
    ],
    ['different talks venues', ['Talks open in Istanbul'], ['Talks open in Doha'], 'places'],
    [
      'a capital as its government, the other naming the venue',
      ['Kabul and Islamabad agree to extend ceasefire'],
      ['Pakistan and Afghanistan agree to extend ceasefire in Doha'],
      undefined,
    ],
    [
      'unknown places the other never mentions',
      ['Blast kills five', 'A blast in Zarghun Shahr killed five'],
      ['Blast kills five', 'A blast in Mandol killed five'],
      'other-places',
    ],
    [
      'an unknown place the other mentions',
      ['Blast kills five', 'A blast in Zarghun Shahr killed five'],
      ['Zarghun blast kills five'],
      undefined,
    ],
    [
      'a country shared through a demonym (Afghans)',
      ['Afghans deported from Iran'],
      ['Afghans deported from Pakistan'],
      undefined,
    ],
    ['disjoint countries', ['Floods hit Iran'], ['Floods hit India'], 'countries'],
    ['reopens vs closed again', ['Torkham reopens'], ['Torkham closed again'], 'direction'],
    ['resume vs collapse', ['Istanbul talks resume'], ['Istanbul talks collapse'], 'direction'],
    ['restored vs cut', ['Internet restored'], ['Internet cut across the country'], 'direction'],
    ['rises vs falls', ['Gold price rises'], ['Gold price falls'], 'direction'],
    [
      'a background clause is no direction',
      ['Internet restored after 48-hour shutdown'],
      ['Internet services restored after 48-hour blackout'],
      undefined,
    ],
    [
      'nothing to disagree on',
      ['Muttaqi arrives in New Delhi'],
      ['Taliban minister Muttaqi in India'],
      undefined,
    ],
  ])('%s', (_case, a, b, expected) => {
    expect(conflict(a, b)).toBe(expected)
    expect(conflict(b, a)).toBe(expected)
  })
})

describe('placesCompatible', () => {
  it.each<[string, string, boolean]>([
    ['torkham', 'torkham', true],
    ['torkham', 'khyber', true],
    ['kp', 'torkham', true],
    ['torkham', 'nangarhar', true],
    ['chaman', 'spin-boldak', true],
    ['torkham', 'chaman', false],
    ['doha', 'istanbul', false],
    ['wana', 'kp', true],
    ['bannu', 'lakki-marwat', false],
  ])('%s ~ %s: %s', (a, b, expected) => {
    expect(placesCompatible(a, b)).toBe(expected)
  })
})

describe('storyConflict: one event, several events', () => {
  const read = (title: string) => storyFeatures(title)

  it("lets one day's reports of one event differ on its figures, not two events' reports", () => {
    const a = read('6.3-magnitude earthquake rattles Turkey-Syria border')
    const b = read('New 6.4 quake strikes southern Turkey')
    expect(storyConflict(a.facts, b.facts, a.keys, b.keys, true)).toBe('numbers')
    expect(storyConflict(a.facts, b.facts, a.keys, b.keys, true, true)).toBeUndefined()
    // The next day's figure is the next day's story, event or not.
    expect(storyConflict(a.facts, b.facts, a.keys, b.keys, false, false)).toBe('numbers')
  })

  it('lets reports of one UTC day name the night it happened and the day they write', () => {
    const a = storyFeatures('Quake hits Morocco', 'It struck late on Friday near Marrakesh.')
    const b = storyFeatures(
      'Quake toll rises in Morocco',
      'Rescuers dug on Saturday near Marrakesh.',
    )
    expect(storyConflict(a.facts, b.facts, a.keys, b.keys, true)).toBeUndefined()
    // Across days the weekdays still tell two reports apart.
    expect(storyConflict(a.facts, b.facts, a.keys, b.keys, false)).toBe('weekdays')
  })

  it('keeps a roundup of several events apart from a report of one of them', () => {
    expect(
      conflict(
        ['Dozens killed in Pakistan bus, boat accidents'],
        ['Bus crash kills dozens in Pakistan'],
      ),
    ).toBe('several')
    expect(
      conflict(
        ['Dozens killed in Pakistan bus, boat accidents'],
        ['Dozens die in Pakistan bus and boat crashes'],
      ),
    ).toBeUndefined()
  })
})

describe('storyConflict: developments of a saga', () => {
  it('keeps a consequence apart from the development it follows', () => {
    // Protests, troops, a flight home told by one headline only: the next story of the saga.
    expect(
      conflict(
        ['Opposition leader Omar Said arrested in Lahore'],
        ["Omar Said's arrest stokes anger in Lahore"],
      ),
    ).toBe('development')
    expect(
      conflict(
        ['Suspects in aid worker case fly back to UK from Dubai'],
        ['Suspects in aid worker case arrested on arrival'],
      ),
    ).toBe('development')
    expect(
      conflict(
        ['Army deployed in Lahore after Omar Said arrest'],
        ['Omar Said arrested in Lahore'],
      ),
    ).toBe('development')
  })

  it('reads troops named in a headline as no deployment', () => {
    expect(
      conflict(
        ['UK launches inquiry into claims its troops killed Afghan civilians'],
        ['Inquiry launched into claims British soldiers killed Afghan civilians'],
      ),
    ).toBeUndefined()
  })

  it('reads a development of a background clause as background, and bail told once as one ruling', () => {
    // "after … arrest" recalls the arrest: both report protests.
    expect(
      conflict(
        ['Protests erupt in Lahore after Omar Said arrest'],
        ["Omar Said's arrest sparks protests in Lahore"],
      ),
    ).toBeUndefined()
    // "as …" tells what goes on around the development.
    expect(
      conflict(
        ['Army deployed in Lahore as Omar Said arrest fuels unrest'],
        ['Army deployed in Lahore after Omar Said arrest'],
      ),
    ).toBeUndefined()
    // One headline says the court freed him, the other only that it ruled.
    expect(
      conflict(
        ['Court rules Omar Said arrest illegal, orders his release'],
        ['Court rules Omar Said arrest was illegal'],
      ),
    ).toBeUndefined()
    // Two different developments, both stated: bail is not charges.
    expect(
      conflict(['Omar Said freed on bail in Lahore'], ['Omar Said charged in Lahore court']),
    ).toBe('development')
  })
})
