/** Hashing helpers for ids, content hashes and validators. */
import { createHash } from 'node:crypto'

/** sha256 of a string, hex. */
export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex')

/**
 * A UUID (version 5 layout, sha256-based) derived from the given parts: stable for ever for the
 * same inputs, valid as an Atom id (`urn:uuid:…`), an RSS guid and a JSON Feed id.
 * @example stableUuid(['dawn', 'https://dawn.com/news/1']) // '3f1c…-…'
 */
export const stableUuid = (parts: readonly string[]): string => {
  const b = createHash('sha256').update(parts.join('\u001f')).digest()
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x50
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80
  const h = b.subarray(0, 16).toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}
