/** createJsonWriter: the bytes of Buffer.from(JSON.stringify(record)), for random records, across blocks. */
import { describe, expect, it } from 'vitest'
import { createJsonWriter } from '../../../src/store/lowdb/json-writer.js'
import { makeItem } from '../../helpers/items.js'
import { mulberry32 } from '../../helpers/random.js'

/** Characters JSON escapes or writes as more than one UTF-8 byte, among plain ones. */
const PIECES = [
  'a',
  'Z',
  ' ',
  '"',
  '\\',
  '/',
  '\n',
  '\t',
  '\u0000',
  '\u001f',
  '\u007f',
  'é',
  'ü',
  '…',
  '東',
  '\u2028',
  '😀',
  '\ud800', // lone surrogates: JSON writes them as \u escapes
  '\udfff',
  '<a href="x">',
  '"quoted"',
]

const randomString = (rnd: () => number, most: number): string => {
  const n = Math.floor(rnd() * rnd() * most)
  let s = ''
  // Mostly one kind: plain text, or text with quotes only, or anything.
  const kind = Math.floor(rnd() * 3)
  for (let i = 0; i < n; i++) {
    if (kind === 0) s += String.fromCharCode(0x20 + Math.floor(rnd() * 0x5f)).replace(/["\\]/, 'x')
    else if (kind === 1) s += rnd() < 0.1 ? '"' : String.fromCharCode(0x61 + Math.floor(rnd() * 26))
    else s += PIECES[Math.floor(rnd() * PIECES.length)]
  }
  return s
}

const randomRecord = (rnd: () => number): Record<string, unknown> => {
  const item = makeItem({
    title: randomString(rnd, 80),
    summary: randomString(rnd, 400),
    contentHtml: randomString(rnd, rnd() < 0.05 ? 300_000 : 3_000),
    categories: Array.from({ length: Math.floor(rnd() * 4) }, () => randomString(rnd, 20)),
  }) as unknown as Record<string, unknown>
  const holey: unknown[] = []
  holey[1] = 'x' // JSON writes the hole as null
  const extra: [string, unknown][] = [
    ['author', randomString(rnd, 30)],
    ['gone', undefined],
    ['count', Math.floor(rnd() * 1000) - 500],
    ['ratio', rnd()],
    ['nan', Number.NaN],
    ['flag', rnd() < 0.5],
    ['none', null],
    ['fn', () => 1],
    ['mixed', ['a', 1, undefined, null, { b: 'c"' }]],
    ['holes', holey],
    ['nested', { reason: randomString(rnd, 20), n: 2, list: ['x'] }],
    ['date', new Date(Date.UTC(2026, 11, 6))],
    ['silent', { toJSON: () => undefined }],
    ['key "odd"\n', 'v'],
  ]
  for (const [k, v] of extra) if (rnd() < 0.4) item[k] = v
  return item
}

describe('createJsonWriter', () => {
  it("writes each record as Buffer.from(JSON.stringify(record)) would, its bytes a run's view that later runs leave alone", () => {
    const rnd = mulberry32(17)
    const w = createJsonWriter()
    const written: [Buffer, Buffer][] = []
    for (let n = 0; n < 400; n++) {
      const r = randomRecord(rnd)
      w.begin()
      w.byte(0x5b)
      expect(w.offset()).toBe(1)
      w.record(r)
      w.raw(',"done"]')
      const bytes = w.end()
      const expected = Buffer.from(`[${JSON.stringify(r)},"done"]`)
      expect(bytes.toString('utf8')).toBe(expected.toString('utf8'))
      expect(bytes.equals(expected)).toBe(true)
      written.push([bytes, expected])
    }
    // Runs that went on in a new block (past 1 MiB) were moved whole; none was written over.
    for (const [bytes, expected] of written) expect(bytes.equals(expected)).toBe(true)
  })

  it('writes a record whose toJSON decides its JSON through JSON.stringify', () => {
    const w = createJsonWriter()
    w.begin()
    w.record({ a: 1, toJSON: () => ({ b: 'c' }) })
    expect(w.end().toString('utf8')).toBe('{"b":"c"}')
  })
})
