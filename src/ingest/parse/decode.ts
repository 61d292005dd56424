/** Bytes → text: the charset from the BOM, the HTTP header, the XML declaration or the bytes. */
import { isAscii, isUtf8 } from 'node:buffer'
import iconv from 'iconv-lite'

/** The decoded document and the charset that was used (lower-case WHATWG-style label). */
export interface DecodedBody {
  text: string
  encoding: string
  /** A repair made while decoding, for the source's "recovered from" (UTF-8 encoded twice). */
  note?: string
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
  const decoded = iconv.decode(Buffer.from(body.buffer, body.byteOffset, body.byteLength), encoding)
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded
  // ASCII bytes decode to ASCII text, which holds no doubled sequence: not searched for then.
  const once = encoding === 'utf-8' && !isAscii(body) ? undoubledUtf8(text) : undefined
  return once === undefined
    ? { text, encoding }
    : { text: once, encoding, note: 'UTF-8 encoded twice (decoded once more)' }
}

/**
 * Characters windows-1252 puts at 0x80–0x9F, by byte: text that was UTF-8, read as windows-1252
 * and encoded as UTF-8 again holds these where the original had continuation bytes.
 */
const CP1252_HIGH: ReadonlyMap<number, number> = new Map(
  [
    0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039,
    0x0152, 0, 0x017d, 0, 0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122,
    0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
  ]
    .map((c, i): [number, number] => [c, 0x80 + i])
    .filter(([c]) => c !== 0),
)

/** A lead byte read as Latin-1 followed by a continuation byte read as Latin-1 or windows-1252. */
const DOUBLED =
  /[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]/

/** A character no single windows-1252 or Latin-1 byte decodes to, or a C0 control. */
const NOT_ONE_BYTE =
  /[^\t\n\r\u0020-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]/

/**
 * The text decoded once more when it is UTF-8 encoded twice ("ActualitÃ©s"), as feed readers
 * repair it; `undefined` otherwise. Only a whole document qualifies: every character must map
 * back to one byte and those bytes must be valid UTF-8, so a document that legitimately holds
 * "Ã©" next to any other non-ASCII text (an "é" alone, Urdu, a curly quote) is left as it is.
 */
const undoubledUtf8 = (text: string): string | undefined => {
  if (!DOUBLED.test(text) || NOT_ONE_BYTE.test(text)) return undefined
  const bytes = Buffer.alloc(text.length)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    bytes[i] = c < 0x100 ? c : (CP1252_HIGH.get(c) ?? 0)
  }
  return isUtf8(bytes) ? bytes.toString('utf8') : undefined
}
