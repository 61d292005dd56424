/** wordsOf: the word filter of an item's search text, made without that text (in the analysis worker and the lowdb store alike). */
import { describe, expect, it } from 'vitest'
import type { Item, MatchField, Topic } from '../../src/model/types.js'
import { searchTextOf } from '../../src/store/query.js'
import { compileTopics } from '../../src/topics/compile.js'
import { tagItem } from '../../src/topics/tag.js'
import { htmlToText } from '../../src/topics/text.js'
import {
  beginItemWords,
  coveredWords,
  finishItemWords,
  sameSearchFields,
  wordFilterOfText,
  wordsOf,
} from '../../src/topics/word-filter.js'
import { makeItem } from '../helpers/items.js'
import { belowOf } from '../helpers/random.js'

/** The reference: the filter of the words of the item's whole search text. */
const reference = (item: Item): string => wordFilterOfText(searchTextOf(item))

// ASCII words in any case, digits, separators, whitespace of every kind, entities, and control
// characters whose code | 32 is a digit or a letter's (they separate words all the same).
const ascii = ['Torkham', 'KABUL', 'talks', '3,000', 'a-b', 'x9', ' ', '  ', '\n', '\t', '.', '|']
const odd = [
  '&amp;',
  '&#65;',
  '&lt;b&gt;',
  '\u0010',
  '\u0019',
  '\u001a',
  '@',
  '[',
  '`',
  '{',
  '\u007f',
]
// Characters that take normalizeText's Unicode path: accents, Arabic and Urdu script, a ligature,
// a lone surrogate, a no-break space, a zero-width space, a BOM (whitespace to a collapse, a format
// character to normalisation), and the ellipsis (the one that stays on the ASCII path).
const beyond = ['Türkiye', 'طورخم', 'پاکستان', 'ﬁnal', 'é', '\ud800', '\u00a0', '\u200b', '\ufeff']

const textOf = (next: (n: number) => number, n: number, unicode: boolean): string =>
  Array.from({ length: n }, () => {
    const roll = next(10)
    if (unicode && roll === 0) return beyond[next(beyond.length)]
    if (roll === 1) return odd[next(odd.length)]
    if (roll === 2) return '…'
    return ascii[next(ascii.length)]
  }).join(next(2) === 0 ? ' ' : '')

/** Paragraphs, inline tags and whitespace between them, as a feed's HTML has them. */
const htmlOf = (paragraphs: string[]): string =>
  paragraphs.map((p, k) => (k % 2 ? `<p>${p}</p>\n  ` : `<p><b>${p}</b></p>`)).join('')

describe('wordsOf', () => {
  it('is the filter of the search text for random items (ASCII, Unicode, control characters)', () => {
    const next = belowOf(15)
    for (let round = 0; round < 600; round++) {
      const unicode = round % 3 === 0
      const paragraphs = Array.from({ length: next(4) }, () => textOf(next, next(40), unicode))
      const item = makeItem({
        title: textOf(next, next(12), unicode),
        summary: next(4) === 0 ? undefined : textOf(next, next(30), unicode),
        contentHtml: next(5) === 0 ? undefined : htmlOf(paragraphs),
        categories: Array.from({ length: next(4) }, () => textOf(next, 1 + next(3), unicode)),
      })
      expect(wordsOf(item)).toBe(reference(item))
    }
  })

  it('is that filter when the summary is cut from the content across paragraphs, with or without "…"', () => {
    const next = belowOf(16)
    let covered = 0
    let cutInWord = 0
    for (let round = 0; round < 800; round++) {
      const unicode = round % 4 === 0
      const paragraphs = Array.from({ length: 1 + next(3) }, () =>
        textOf(next, 1 + next(30), unicode),
      )
      const html = htmlOf(paragraphs)
      // A summary made as feeds make one: the content's text, cut, maybe marked with "…".
      const text = htmlToText(html)
      const cut = next(text.length + 1)
      const summary = next(3) === 0 ? text.slice(0, cut) : `${text.slice(0, cut)}…`
      if (/[a-z0-9]$/i.test(text.slice(0, cut)) && /^[a-z0-9]/i.test(text.slice(cut))) cutInWord++
      if (coveredWords(summary, text)) covered++
      const item = makeItem({ title: 'x', summary, contentHtml: html, categories: [] })
      expect(wordsOf(item)).toBe(reference(item))
    }
    expect(covered).toBeGreaterThan(300) // the summaries whose words are not hashed again
    expect(cutInWord).toBeGreaterThan(20) // those with a word of their own (cut within one)
  })

  it('is that filter for items of thousands of distinct words (the table grows mid-field)', () => {
    const next = belowOf(17)
    for (const n of [1, 400, 3000, 9000]) {
      const words = Array.from({ length: n }, (_, k) => `w${k}x${next(100)}`)
      const half = words.slice(0, n >> 1).join(' ')
      const item = makeItem({
        title: `Torkham ${words.slice(0, 50).join(' ')}`,
        summary: 'a summary of its own',
        contentHtml: `<p>${half}</p>\n<p>${words.join('  ')}</p>`,
        categories: ['World', `${words.at(-1)}`],
      })
      expect(wordsOf(item)).toBe(reference(item))
      // The next item starts from an empty set (the table is reused, not cleared).
      const small = makeItem({ title: 'Kabul', summary: 'talks', contentHtml: '<p>Doha</p>' })
      expect(wordsOf(small)).toBe(reference(small))
    }
  })

  it('of an item without content, summary or categories is the filter of its title', () => {
    const item = makeItem({ title: 'Torkham  Kabul', summary: undefined, contentHtml: undefined })
    expect(wordsOf({ ...item, categories: [] })).toBe(wordFilterOfText(' torkham kabul '))
    expect(wordsOf({ ...item, title: '', categories: [] })).toBe('A')
  })
})

