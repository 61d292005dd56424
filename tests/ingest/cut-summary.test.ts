/**
 * A cut summary's one-byte text (normalize.ts cutSummaryOf) and what reads it: the hand-written
 * trim of its end against the regex it replaces, and the story features of the summary that
 * analyse.ts gives storyFeatures (storySummary) against those of the summary itself.
 */
import { deepStrictEqual } from 'node:assert/strict'
import { describe, expect, it } from 'vitest'
import { storySummary } from '../../src/ingest/analyse.js'
import { cutSummaryOf } from '../../src/ingest/cut-summary.js'
import {
  normalizeEntries,
  SUMMARY_MAX,
  trimTrailingPunctuation,
} from '../../src/ingest/normalize.js'
import type { Source } from '../../src/model/types.js'
import { storyFeatures } from '../../src/stories/features.js'

/** Seeded: the same cases every run. */
const randomFrom = (start: number) => {
  let seed = start
  return () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    return seed / 2 ** 32
  }
}

const source: Source = {
  id: 's',
  url: 'https://a.test/feed',
  tags: [],
} as unknown as Source

describe('trimTrailingPunctuation', () => {
  it('removes what /[\\s,;:.–-]+$/ does, on random texts', () => {
    const random = randomFrom(7)
    const chars = [
      'a',
      'Z',
      '1',
      ' ',
      ',',
      ';',
      ':',
      '.',
      '–',
      '—',
      '-',
      '\t',
      '\n',
      '\u00a0',
      '\u3000',
      '\u2026',
      '\ud83d',
      'é',
    ]
    for (let i = 0; i < 5_000; i++) {
      const text = Array.from(
        { length: Math.floor(random() * 12) },
        () => chars[Math.floor(random() * chars.length)],
      ).join('')
      expect(trimTrailingPunctuation(text)).toBe(text.replace(/[\s,;:.–-]+$/, ''))
    }
  })
})

describe('the summary story features read', () => {
  const random = randomFrom(11)
  const words = [
    'Torkham',
    'border',
    'reopens',
    'after',
    '25',
    'days',
    'in',
    'Kabul',
    'at',
    'Chaman',
    'quake',
    'hits',
    '6.8-magnitude',
    'two',
    'wickets',
    'third',
    'round',
    'March',
    'Monday',
    'said',
    'rose',
    'fell',
    '100,000',
    '3.5',
    'Islamabad',
    'police',
    'killed',
    'blast',
    'near',
    'Peshawar',
    'and',
    'but',
    'as',
    '-',
    ',',
    ';',
    ':',
    '.',
    '(',
    ')',
    '?',
    '!',
    'Pakistan',
  ]
  const text = (n: number) =>
    Array.from({ length: n }, () => words[Math.floor(random() * words.length)]).join(' ')

  it('has the features of the summary, for summaries cut from random ASCII texts', () => {
    let cut = 0
    for (let i = 0; i < 400; i++) {
      const summary = `${text(110 + Math.floor(random() * 120))}${['', '.', ',', ' -', '25', ' 3.'][i % 6]}`
      const [item] = normalizeEntries(
        {
          title: 't',
          entries: [{ title: text(8), summary, categories: [], enclosures: [] }],
          recovered: [],
        } as never,
        source,
        new Date('2026-11-20T00:00:00Z'),
        'https://a.test/feed',
      )
      if (!item) throw new Error('no item')
      const head = cutSummaryOf(item)
      if (summary.length > SUMMARY_MAX) {
        expect(head).toBeDefined()
        cut++
      }
      deepStrictEqual(
        storyFeatures(item.title, storySummary(item)),
        storyFeatures(item.title, item.summary ?? ''),
      )
      if (head !== undefined) expect(storySummary(item)).toBe(`${head}...`)
    }
    // Not vacuous: most summaries were cut.
    expect(cut).toBeGreaterThan(300)
  })

  it('is the summary itself when the text is not ASCII or was not cut', () => {
    const long = `${'Zürich hält '.repeat(80)}`
    const [wide, short] = normalizeEntries(
      {
        title: 't',
        entries: [
          { title: 'a', summary: long, categories: [], enclosures: [] },
          { title: 'b', summary: 'short text', categories: [], enclosures: [] },
        ],
        recovered: [],
      } as never,
      source,
      new Date('2026-11-20T00:00:00Z'),
      'https://a.test/feed',
    )
    expect(cutSummaryOf(wide!)).toBeDefined()
    expect(storySummary(wide!)).toBe(wide!.summary)
    expect(cutSummaryOf(short!)).toBeUndefined()
    expect(storySummary(short!)).toBe('short text')
    // A summary changed after normalising is read as it is now.
    const changed = { ...wide!, summary: 'changed' }
    expect(storySummary(changed)).toBe('changed')
  })
})
