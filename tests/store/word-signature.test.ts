import { describe, expect, it } from 'vitest'
import {
  signatureBits,
  WORD_SIG_BITS,
  wordSignature,
} from '../../src/store/postgres/word-signature.js'
import { seeded } from '../helpers/random.js'

const bits = (sig: string): bigint => BigInt(`0x${sig.slice(1)}`)

describe('wordSignature', () => {
  it("is PostgreSQL's hexadecimal input of a bit string of WORD_SIG_BITS bits", () => {
    const sig = wordSignature(['torkham', 'طورخم'])
    expect(sig).toMatch(new RegExp(`^X[0-9a-f]{${WORD_SIG_BITS / 4}}$`))
    expect(wordSignature([])).toBe(`X${'0'.repeat(WORD_SIG_BITS / 4)}`)
  })

  it('holds the bits of every subset of its words (a row is never skipped for a word it has), and a word sets one or two bits', () => {
    const next = seeded(7)
    const random = () => next() / 65_536
    const vocab = Array.from(
      { length: 2_000 },
      (_, i) => `w${i}${String.fromCharCode(0x600 + (i % 200))}`,
    )
    for (let round = 0; round < 200; round++) {
      const words = Array.from(
        { length: 1 + Math.floor(random() * 250) },
        () => vocab[Math.floor(random() * vocab.length)]!,
      )
      const row = bits(wordSignature(words))
      const some = words.filter(() => random() < 0.1)
      const mask = bits(wordSignature(some))
      expect(row & mask).toBe(mask)
      const one = bits(wordSignature([words[0]!]))
      expect(one.toString(2).replaceAll('0', '').length).toBeGreaterThanOrEqual(1)
      expect(one.toString(2).replaceAll('0', '').length).toBeLessThanOrEqual(2)
    }
  })

  it('signatureBits lists the bits wordSignature sets, ascending, numbered from the left (get_bit order)', () => {
    for (const words of [[], ['torkham'], ['torkham', 'طورخم', 'crossing'], ['a', 'a']]) {
      const sig = wordSignature(words)
      const set = [...sig.slice(1)]
        .flatMap((d) => [...Number.parseInt(d, 16).toString(2).padStart(4, '0')])
        .flatMap((b, i) => (b === '1' ? [i] : []))
      expect(signatureBits(words)).toEqual(set)
    }
    expect(signatureBits(['torkham']).length).toBeGreaterThanOrEqual(1)
  })

  it('tells words apart: most one-word masks are not inside the signature of 200 other words', () => {
    const others = Array.from({ length: 200 }, (_, i) => `word${i}`)
    const row = bits(wordSignature(others))
    const falseMatches = Array.from({ length: 1_000 }, (_, i) =>
      bits(wordSignature([`other${i}`])),
    ).filter((m) => (row & m) === m).length
    expect(falseMatches).toBeLessThan(250)
  })
})