/** Topics of single words, phrases of several and prefix terms, read in `fields`. */
const topicsIn = (fields: MatchField[]): Topic[] => [
  {
    id: 'border',
    title: 'Border',
    in: fields,
    match: { any: ['Torkham', 'Torkham talks', 'kab*'] },
  },
  { id: 'numbers', title: 'Numbers', in: fields, match: { any: ['3 000', 'x9', 't*'] } },
]

describe('finishItemWords after tagging with beginItemWords', () => {
  const scopes: MatchField[][] = [
    ['title', 'summary', 'content', 'categories'],
    ['title'],
    ['content'],
    ['summary', 'content'],
  ]
  const compiled = scopes.map((fields) => compileTopics(topicsIn(fields)))

  /** The filter of `item` begun before its tagging, checked against the reference and its topics against tagging alone. */
  const check = (item: Item, round: number): void => {
    const topics = compiled[round % compiled.length]!
    const alone = tagItem(item, topics, [])
    const begun = beginItemWords()
    expect(tagItem(item, topics, [], undefined, begun)).toEqual(alone)
    expect(finishItemWords(item, begun)).toBe(reference(item))
  }

  it('is the filter of the search text, and the topics those of tagging alone, for random items', () => {
    const next = belowOf(18)
    for (let round = 0; round < 600; round++) {
      const unicode = round % 3 === 0
      const paragraphs = Array.from({ length: next(4) }, () => textOf(next, next(40), unicode))
      const html = htmlOf(paragraphs)
      const text = htmlToText(html)
      const cut = next(text.length + 1)
      // A summary of its own, none, or one cut from the content (with or without "…").
      const roll = next(4)
      const summary =
        roll === 0
          ? undefined
          : roll === 1
            ? textOf(next, next(30), unicode)
            : `${text.slice(0, cut)}${roll === 2 ? '…' : ''}`
      check(
        makeItem({
          title: textOf(next, next(12), unicode),
          summary,
          contentHtml: next(5) === 0 ? undefined : html,
          categories: Array.from({ length: next(4) }, () => textOf(next, 1 + next(3), unicode)),
        }),
        round,
      )
    }
  })

  it('is that filter when the table grows in the tagging, and when fields repeat one text', () => {
    const words = Array.from({ length: 9000 }, (_, k) => `w${k}`)
    const text = words.join(' ')
    for (let round = 0; round < compiled.length; round++) {
      check(
        makeItem({
          title: 'Torkham',
          summary: text,
          contentHtml: `<p>${text}</p>`,
          categories: [],
        }),
        round,
      )
      check(makeItem({ title: text, summary: text, contentHtml: text, categories: [text] }), round)
    }
  })

  it('is wordsOf when another filter was made between the tagging and the finish', () => {
    const item = makeItem({ title: 'Torkham talks', summary: 'Kabul', contentHtml: '<p>Doha</p>' })
    const begun = beginItemWords()
    tagItem(item, compiled[0]!, [], undefined, begun)
    expect(wordFilterOfText('other words')).toBe(wordFilterOfText('other words'))
    expect(finishItemWords(item, begun)).toBe(reference(item))
    // A begun filter is finished once: finishing it again makes the whole filter anew.
    expect(finishItemWords(item, begun)).toBe(reference(item))
  })
})

describe('coveredWords', () => {
  it('tells a summary cut from the content, whitespace runs and all, at the end of a word', () => {
    expect(coveredWords('Torkham reopens…', 'Torkham reopens to trade')).toBe(true)
    expect(coveredWords('Torkham reopens…', ' Torkham \n reopens to trade')).toBe(true)
    expect(coveredWords('Torkham reopens', 'Torkham reopens')).toBe(true)
    expect(coveredWords('Torkham reop…', 'Torkham reopens to trade')).toBe(false)
    expect(coveredWords('Torkham reopens…', 'Torkhamreopens to trade')).toBe(false)
    expect(coveredWords('Türkiye…', 'Türkiye hosts')).toBe(false) // not known cheaply
    expect(coveredWords('', 'anything')).toBe(true)
  })
})

describe('sameSearchFields', () => {
  it('holds for copies of an item and fails when a search field differs', () => {
    const item = makeItem({ categories: ['World', 'Trade'] })
    const story: Item = { ...item, clusterId: 'other', topics: ['border'] }
    expect(sameSearchFields(item, story)).toBe(true)
    expect(sameSearchFields(item, { ...item, categories: ['World', 'Trade'] })).toBe(true)
    expect(sameSearchFields(item, { ...item, title: `${item.title}!` })).toBe(false)
    expect(sameSearchFields(item, { ...item, summary: undefined })).toBe(false)
    expect(sameSearchFields(item, { ...item, contentHtml: `${item.contentHtml} ` })).toBe(false)
    expect(sameSearchFields(item, { ...item, categories: ['World'] })).toBe(false)
    expect(sameSearchFields(item, { ...item, categories: ['World', 'trade'] })).toBe(false)
  })
})
