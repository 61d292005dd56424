/** Hashing helpers for ids, content hashes and validators. */
import * as crypto from 'node:crypto'

type Encoding = 'hex' | 'base64url'

/** crypto.hash (Node 20.12+): one call, no Hash object, about half the cost for short texts. */
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: string) => string | Buffer })
  .hash

/**
 * The digest of a UTF-8 string: the same bytes as `createHash(algorithm).update(text).digest(…)`.
 * @example digest('sha1', 'x', 'hex') // '11f6ad8ec52a2984abaafd7c3b516503785c2072'
 */
export function digest(algorithm: string, text: string, encoding: Encoding): string
export function digest(algorithm: string, text: string, encoding: 'buffer'): Buffer
export function digest(algorithm: string, text: string, encoding: Encoding | 'buffer') {
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

/** {@link stableUuid} as it was written first (from the digest's bytes), for the tests that compare the two. */
export const stableUuidFromBytes = (parts: readonly string[]): string => {
  const b = digest('sha256', parts.join('\u001f'), 'buffer')
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x50
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80
  const h = b.subarray(0, 16).toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}
