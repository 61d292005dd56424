/** Coded variants of a cached document (gzip, br): ETags and 304 headers at render, bytes compressed once on first request. */
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import type { Coding } from './accept-encoding.js'

/** One coded form of a document. Its validators exist from the render; its bytes once compressed. */
export interface CodedVariant {
  readonly coding: Coding
  /** The document's ETag with the coding's suffix inside the quotes (`"…-gz"`). */
  readonly etag: string
  /** Headers of a 304 for this variant (its ETag, the document's other validators, Vary). */
  readonly notModifiedHeaders: Readonly<Record<string, string>>
  /** The compressed bytes, once made. */
  body?: Buffer
  /** Headers of a 200 with `body`, once made. */
  headers?: Readonly<Record<string, string>>
  /** The compression in flight: concurrent first requests wait for one. */
  pending?: Promise<CodedVariant>
}

/** Every coding a document is offered in. */
export type CodedVariants = Record<Coding, CodedVariant>

/**
 * Documents smaller than this are sent as they are: the few bytes compression would save are not
 * worth a variant (nginx's `gzip_min_length` makes the same call).
 */
export const MIN_CODED_BYTES = 512

/** The ETag suffix of each coding, inside the quotes (as nginx and Apache mark theirs). */
const CODING_SUFFIX: Readonly<Record<Coding, string>> = { gzip: '-gz', br: '-br' }

/**
 * The entity tag of a coded variant: the document's tag with the coding's suffix inside the
 * quotes, weak when the document's is (a strong tag promises the same bytes, and the compressed
 * bytes of one document are the same every time: one compressor, fixed settings).
 * @example codedTag('"abc"', 'gzip') // '"abc-gz"'
 */
export const codedTag = (etag: string, coding: Coding): string => {
  const weak = etag.startsWith('W/')
  const quoted = weak ? etag.slice(2) : etag
  const opaque = quoted.startsWith('"') && quoted.endsWith('"') ? quoted.slice(1, -1) : quoted
  return `${weak ? 'W/' : ''}"${opaque}${CODING_SUFFIX[coding]}"`
}

/**
 * The coded variants of a document whose identity form has `etag` and the 304 headers
 * `notModifiedHeaders`, before any compression: a 304 needs only the tag.
 */
export const codedVariants = (
  etag: string,
  notModifiedHeaders: Readonly<Record<string, string>>,
): CodedVariants => {
  const variant = (coding: Coding): CodedVariant => {
    const tag = codedTag(etag, coding)
    return { coding, etag: tag, notModifiedHeaders: { ...notModifiedHeaders, ETag: tag } }
  }
  return { gzip: variant('gzip'), br: variant('br') }
}

const gzipAsync = promisify(gzip)
const brotliAsync = promisify(brotliCompress)

/**
 * Compresses a document on libuv's thread pool, so the thread that answers readers is not held.
 * Settings lean to size: a variant is made once per render and sent many times. Brotli's text
 * mode and size hint; quality 9 rather than 11, which costs several times more for little gain.
 */
export const compressBody = (body: Buffer, coding: Coding): Promise<Buffer> =>
  coding === 'gzip'
    ? gzipAsync(body, { level: 9 })
    : brotliAsync(body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 9,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
        },
      })

/** The headers of a 200 with a variant's bytes: the identity headers, coded and re-measured. */
export const codedHeaders = (
  identityHeaders: Readonly<Record<string, string>>,
  variant: CodedVariant,
  body: Buffer,
): Record<string, string> => ({
  ...identityHeaders,
  'Content-Encoding': variant.coding,
  'Content-Length': String(body.byteLength),
  ETag: variant.etag,
})
