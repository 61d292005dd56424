/** Bytes → text: the charset from the BOM, the HTTP header, the XML declaration or the bytes. */
import { isAscii, isUtf8 } from 'node:buffer'
import iconv from 'iconv-lite'

/** The decoded document and the charset that was used (lower-case WHATWG-style label). */
export interface DecodedBody {
  text: string
  encoding: string
}

const BOMS: ReadonlyArray<readonly [number[], string]> = [
  [[0xef, 0xbb, 0xbf], 'utf-8'],
  [[0xff, 0xfe, 0x00, 0x00], 'utf-32le'],
  [[0x00, 0x00, 0xfe, 0xff], 'utf-32be'],
  [[0xff, 0xfe], 'utf-16le'],
  [[0xfe, 0xff], 'utf-16be'],
]

/**
 * A leading `<` in a wide encoding, for documents without a BOM (XML 1.0, appendix F): the NUL
 * bytes around it give the width and the byte order away.
 */
const wideWithoutBom = (b: Uint8Array): string | undefined => {
  if (b[0] === 0x3c && b[1] === 0 && b[2] === 0 && b[3] === 0) return 'utf-32le'
  if (b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === 0x3c) return 'utf-32be'
  if (b[0] === 0x3c && b[1] === 0 && b[2] !== 0 && b[3] === 0) return 'utf-16le'
  if (b[0] === 0 && b[1] === 0x3c && b[2] === 0 && b[3] !== 0) return 'utf-16be'
  return undefined
}

/**
 * Labels that browsers decode as windows-1252 (WHATWG Encoding): feeds that say ISO-8859-1 or
 * ASCII routinely contain curly quotes from the 0x80–0x9F range.
 */
const AS_WINDOWS_1252 = new Set(['iso-8859-1', 'iso8859-1', 'latin1', 'l1', 'us-ascii', 'ascii'])

const startsWith = (bytes: Uint8Array, sig: readonly number[]): boolean =>
  sig.every((b, i) => bytes[i] === b)

const isWide = (label: string): boolean => /^(?:utf-?(?:16|32)|ucs-?[24])/.test(label)

/** Normalises a declared label and checks that iconv-lite can decode it; `undefined` if not. */
const usableLabel = (declared: string | undefined, bytes: Uint8Array): string | undefined => {
  let label = declared
    ?.trim()
    .replace(/^["']|["']$/g, '')
    .toLowerCase()
  if (!label) return undefined
  if (label === 'utf8') label = 'utf-8'
  if (AS_WINDOWS_1252.has(label)) label = 'windows-1252'
  if (isWide(label)) {
    // A wide charset is only believable when the bytes look wide (NULs early on); otherwise the
    // declaration was copied from elsewhere and the document is really 8-bit.
    const head = bytes.subarray(0, 64)
    if (!head.includes(0)) return undefined
    if (label === 'utf-16' || label === 'ucs-2') label = head[0] === 0 ? 'utf-16be' : 'utf-16le'
    if (label === 'utf-32' || label === 'ucs-4') label = head[0] === 0 ? 'utf-32be' : 'utf-32le'
  }
  return iconv.encodingExists(label) ? label : undefined
}

/** The `charset` parameter of a Content-Type header value. */
const charsetOf = (contentType: string | undefined): string | undefined =>
  contentType?.match(/;\s*charset\s*=\s*("?)([^";,\s]+)\1/i)?.[2]

/** The `encoding` pseudo-attribute of an XML declaration at the start of 8-bit or wide bytes. */
const declaredEncoding = (bytes: Uint8Array, wide: string | undefined): string | undefined => {
  const head = wide
    ? iconv.decode(Buffer.from(bytes.subarray(0, 1024)), wide)
    : Buffer.from(bytes.subarray(0, 1024)).toString('latin1')
  return head.match(/^\s*(?:<!--[\s\S]*?-->\s*)*<\?xml\s[^>]*?encoding\s*=\s*["']([^"']+)["']/)?.[1]
}

/**
 * Valid UTF-8 with at least one multi-byte sequence: legacy 8-bit text practically never forms
 * one, so such bytes are UTF-8 whatever a (copied, defaulted) label claims. (The checks are
 * node:buffer's native ones: a JavaScript loop over every byte cost as much as parsing.)
 */
const looksUtf8 = (bytes: Uint8Array): boolean => !isAscii(bytes) && isUtf8(bytes)

/**
 * Decodes a feed body. The charset comes from, in order: a byte-order mark (UTF-8/16/32), the
 * HTTP `Content-Type` charset, the XML declaration, then UTF-8 when the bytes are valid UTF-8 and
 * windows-1252 otherwise. Unknown or implausible labels are skipped, and bytes that are valid,
 * non-ASCII UTF-8 are read as UTF-8 even when a label names a legacy charset. The BOM is stripped.
 * @example decodeBody(bytes, 'application/rss+xml; charset=windows-1251').encoding // 'windows-1251'
 */
export const decodeBody = (bytes: Uint8Array, contentType?: string): DecodedBody => {
  const bom = BOMS.find(([sig]) => startsWith(bytes, sig))
  const wide = bom ? undefined : wideWithoutBom(bytes)
  const declared =
    usableLabel(charsetOf(contentType), bytes) ?? usableLabel(declaredEncoding(bytes, wide), bytes)
  const encoding =
    bom?.[1] ??
    (declared && declared !== 'utf-8' && !isWide(declared) && looksUtf8(bytes)
      ? 'utf-8'
      : declared) ??
    wide ??
    (isUtf8(bytes) ? 'utf-8' : 'windows-1252')
  const body = bom ? bytes.subarray(bom[0].length) : bytes
  const text = iconv.decode(Buffer.from(body.buffer, body.byteOffset, body.byteLength), encoding)
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, encoding }
}
