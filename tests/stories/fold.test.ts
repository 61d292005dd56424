import { describe, expect, it } from 'vitest'
import { foldWord, isPolish } from '../../src/stories/fold.js'
import { normalizeText } from '../../src/topics/text.js'

/** Folds every word of a text as the story facts do. */
const fold = (text: string) =>
  normalizeText(text)
    .split(' ')
    .map((w) => foldWord(w, isPolish(text)))

describe('foldWord', () => {
  it('folds the inflections of a Polish word to one English word', () => {
    for (const w of ['Pakistan', 'Pakistanie', 'Pakistanu', 'pakistańscy'])
      expect(fold(`${w} ą`)[0]).toBe('pakistan')
    expect(fold('Trzęsienie ziemi w Maroku')).toEqual(['earthquake', 'ziemi', 'w', 'morocco'])
    expect(fold('W meczecie w Peszawarze zginęło 20 osób')).toEqual([
      'w',
      'mosque',
      'w',
      'peshawar',
      'killed',
      '20',
      'osob',
    ])
  })

  it('folds short Polish words only when whole', () => {
    expect(foldWord('sadzie', true)).toBe('court')
    expect(foldWord('sadownik', true)).toBe('sadownik')
  })

  it('leaves English alone, even words that begin like a Polish one', () => {
    expect(isPolish('Attack on hotel in Kabul')).toBe(false)
    // "atak" begins a Polish word for attack; "atakama" read as English stays itself.
    expect(foldWord('atakama', false)).toBe('atakama')
    expect(fold('Pakistan bans protests')).toEqual(['pakistan', 'bans', 'protests'])
  })

  it('folds Urdu, Persian and Pashto event words and places in any text', () => {
    expect(fold('پاکستان میں زلزلہ')).toEqual(['pakistan', 'میں', 'earthquake'])
    expect(fold('کابل کې چاودنه ټپیان')).toEqual([
      'kabul',
      normalizeText('کې'),
      'explosion',
      normalizeText('ټپیان'),
    ])
    expect(fold('طالبان ټپی')).toEqual(['taliban', 'injured'])
  })
})
