import { describe, expect, it } from 'vitest'
import { MATCH_FIELDS, type MatchField, type Topic } from '../../src/model/types.js'
import { compileTopics } from '../../src/topics/compile.js'
import { type PhraseHits, scanTokens } from '../../src/topics/phrase-index.js'
import { type MatchableItem, prepareItem } from '../../src/topics/prepare.js'
import {
  collapseWhitespace,
  contentText,
  htmlToText,
  summaryWordsIn,
  tokenize,
} from '../../src/topics/text.js'
import { seeded } from '../helpers/random.js'

const sorted = (hits: PhraseHits): [number, number[]][] =>
  [...hits.entries()].sort((a, b) => a[0] - b[0])

/** What prepareItem gave each field when it tokenised every field and scanned the tokens. */
const reference = (item: MatchableItem, field: MatchField): { text: string; tokens: string[] } => {
  switch (field) {
    case 'title':
      return { text: collapseWhitespace(item.title), tokens: tokenize(item.title) }
    case 'summary':
      return { text: collapseWhitespace(item.summary ?? ''), tokens: tokenize(item.summary ?? '') }
    case 'content': {
      const text = htmlToText(item.contentHtml ?? '')
      return { text, tokens: tokenize(text) }
    }
    case 'categories': {
      const tokens: string[] = []
      for (const c of item.categories) {
        if (tokens.length > 0) tokens.push('')
        tokens.push(...tokenize(c))
      }
      return { text: item.categories.map(collapseWhitespace).join('\n'), tokens }
    }
  }
}

describe('prepareItem', () => {
  it('gives every field the text, words and phrase hits of tokenising it, on random items', () => {
    const next = seeded(1404)
    const words = [
      'Torkham',
      'torkham',
      'CHAMAN',
      'border',
      'Kabul',
      'talks',
      'Doha',
      'x1',
      'dohas',
    ]
    // Separators of every kind the fields meet: ASCII and other whitespace (a no-break space, a
    // BOM, which normalisation removes where collapsing makes it a space), tags, entities.
    const glue = [' ', ' ', '  ', '\n', '\t', '-', '…', '\u00a0', '\ufeff', ', ', '’']
    const markup = [
      '<p>',
      '</p>',
      '<b>',
      '</b>',
      '&amp;',
      '&nbsp;',
      '&#8217;',
      '<br/>',
      '<!-- c -->',
    ]
    const text = (html: boolean): string => {
      let s = ''
      for (let k = next() % 12; k > 0; k--) {
        s += words[next() % words.length]
        s += html && next() % 3 === 0 ? markup[next() % markup.length] : glue[next() % glue.length]
      }
      return s
    }
    const topics: Topic[] = [
      { id: 'a', title: 'A', match: { any: ['Torkham', 'Chaman border'] }, in: [...MATCH_FIELDS] },
      {
        id: 'b',
        title: 'B',
        match: { any: ['Torkh*', 'Kabul talks', 'dohas x1 border'] },
        in: [...MATCH_FIELDS],
      },
    ]
    const compiled = compileTopics(topics)
    let hits = 0
    for (let n = 0; n < 1_500; n++) {
      const item: MatchableItem = {
        title: text(false),
        summary: text(false),
        contentHtml: text(true),
        categories: Array.from({ length: next() % 3 }, () => text(false)),
      }
      const p = prepareItem(item, compiled)
      for (const field of compiled.fields) {
        const want = reference(item, field)
        const got = p.fields[field]
        const label = `${field}: ${JSON.stringify(item)}`
        expect(got?.text, label).toBe(want.text)
        expect(got?.tokens, label).toEqual(want.tokens)
        const expected: PhraseHits = new Map()
        scanTokens(want.tokens, compiled.index, expected)
        expect(sorted(p.hits[field]), label).toEqual(sorted(expected))
        for (const id of expected.keys()) expect(p.seen[id], label).toBe(1)
        hits += expected.size
      }
    }
    expect(hits).toBeGreaterThan(1_000)
  })

  it('gives a summary cut from the content the hits of scanning it (made from the content’s)', () => {
    const next = seeded(77)
    const words = ['Torkham', 'torkham', 'Chaman', 'border', 'Kabul', 'talks', 'dohas', 'x1', 'b']
    const glue = [' ', '  ', '\n', ', ', '-', '. ', ' (', ') ']
    const markup = ['<p>', '</p>', '<b>', '</b>', '&amp;', '<br/>']
    const topics: Topic[] = [
      { id: 'a', title: 'A', match: { any: ['Torkham', 'Chaman border'] }, in: [...MATCH_FIELDS] },
      {
        id: 'b',
        title: 'B',
        match: { any: ['Torkh*', 'Kabul talks', 'dohas x1 border', 'border kab*'] },
        in: [...MATCH_FIELDS],
      },
    ]
    const compiled = compileTopics(topics)
    let derived = 0
    let hits = 0
    for (let n = 0; n < 3_000; n++) {
      let html = ''
      for (let k = next() % 16; k > 0; k--) {
        html += words[next() % words.length]
        html += next() % 3 === 0 ? markup[next() % markup.length] : glue[next() % glue.length]
      }
      // The content's text cut anywhere (at a word's end or inside one), whitespace collapsed or
      // not, an ellipsis or not: mostly a summary normalize.ts could make, sometimes not.
      const whole = next() % 2 ? htmlToText(html) : contentText(html).text
      const cut = whole.slice(0, next() % (whole.length + 1))
      const summary = next() % 2 ? `${cut}…` : cut
      const item: MatchableItem = { title: 'Talks', summary, contentHtml: html, categories: [] }
      if (summaryWordsIn(summary, contentText(html)) >= 0) derived++
      const p = prepareItem(item, compiled)
      const expected: PhraseHits = new Map()
      scanTokens(tokenize(summary), compiled.index, expected)
      const label = JSON.stringify(item)
      expect(sorted(p.hits.summary), label).toEqual(sorted(expected))
      expect(p.fields.summary?.tokens, label).toEqual(tokenize(summary))
      hits += expected.size
    }
    expect(derived).toBeGreaterThan(1_000)
    expect(hits).toBeGreaterThan(1_000)
  })
})
