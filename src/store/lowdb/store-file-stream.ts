/** A streaming reader of a single-file store (`{"version":…,"states":…,"items":[…]}`): each item handed over parsed on its own, the rest of the document kept as text. */
import { closeSync, openSync, readSync } from 'node:fs'
import { StoreError } from '../../model/errors.js'

/** Bytes read from the file at a time. */
const CHUNK = 1 << 20

/** The most one item, or one other top-level value (states, verdicts), may hold: a larger one is refused. */
export const MAX_VALUE_BYTES = 64 * 1_048_576

/** A structural problem at a byte offset of the file (its JSON is checked piece by piece). */
export class StoreFileStreamError extends StoreError {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message)
  }
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d])
const QUOTE = 0x22
const BACKSLASH = 0x5c

/**
 * Reads the JSON object in `file` without holding it whole: every element of its top-level
 * `items` array is parsed alone and given to `onItem` (with its index), in file order; the
 * document is returned as text with `items` empty. Depth is a counter,
 * never recursion, and no value may exceed {@link MAX_VALUE_BYTES}, so memory stays bounded by
 * one item (plus the small members) whatever the file holds.
 * @throws StoreFileStreamError naming what is wrong and the byte offset where.
 * @example await streamStoreFile('data/db.json', (item, k) => spool(item)) // '{"version":1,"states":{…},"items":[]}'
 */
export const streamStoreFile = async (
  file: string,
  onItem: (item: unknown, index: number) => void | Promise<void>,
): Promise<string> => {
  const fd = openSync(file, 'r')
  const buf = Buffer.alloc(CHUNK)
  let len = 0
  let at = 0
  /** The file offset of buf[0]. */
  let base = 0
  let eof = false
  const fail = (what: string, offset = base + at): never => {
    throw new StoreFileStreamError(`${what} at byte ${offset}`, offset)
  }
  /** The next byte (refilling the buffer), or -1 at the end of the file. */
  const peek = (): number => {
    if (at < len) return buf[at]!
    if (eof) return -1
    base += len
    len = readSync(fd, buf, 0, CHUNK, null)
    at = 0
    if (len === 0) eof = true
    return len === 0 ? -1 : buf[0]!
  }
  const skipWs = (): number => {
    let c = peek()
    while (c !== -1 && WS.has(c)) {
      at++
      c = peek()
    }
    return c
  }
  const expect = (c: number, what: string): void => {
    if (skipWs() !== c) fail(`expected ${what}`)
    at++
  }
  /**
   * The bytes of one JSON value starting here: strings and brackets are followed (depth as a
   * counter), everything else is left to JSON.parse of the value.
   */
  const value = (): Buffer => {
    skipWs()
    const start = base + at
    const parts: Buffer[] = []
    let size = 0
    let from = at
    let depth = 0
    let inString = false
    let escaped = false
    const keep = (end: number): void => {
      parts.push(Buffer.from(buf.subarray(from, end)))
      size += end - from
      if (size > MAX_VALUE_BYTES) fail(`a value larger than ${MAX_VALUE_BYTES} bytes`, start)
    }
    for (;;) {
      if (at >= len) {
        keep(len)
        if (peek() === -1) fail('the file ends inside a value', start)
        from = 0
      }
      const c = buf[at]!
      if (inString) {
        if (escaped) escaped = false
        else if (c === BACKSLASH) escaped = true
        else if (c === QUOTE) {
          inString = false
          if (depth === 0) {
            at++
            break
          }
        }
      } else if (c === QUOTE) inString = true
      else if (c === 0x7b || c === 0x5b) depth++
      else if (c === 0x7d || c === 0x5d) {
        if (depth === 0) break // the end of the enclosing object or array
        depth--
        if (depth === 0) {
          at++
          break
        }
      } else if (depth === 0 && (c === 0x2c || WS.has(c))) break // end of a number or literal
      at++
    }
    keep(at)
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
  }
  const parse = (bytes: Buffer, offset: number): unknown => {
    try {
      return JSON.parse(bytes.toString('utf8'))
    } catch (err) {
      return fail(`not valid JSON (${err instanceof Error ? err.message : String(err)})`, offset)
    }
  }
  try {
    expect(0x7b, 'a JSON object')
    const rest: string[] = []
    let items = false
    if (skipWs() === 0x7d) at++
    else {
      for (;;) {
        const keyAt = base + at
        const key = parse(value(), keyAt)
        if (typeof key !== 'string') fail('expected a member name', keyAt)
        expect(0x3a, '":"')
        if (key === 'items' && !items) {
          items = true
          rest.push('"items":[]')
          expect(0x5b, 'the items array ("[")')
          let k = 0
          if (skipWs() === 0x5d) at++
          else {
            for (;;) {
              const itemAt = base + at
              await onItem(parse(value(), itemAt), k++)
              const c = skipWs()
              at++
              if (c === 0x5d) break
              if (c !== 0x2c) fail('expected "," or "]" after an item', base + at - 1)
            }
          }
        } else {
          const valueAt = base + at
          const text = value().toString('utf8')
          parse(Buffer.from(text), valueAt)
          rest.push(`${JSON.stringify(key)}:${text}`)
        }
        const c = skipWs()
        at++
        if (c === 0x7d) break
        if (c !== 0x2c) fail('expected "," or "}" after a member', base + at - 1)
      }
    }
    if (skipWs() !== -1) fail('more after the end of the object')
    return `{${rest.join(',')}}`
  } finally {
    closeSync(fd)
  }
}
