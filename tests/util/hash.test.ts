import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { digest, sha256Hex, stableUuid } from '../../src/util/hash.js'

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
