/** createLeanMatcher answers as compileTerms on the whole text, from distinct words and whole items read on demand. */
import { describe, expect, it } from 'vitest'
import type { Item, SearchTerms } from '../../../src/model/types.js'
import { isLean, leanItem, wholeAgain } from '../../../src/store/lowdb/lean-item.js'
import { createLeanMatcher } from '../../../src/store/lowdb/lean-matcher.js'
import { compileTerms, searchTextOf } from '../../../src/store/query.js'
import {
  coveredWords,
  mayHave,
  probeOf,
  wordFilter,
  wordFilterOfText,
  wordsOf,
} from '../../../src/topics/word-filter.js'
import { makeItem } from '../../helpers/items.js'
import { belowOf } from '../../helpers/random.js'

const items: Item[] = [
  makeItem({
    title: 'Durand Line talks resume',
    summary: 'Envoys met in Doha.',
    contentHtml: '<p>The <b>border</b> at Torkham reopened; cricket later.</p>',
    categories: ['World News'],
  }),
  makeItem({
    title: 'Line of Durand? No: Torkham trade',
    summary: 'x'.repeat(300),
    contentHtml: '<p>Kabul sent traders to Peshawar.</p>',
  }),
  makeItem({
    title: 'Türkiye hosts envoys',
    summary: 'Istanbul talks on the TTP.',
    contentHtml: undefined,
    categories: ['world'],
  }),
  makeItem({ title: 'پاکستان اور افغانستان', summary: 'طورخم', contentHtml: '<p>بارڈر</p>' }),
]

const termSets: SearchTerms[] = [
  { include: ['torkham'], exclude: [] },
  { include: ['durand line'], exclude: [] },
  { include: ['line durand'], exclude: [] },
  { include: ['torkh'], exclude: [] },
  { include: [], exclude: ['cricket'] },
  { include: [], exclude: ['kabul sent'] },
  { include: ['torkham'], exclude: ['doha envoys'] },
  { include: ['turkiye'], exclude: [] },
  { include: ['world news'], exclude: [] },
  { include: ['--'], exclude: [] },
  { include: ['طورخم'], exclude: [] },
  { include: [], exclude: [], scoped: [{ field: 'title', term: 'torkham', exclude: false }] },
  { include: [], exclude: [], scoped: [{ field: 'content', term: 'torkham', exclude: true }] },
  {
    include: ['talks'],
    exclude: ['ttp'],
    scoped: [{ field: 'categories', term: 'world', exclude: false }],
  },
]

describe('createLeanMatcher', () => {
  const words = new Map(items.map((i) => [i.id, wordsOf(i)]))
  const byId = new Map(items.map((i) => [i.id, i]))
  const reads: string[] = []
  const textOf = (i: Item): string => {
    reads.push(i.id)
    return searchTextOf(byId.get(i.id)!)
  }
  const matcher = createLeanMatcher((i) => words.get(i.id), textOf)

  it.each(termSets.map((t) => [JSON.stringify(t), t] as const))(
    'agrees with compileTerms on the whole text: %s',
    (_, terms) => {
      const exact = compileTerms(terms)
      const test = matcher(terms)
      for (const item of items) expect(test(leanItem(item))).toBe(exact(searchTextOf(item)))
    },
  )

  it('reads a whole item only when its word filter cannot rule the item out', () => {
    reads.length = 0
    for (const item of items) matcher({ include: [], exclude: ['cricket'] })(leanItem(item))
    expect(reads).toEqual([items[0]!.id])
    reads.length = 0
    for (const item of items) matcher({ include: ['peshawar'], exclude: [] })(leanItem(item))
    expect(reads).toEqual([items[1]!.id])
  })
})

describe('wordFilter', () => {
  it('never misses a word it holds, and rules out most words it does not', () => {
    const held = Array.from({ length: 300 }, (_, k) => `word${k}`)
    const filter = wordFilter(held)
    for (const w of held) expect(mayHave(filter, probeOf(w))).toBe(true)
    const others = Array.from({ length: 2000 }, (_, k) => `other${k}`)
    const wrong = others.filter((w) => mayHave(filter, probeOf(w))).length
    expect(wrong).toBeLessThan(60) // about 1%
    expect(filter.length).toBe(500) // 10 bits a word, 6 a character
  })

  it('writes the text that index files already hold (its format is on disk)', () => {
    expect(wordFilter(['torkham', 'kabul', 'trade', 'doha', 'islamabad'])).toBe('oS5HdaSyF')
    expect(wordFilter([])).toBe('A')
  })

  it('sets the bits (a + k·b) mod size of every word, as mayHave reads them, at every size', () => {
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    // The filter as first written (a floating-point remainder per probe): index files hold these.
    const reference = (words: string[]): string => {
      const list = [...new Set(words)]
      const cells = new Uint8Array(Math.max(1, Math.ceil((list.length * 10) / 6)))
      const bits = cells.length * 6
      for (const w of list) {
        const [a, b] = probeOf(w)
        for (let k = 0; k < 7; k++) {
          const bit = (a + k * b) % bits
          cells[Math.floor(bit / 6)]! |= 1 << (bit % 6)
        }
      }
      return Array.from(cells, (c) => ALPHABET[c]).join('')
    }
    for (const n of [1, 2, 3, 7, 50, 333, 4000]) {
      const words = Array.from({ length: n }, (_, k) => `w${(k * 7919) % 100_003}ördé${k % 13}`)
      expect(wordFilter(words)).toBe(reference(words))
    }
  })

  it('of a text, is the filter of its words split on single spaces, without empty words and |', () => {
    expect(wordFilterOfText(' torkham | kabul  trade | doha islamabad kabul ')).toBe('oS5HdaSyF')
    expect(wordFilterOfText('')).toBe('A')
    expect(wordFilterOfText(' | |  ')).toBe('A')
    // Random texts of repeated words (some words '|'-like, non-ASCII, a lone surrogate), in turn
    // with texts of thousands of distinct words: the table that tells words apart grows and is
    // reused between texts.
    const next = belowOf(7)
    const vocabulary = ['|', '||', 'a|b', 'é', 'دوحه', '\ud800', 'x', 'trade', 'Kabul']
    for (let round = 0; round < 300; round++) {
      const distinct = round % 50 === 0 ? 5000 : 1 + next(400)
      const words = Array.from({ length: distinct * 2 }, () =>
        next(10) === 0 ? (vocabulary[next(vocabulary.length)] ?? '') : `w${next(distinct)}`,
      )
      const text = words.map((w) => (next(8) === 0 ? ` ${w}` : w)).join(' ')
      const reference = wordFilter(text.split(' ').filter((w) => w !== '' && w !== '|'))
      expect(wordFilterOfText(text)).toBe(reference)
    }
  })
})

