/**
 * JSON.stringify's UTF-8 bytes of items, written straight into a buffer: no JSON string is made
 * (a first import's journal made ~540 MB of them on the main thread, each then copied into a
 * buffer). The bytes are those of `Buffer.from(JSON.stringify(value))`; strings the fast paths do
 * not know (control characters, backslashes, surrogates) and values other than strings and lists
 * of strings are written from their own JSON.stringify.
 */

/** What the quote-only path cannot write: JSON.stringify escapes them otherwise than with a backslash before. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters JSON escapes
const ESCAPED_OTHERWISE = /[\u0000-\u001f\\\ud800-\udfff]/

/** Strings shorter than this are written a character at a time (a native write costs more). */
const SHORT = 48

/** Bytes of a new buffer (more when one value needs more). */
const BLOCK_BYTES = 1_048_576

/**
 * Writes JSON into blocks of BLOCK_BYTES, one value after another: a value's bytes are a view of
 * its block (no copy), valid for good (a block is never written twice; a full one is left to
 * the views of it).
 * @example const w = createJsonWriter(); w.begin(); w.value(item); const bytes = w.end()
 */
export const createJsonWriter = () => {
  let buf = Buffer.allocUnsafeSlow(BLOCK_BYTES)
  /** Where the value being written starts. */
  let from = 0
  let at = 0

  /** Makes room for `n` more bytes: a new block, the value so far moved to its start. */
  const room = (n: number): void => {
    if (at + n <= buf.length) return
    const made = at - from
    const next = Buffer.allocUnsafeSlow(Math.max(BLOCK_BYTES, 2 * (made + n)))
    buf.copy(next, 0, from, at)
    buf = next
    from = 0
    at = made
  }

  /** `s` as it is (its UTF-8 bytes), `s` holding no character JSON escapes. */
  const raw = (s: string): void => {
    room(3 * s.length)
    at += buf.write(s, at, buf.length - at, 'utf8')
  }

  /** A string's JSON. */
  const string = (s: string): void => {
    const n = s.length
    if (n < SHORT) {
      room(n + 2)
      let p = at
      buf[p++] = 0x22
      let i = 0
      for (; i < n; i++) {
        const c = s.charCodeAt(i)
        if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) break
        buf[p++] = c
      }
      if (i === n) {
        buf[p++] = 0x22
        at = p
        return
      }
    }
    if (ESCAPED_OTHERWISE.test(s)) {
      raw(JSON.stringify(s))
      return
    }
    let quotes = 0
    for (let q = s.indexOf('"'); q !== -1; q = s.indexOf('"', q + 1)) quotes++
    room(3 * n + quotes + 2)
    buf[at++] = 0x22
    const start = at
    let end = start + buf.write(s, start, buf.length - start, 'utf8')
    at = end + quotes
    // Each quote gets its backslash: the bytes after the k-th quote move k places on, last first
    // (a quote's byte 0x22 is no part of another character's UTF-8 bytes).
    for (let k = quotes; k > 0; k--) {
      const q = buf.lastIndexOf(0x22, end - 1)
      buf.copyWithin(q + 1 + k, q + 1, end)
      buf[q + k] = 0x22
      buf[q + k - 1] = 0x5c
      end = q
    }
    buf[at++] = 0x22
  }

  /** Whether `v` is a list of strings only (no holes, no other values: JSON writes those otherwise). */
  const strings = (v: unknown[]): v is string[] => {
    for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false
    return true
  }

  /** A value that JSON.stringify writes as it writes it on its own, or undefined when it leaves it out. */
  const other = (v: unknown): boolean => {
    const json = JSON.stringify(v) as string | undefined
    if (json === undefined) return false
    raw(json)
    return true
  }

  /** A property's value: false when JSON leaves the property out. */
  const member = (v: unknown): boolean => {
    if (typeof v === 'string') {
      string(v)
      return true
    }
    if (Array.isArray(v) && !('toJSON' in v) && strings(v)) {
      room(1)
      buf[at++] = 0x5b
      for (let i = 0; i < v.length; i++) {
        if (i > 0) {
          room(1)
          buf[at++] = 0x2c
        }
        string(v[i] as string)
      }
      room(1)
      buf[at++] = 0x5d
      return true
    }
    return other(v)
  }

  /** A record's JSON, its properties in JSON.stringify's order. */
  const record = (o: Record<string, unknown>): void => {
    if (typeof o.toJSON === 'function') {
      other(o)
      return
    }
    room(1)
    buf[at++] = 0x7b
    let first = true
    // for…in reads a plain object's keys from V8's cache (Object.keys makes a list per record);
    // JSON.stringify writes own keys only, in the same order.
    for (const key in o) {
      if (!Object.hasOwn(o, key)) continue
      const v = o[key]
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue
      const mark = at - from
      if (!first) {
        room(1)
        buf[at++] = 0x2c
      }
      string(key)
      room(1)
      buf[at++] = 0x3a
      // Left out (a toJSON that gives undefined): its key and comma go too.
      if (member(v)) first = false
      else at = from + mark
    }
    room(1)
    buf[at++] = 0x7d
  }

  return {
    /** Starts a new run of bytes (the next `end` returns those written from here). */
    begin(): void {
      from = at
    },
    /** Where the next byte goes, from the start of the run. */
    offset: (): number => at - from,
    /** An object's (an item's) JSON, as JSON.stringify writes it. */
    record,
    /** `s` as it is: bytes that are JSON already (JSON.stringify's of a value). */
    raw,
    /** One byte (an ASCII character of the JSON around values). */
    byte(b: number): void {
      room(1)
      buf[at++] = b
    },
    /** The bytes written since `begin`. */
    end(): Buffer {
      return buf.subarray(from, at)
    },
  }
}
