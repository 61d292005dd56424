/** Hashing helpers for ids, content hashes and validators. */
import * as crypto from 'node:crypto'

type Encoding = 'hex' | 'base64url'

/** crypto.hash (Node 20.12+): one call, no Hash object, about half the cost for short texts. */
const oneShot = (
  crypto as { hash?: (alg: string, data: string | Uint8Array, enc: string) => string | Buffer }
).hash

/**
 * The digest of a UTF-8 string (or of bytes): the same as `createHash(algorithm).update(text).digest(…)`.
 * @example digest('sha1', 'x', 'hex') // '11f6ad8ec52a2984abaafd7c3b516503785c2072'
 */
export function digest(algorithm: string, text: string | Uint8Array, encoding: Encoding): string
export function digest(algorithm: string, text: string | Uint8Array, encoding: 'buffer'): Buffer
export function digest(
  algorithm: string,
  text: string | Uint8Array,
  encoding: Encoding | 'buffer',
) {
  if (oneShot) return oneShot(algorithm, text, encoding)
  const h = crypto.createHash(algorithm).update(text)
  return encoding === 'buffer' ? h.digest() : h.digest(encoding)
}

/** sha256 of a string, hex. */
export const sha256Hex = (text: string): string => digest('sha256', text, 'hex')

/**
 * A UUID (version 5 layout, sha256-based) derived from the given parts: stable for ever for the
 * same inputs, valid as an Atom id (`urn:uuid:…`), an RSS guid and a JSON Feed id.
 * @example stableUuid(['dawn', 'https://dawn.com/news/1']) // '8b487282-65db-592e-98b7-a7241486fabb'
 */
export const stableUuid = (parts: readonly string[]): string => {
  // The first 16 bytes of the digest, from its hex: the version nibble (byte 6's high one) is 5,
  // the variant (byte 8's two high bits) 10. Read as hex, not as a Buffer: the Buffer and its
  // hex copy cost ~3× the digest of a short text (normalize.ts makes one id an item).
  const h = digest('sha256', parts.join('\u001f'), 'hex')
  const variant = VARIANT_DIGITS[h.charCodeAt(16)] as string
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/** By char code of a hex digit d: the hex digit of `(d & 0x3) | 0x8` (the UUID variant bits). */
const VARIANT_DIGITS: readonly string[] = (() => {
  const out: string[] = []
  for (const d of '0123456789abcdef')
    out[d.charCodeAt(0)] = ((Number.parseInt(d, 16) & 0x3) | 0x8).toString(16)
  return out
})()

/** Where {@link digestOfPieces} writes its UTF-8 (64 KB; longer texts go as one string). */
let scratch: Buffer | undefined
const SCRATCH_BYTES = 1 << 16
/** Pieces up to this length are written a character at a time when ASCII (no call into C++). */
const SHORT_PIECE = 16

/**
 * `digest(algorithm, pieces.join(''), encoding)`, without the joined string: each piece's UTF-8
 * written in turn into one scratch buffer, which is hashed. Joined, one piece beyond Latin-1 (a
 * summary cut with `…`) makes the whole text two bytes a character, copied once to join it and
 * converted once more to hash it, and a slice of a document is copied out of it; here pieces of
 * one byte a character stay so and a slice is read where it is. A piece that ends in half a
 * surrogate pair (the pair split between two pieces) goes the joined way, as does a text too long
 * for the buffer.
 * @example digestOfPieces('sha1', ['ctx', entryXml], 'base64url') === digest('sha1', `ctx${entryXml}`, 'base64url')
 */
export const digestOfPieces = (
  algorithm: string,
  pieces: readonly string[],
  encoding: Encoding,
): string => {
  let chars = 0
  for (const p of pieces) {
    chars += p.length
    const last = p.charCodeAt(p.length - 1)
    if (last >= 0xd800 && last <= 0xdbff) return digest(algorithm, pieces.join(''), encoding)
  }
  // A UTF-16 code unit is at most three bytes of UTF-8.
  if (chars * 3 > SCRATCH_BYTES) return digest(algorithm, pieces.join(''), encoding)
  scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES)
  const buf = scratch
  let n = 0
  for (const p of pieces) {
    if (p.length <= SHORT_PIECE) {
      let k = 0
      for (; k < p.length; k++) {
        const c = p.charCodeAt(k)
        if (c >= 0x80) break
        buf[n + k] = c
      }
      if (k === p.length) {
        n += k
        continue
      }
    }
    n += buf.write(p, n)
  }
  return digest(algorithm, buf.subarray(0, n), encoding)
}

/**
 * `sha256Hex(pieces.join(''))` (see {@link digestOfPieces}).
 * @example sha256HexOfPieces(['Torkham', '\u001f', 'reopens …']) === sha256Hex('Torkham\u001freopens …')
 */
export const sha256HexOfPieces = (pieces: readonly string[]): string =>
  digestOfPieces('sha256', pieces, 'hex')
