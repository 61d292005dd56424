import { describe, expect, it } from 'vitest'
import {
  buildPhraseIndex,
  internPhrase,
  type PhraseHits,
  type PhraseSpec,
  scanAsciiText,
  scanTokens,
} from '../../src/topics/phrase-index.js'
import { takesAsciiPath, tokenize } from '../../src/topics/text.js'
import { seeded } from '../helpers/random.js'

/** Every phrase tried at every position: what scanTokens must find, without its index. */
const naiveHits = (tokens: readonly string[], phrases: readonly PhraseSpec[]): PhraseHits => {
  const hits: PhraseHits = new Map()
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === '') continue
    for (const p of phrases) {
      const last = p.tokens.length - 1
      const at = p.tokens.every((want, j) => {
        const t = tokens[i + j]
        return t !== undefined && (j === last && p.prefix ? t.startsWith(want) : t === want)
      })
      if (!at) continue
      const list = hits.get(p.id) ?? []
      if (list.at(-1) !== i) list.push(i)
      hits.set(p.id, list)
    }
  }
  return hits
}

const sorted = (hits: PhraseHits): [number, number[]][] =>
  [...hits.entries()].sort((a, b) => a[0] - b[0])

describe('scanTokens', () => {
  it('finds what trying every phrase at every position finds, on random phrases and texts', () => {
    const next = seeded(2112)
    // Few letters and lengths from 1 to 40: tokens often share a first letter and a length with
    // an indexed word without being it, and some pass the 31 characters of the shape filter.
    const letters = 'abkzé1'
    const word = (): string => {
      const n = 1 + (next() % 6 === 0 ? next() % 40 : next() % 5)
      return Array.from({ length: n }, () => letters[next() % letters.length]).join('')
    }
    for (let round = 0; round < 300; round++) {
      const interned = new Map<string, PhraseSpec>()
      for (let k = 0; k < 1 + (next() % 12); k++) {
        const tokens = Array.from({ length: 1 + (next() % 3) }, word)
        internPhrase(interned, tokens, next() % 4 === 0)
      }
      const phrases = [...interned.values()]
      const index = buildPhraseIndex(phrases)
      const pool = [...phrases.flatMap((p) => p.tokens), '']
      const tokens = Array.from({ length: next() % 60 }, () =>
        next() % 2 === 0 ? (pool[next() % pool.length] as string) : word(),
      )
      const hits: PhraseHits = new Map()
      scanTokens(tokens, index, hits)
      expect(sorted(hits), tokens.join(' ')).toEqual(sorted(naiveHits(tokens, phrases)))
    }
  })

  it('looks up long first words and words that start beyond ASCII', () => {
    const interned = new Map<string, PhraseSpec>()
    const long = 'internationalisationalisationalism'
    const a = internPhrase(interned, [long, 'treaty'], false)
    const b = internPhrase(interned, ['پاکستان'], false)
    const index = buildPhraseIndex(interned.values())
    const hits: PhraseHits = new Map()
    scanTokens(['the', long, 'treaty', 'پاکستان', `${long}s`, 'treaty'], index, hits)
    expect(sorted(hits)).toEqual([
      [a.id, [1]],
      [b.id, [3]],
    ])
  })
})

describe('scanAsciiText', () => {
  it('finds what scanTokens finds in the words of tokenize, on random phrases and ASCII texts', () => {
    const next = seeded(1414)
    // Letters of both cases, digits, separators and the ellipsis (the one character beyond ASCII
    // the ASCII path reads); words up to 40 characters, past the shape filter's 31.
    const letters = 'abkzAKZ19'
    const separators = [' ', ' ', '-', '.', "'", '\t', '…', '_', '@', '[', '`', '{', '/', ':']
    const word = (): string => {
      const n = 1 + (next() % 6 === 0 ? next() % 40 : next() % 5)
      return Array.from({ length: n }, () => letters[next() % letters.length]).join('')
    }
    let hitsFound = 0
    let tokensAsked = 0
    for (let round = 0; round < 400; round++) {
      const interned = new Map<string, PhraseSpec>()
      for (let k = 0; k < 1 + (next() % 12); k++) {
        const tokens = tokenize(Array.from({ length: 1 + (next() % 3) }, word).join(' '))
        if (tokens.length > 0) internPhrase(interned, tokens, next() % 4 === 0)
      }
      const index = buildPhraseIndex(interned.values())
      const pool = [...interned.values()].flatMap((p) => p.tokens)
      let text = separators[next() % separators.length] as string
      for (let k = next() % 40; k > 0; k--) {
        const w =
          next() % 2 === 0 && pool.length > 0 ? (pool[next() % pool.length] as string) : word()
        // Indexed words written in capitals too: the scan lower-cases as tokenize does.
        text += next() % 3 === 0 ? w.toUpperCase() : w
        text += separators[next() % separators.length]
      }
      expect(takesAsciiPath(text)).toBe(true)
      const tokens = tokenize(text)
      const expected: PhraseHits = new Map()
      scanTokens(tokens, index, expected)
      let asked = false
      const got =
        scanAsciiText(text, index, () => {
          asked = true
          return tokens
        }) ?? new Map()
      expect(sorted(got), text).toEqual(sorted(expected))
      hitsFound += expected.size
      if (asked) tokensAsked++
    }
    // The cases reach both the hits and the phrases of several words.
    expect(hitsFound).toBeGreaterThan(100)
    expect(tokensAsked).toBeGreaterThan(10)
  })

  it('gives no hits (undefined) for a text none of whose words starts a phrase', () => {
    const interned = new Map<string, PhraseSpec>()
    internPhrase(interned, ['torkham'], false)
    internPhrase(interned, ['afghan'], true)
    const index = buildPhraseIndex(interned.values())
    expect(scanAsciiText('Trade resumed at Chaman… Talks', index, () => [])).toBeUndefined()
    expect(
      sorted(scanAsciiText('TORKHAM, Afghans… torkham', index, () => []) ?? new Map()),
    ).toEqual([
      [0, [0, 2]],
      [1, [1]],
    ])
  })
})
