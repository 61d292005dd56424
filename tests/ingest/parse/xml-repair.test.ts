import { describe, expect, it } from 'vitest'
import { prepareXml } from '../../../src/ingest/parse/xml-repair.js'
import { seeded } from '../../helpers/random.js'

describe('prepareXml removes the characters XML forbids', () => {
  // What prepareXml removed before it tested for any such character first.
  const INVALID =
    // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML forbids
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
  const PIECES = [
    '<a>',
    '</a>',
    'text',
    ' ',
    '\t',
    '\n',
    '\r',
    '\u0000',
    '\u0008',
    '\u000b',
    '\u001f',
    '\ud83d',
    '\ude00',
    '😀',
    '\ufffe',
    '\uffff',
    '\ufffd',
    'é',
    '\u00a0',
  ]

  it('as the whole regex did, on random documents', () => {
    const next = seeded(11)
    for (let n = 0; n < 5_000; n++) {
      let body = ''
      for (let k = next() % 12; k > 0; k--) body += PIECES[next() % PIECES.length]
      const text = `<rss>${body}</rss>`
      const cleaned = text.replace(INVALID, '')
      const out = prepareXml(text)
      expect(out.xml, JSON.stringify(text)).toBe(cleaned)
      expect(out.recovered, JSON.stringify(text)).toEqual(
        cleaned === text ? [] : ['invalid control characters'],
      )
    }
  })
})
