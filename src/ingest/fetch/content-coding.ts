/** Content codings (gzip, deflate, br): which a response has, and undoing them on the whole body at once, capped. */
import {
  brotliDecompressSync,
  constants,
  gunzipSync,
  inflateRawSync,
  inflateSync,
  type ZlibOptions,
} from 'node:zlib'
import { FetchError } from '../../model/errors.js'

/** More codings than this in one Content-Encoding is an attack, not a feed. */
const MAX_CODINGS = 5

const KNOWN = new Set(['gzip', 'x-gzip', 'deflate', 'br'])

/**
 * The codings of a `Content-Encoding` header, in the order they were applied (`identity` left
 * out): empty for none, undefined when one is unknown (the bytes are then read as they are, and
 * the feed reader says what it could not read).
 * @throws FetchError for more than {@link MAX_CODINGS}
 * @example contentCodings('gzip') // ['gzip']
 */
export const contentCodings = (header: string | null): string[] | undefined => {
  const codings = (header ?? '')
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '' && c !== 'identity')
  if (codings.length > MAX_CODINGS) {
    throw new FetchError(
      'fetch',
      `the answer names ${codings.length} content codings (at most ${MAX_CODINGS})`,
    )
  }
  return codings.every((c) => KNOWN.has(c)) ? codings : undefined
}

/**
 * A stream cut short gives what it holds, as browsers and curl read it. Output comes in chunks of
 * 64 KiB (zlib's default is 16): a typical feed then inflates into one chunk, with no copying
 * together of pieces.
 */
const CHUNK = 64 * 1024
const LENIENT = { finishFlush: constants.Z_SYNC_FLUSH, chunkSize: CHUNK }
const LENIENT_BROTLI = { finishFlush: constants.BROTLI_OPERATION_FLUSH, chunkSize: CHUNK }

/**
 * The body with its codings undone (the last applied is undone first): gzip, deflate (zlib-wrapped,
 * or raw as some servers send it) and br, leniently. One synchronous call per coding on the whole
 * body: far cheaper than a decompression stream, whose every chunk is a round trip to libuv's
 * thread pool. Inflating stops once the output passes `maxBytes` (a gzip bomb is cut off, not
 * inflated), so call it where blocking that long is fine (the analysis worker).
 * @param where the URL the body came from, for messages
 * @throws FetchError 'too-large' past `maxBytes`, 'fetch' when the bytes are not what the coding says
 */
export const undoCodings = (
  body: Uint8Array,
  codings: readonly string[],
  maxBytes: number,
  where: string,
): Buffer => {
  let out = Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  // zlib takes only a finite cap: with none (Infinity), its own limit (buffer.kMaxLength) holds.
  const cap = Number.isFinite(maxBytes) ? { maxOutputLength: maxBytes + 1 } : {}
  const opts: ZlibOptions = { ...LENIENT, ...cap }
  const brotli = { ...LENIENT_BROTLI, ...cap }
  for (const coding of [...codings].reverse()) {
    try {
      if (coding === 'br') out = brotliDecompressSync(out, brotli)
      else if (coding !== 'deflate') out = gunzipSync(out, opts)
      // `deflate` is meant to be zlib-wrapped; the first byte tells (compression method 8).
      else out = (out[0]! & 0x0f) === 8 ? inflateSync(out, opts) : inflateRawSync(out, opts)
    } catch (err) {
      if (codeOf(err) === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(where, maxBytes, { cause: err })
      const detail = err instanceof Error ? err.message : String(err)
      throw new FetchError('fetch', `could not decompress the answer from ${where}: ${detail}`, {
        cause: err,
      })
    }
    if (out.length > maxBytes) throw tooLarge(where, maxBytes)
  }
  return out
}

/** The error for an answer over `fetch.max_bytes`. */
export const tooLarge = (
  where: string,
  maxBytes: number,
  options: { cause?: unknown; status?: number } = {},
): FetchError =>
  new FetchError(
    'too-large',
    `the answer from ${where} is larger than ${formatBytes(maxBytes)} (fetch.max_bytes)`,
    options,
  )

const codeOf = (e: unknown): unknown =>
  typeof e === 'object' && e !== null && 'code' in e ? e.code : undefined

/** `10 MB`, `512 KB`, `100 bytes` (binary units, as fetch.max_bytes is written). */
export const formatBytes = (n: number): string => {
  for (const [unit, size] of [
    ['GB', 1024 ** 3],
    ['MB', 1024 ** 2],
    ['KB', 1024],
  ] as const) {
    if (n >= size) return `${Number.isInteger(n / size) ? n / size : (n / size).toFixed(1)} ${unit}`
  }
  return `${n} bytes`
}