describe('wordsOf', () => {
  it("is the filter of the item's search text, whatever its fields hold", () => {
    const next = belowOf(11)
    // ASCII words in any case, separators, an ellipsis (the ASCII path), and characters that take
    // normalizeText's Unicode path (accents, Arabic, Urdu, a ligature, a lone surrogate, '|').
    const pieces = ['Torkham', 'KABUL', 'talks', '3,000', 'a-b', '…', ' ', '  ', '|', '.', '\n']
    const beyond = ['Türkiye', 'طورخم', 'ﬁnal', 'é', '\ud800', 'İstanbul', 'پاکستان', '\u200b']
    const text = (n: number, unicode: boolean) =>
      Array.from({ length: n }, () =>
        unicode && next(6) === 0 ? beyond[next(beyond.length)] : pieces[next(pieces.length)],
      ).join(next(2) === 0 ? ' ' : '')
    for (let round = 0; round < 400; round++) {
      const unicode = round % 3 === 0
      const item = makeItem({
        title: text(next(12), unicode),
        summary: next(4) === 0 ? undefined : text(next(60), unicode),
        contentHtml:
          next(3) === 0 ? undefined : `<p>${text(next(80), unicode)}</p><b>${text(3, unicode)}</b>`,
        categories: Array.from({ length: next(3) }, () => text(1 + next(3), unicode)),
      })
      expect(wordsOf(item)).toBe(wordFilterOfText(searchTextOf(item)))
    }
    for (const item of items) expect(wordsOf(item)).toBe(wordFilterOfText(searchTextOf(item)))
  })

  it('is that filter too when the summary is cut from the content, at a word or within one', () => {
    const next = belowOf(3)
    const pieces = ['Torkham', 'kabul', 'TALKS', '42', 'reopens', ' ', ', ', '. ', '…', 'é', '-']
    let cutInWord = 0
    for (let round = 0; round < 600; round++) {
      const text = Array.from({ length: 1 + next(40) }, () => pieces[next(pieces.length)]).join('')
      const cut = next(text.length + 1)
      const summary = next(3) === 0 ? text.slice(0, cut) : `${text.slice(0, cut)}…`
      if (/[a-z0-9]$/i.test(text.slice(0, cut)) && /^[a-z0-9]/i.test(text.slice(cut))) cutInWord++
      const item = makeItem({ title: 'x', summary, contentHtml: `<p>${text}</p>`, categories: [] })
      expect(wordsOf(item)).toBe(wordFilterOfText(searchTextOf(item)))
    }
    expect(cutInWord).toBeGreaterThan(20) // the cases whose summary has a word of its own
    expect(coveredWords('Torkham reopens…', 'Torkham reopens to trade')).toBe(true)
    expect(coveredWords('Torkham reop…', 'Torkham reopens to trade')).toBe(false)
    expect(coveredWords('Türkiye…', 'Türkiye hosts')).toBe(false) // not known cheaply
  })
})

describe('leanItem', () => {
  it('keeps what queries and upserts read, not the body, and marks it lean', () => {
    const item = { ...items[0]!, topics: ['border'] }
    const lean = leanItem(item)
    expect(isLean(lean)).toBe(true)
    expect(Object.isFrozen(lean)).toBe(true)
    const { summary, contentHtml, url, guid, author, categories, enclosures, ...kept } = item
    expect({ ...lean }).toMatchObject({ ...kept, categories: [], enclosures: [] })
    expect(lean.contentHtml).toBeUndefined()
    expect(lean.summary).toBeUndefined()
    expect(JSON.parse(JSON.stringify(lean))).not.toHaveProperty('url')
  })

  it('gives back the whole item a change built from a lean copy stands for', () => {
    const old = { ...items[1]!, clusterReason: { via: 'url' as const, matchedId: 'x' } }
    const retagged = { ...leanItem(old), topics: ['trade'], clusterId: 'story-2' }
    const { clusterReason: _r, ...changed } = retagged
    expect(wholeAgain(old, changed)).toEqual({
      ...items[1]!,
      topics: ['trade'],
      clusterId: 'story-2',
    })
    expect(wholeAgain(old, retagged)).toEqual({ ...old, topics: ['trade'], clusterId: 'story-2' })
  })
})
