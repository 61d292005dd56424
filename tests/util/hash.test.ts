import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  digest,
  digestOfPieces,
  sha256Hex,
  sha256HexOfPieces,
  stableUuid,
} from '../../src/util/hash.js'
import { mulberry32 } from '../helpers/random.js'

/** {@link stableUuid} as it was written first, from the digest's bytes: the oracle of its test. */
const stableUuidFromBytes = (parts: readonly string[]): string => {
  const b = digest('sha256', parts.join('\u001f'), 'buffer')
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x50
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80
  const h = b.subarray(0, 16).toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}

describe('digest', () => {
  it.each(['', 'x', 'Torkham reopens', 'طورخم کراسنگ', 'a\u001fb'.repeat(500)])(
    'gives the bytes createHash gives for %j',
    (text) => {
      for (const alg of ['sha1', 'sha256']) {
        const h = () => createHash(alg).update(text)
        expect(digest(alg, text, 'hex')).toBe(h().digest('hex'))
        expect(digest(alg, text, 'base64url')).toBe(h().digest('base64url'))
        expect(digest(alg, text, 'buffer').equals(h().digest())).toBe(true)
      }
    },
  )
})

describe('stableUuid and sha256Hex', () => {
  it('keep the values stored ids were made with', () => {
    // Computed with createHash before digest existed: a changed id would orphan stored items.
    expect(stableUuid(['dawn', 'https://dawn.com/news/1'])).toBe(
      '8b487282-65db-592e-98b7-a7241486fabb',
    )
    expect(sha256Hex('x')).toBe('2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881')
  })
})

describe('stableUuid', () => {
  it('equals the id made from the digest bytes, on random parts', () => {
    // The nibble the variant comes from takes all 16 values in 2,000 ids (each variant digit shows).
    const variants = new Set<string>()
    const random = mulberry32(7)
    const chars = 'aZ09/:.-_ \u001f\u00e9\u2026\u0637'
    const part = () =>
      Array.from(
        { length: Math.floor(random() * 40) },
        () => chars[Math.floor(random() * chars.length)],
      ).join('')
    for (let i = 0; i < 2_000; i++) {
      const parts = Array.from({ length: 1 + Math.floor(random() * 3) }, part)
      const id = stableUuid(parts)
      expect(id).toBe(stableUuidFromBytes(parts))
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      variants.add(id.charAt(19))
    }
    expect(variants.size).toBe(4)
  })
})

describe('sha256HexOfPieces', () => {
  it('equals sha256Hex of the pieces joined, on random pieces', () => {
    const random = mulberry32(11)
    // ASCII, Latin-1, beyond it, a pair's halves (whole or split between pieces), lone halves.
    const chars = [
      'a',
      ' ',
      '\u001f',
      '\u00e9',
      '\u00ff',
      '\u2026',
      '\u0637',
      '\ud83d',
      '\ude00',
      '\ud83d\ude00',
    ]
    const piece = () => {
      const long = random() < 0.05
      const length = Math.floor(random() * (long ? 30_000 : 24))
      let s = ''
      for (let i = 0; i < length; i++) s += chars[Math.floor(random() * (long ? 4 : chars.length))]
      return s
    }
    for (let i = 0; i < 3_000; i++) {
      const pieces = Array.from({ length: Math.floor(random() * 8) }, piece)
      expect(sha256HexOfPieces(pieces)).toBe(sha256Hex(pieces.join('')))
      expect(digestOfPieces('sha1', pieces, 'base64url')).toBe(
        digest('sha1', pieces.join(''), 'base64url'),
      )
    }
  })

  it('hashes a text past its buffer and a pair split between pieces as one string', () => {
    const long = ['\u2026'.repeat(30_000), 'x']
    expect(sha256HexOfPieces(long)).toBe(sha256Hex(long.join('')))
    expect(sha256HexOfPieces(['a\ud83d', '\ude00b'])).toBe(sha256Hex('a\ud83d\ude00b'))
    expect(sha256HexOfPieces([])).toBe(sha256Hex(''))
  })
})
