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
