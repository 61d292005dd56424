import { readFileSync } from 'node:fs'
import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { decodeBody } from '../../../src/ingest/parse/decode.js'

const FIXTURES = new URL('../../fixtures/feeds/', import.meta.url)
const xml = (encoding: string, body: string): string =>
  `<?xml version="1.0" encoding="${encoding}"?><rss><channel><title>${body}</title></channel></rss>`
const bytes = (text: string, encoding = 'utf-8'): Uint8Array => iconv.encode(text, encoding)

describe('decodeBody', () => {
  it.each([
    ['utf-8', [0xef, 0xbb, 0xbf], 'utf-8'],
    ['utf-16le', [0xff, 0xfe], 'utf-16le'],
    ['utf-16be', [0xfe, 0xff], 'utf-16be'],
    ['utf-32le', [0xff, 0xfe, 0x00, 0x00], 'utf-32le'],
    ['utf-32be', [0x00, 0x00, 0xfe, 0xff], 'utf-32be'],
  ])('reads a %s byte-order mark first and strips it', (encoding, bom, expected) => {
    const body = iconv.encode('<rss>Кабул</rss>', encoding)
    const input = new Uint8Array([...bom, ...body])
    // The header and the bytes' own guess both disagree; the BOM wins.
    const out = decodeBody(input, 'text/xml; charset=windows-1251')
    expect(out).toEqual({ text: '<rss>Кабул</rss>', encoding: expected })
  })

  it('prefers the HTTP charset to the XML declaration', () => {
    const input = bytes(xml('koi8-r', 'Пакистан'), 'windows-1251')
    const out = decodeBody(input, 'application/rss+xml; charset="Windows-1251"')
    expect(out.encoding).toBe('windows-1251')
    expect(out.text).toContain('<title>Пакистан</title>')
  })

  it('uses the XML declaration without a header charset', () => {
    const out = decodeBody(bytes(xml('KOI8-R', 'Афганистан'), 'koi8-r'), 'application/xml')
    expect(out.encoding).toBe('koi8-r')
    expect(out.text).toContain('<title>Афганистан</title>')
  })

  it('decodes the windows-1251 fixture from its declaration alone', () => {
    const out = decodeBody(readFileSync(new URL('cp1251.rss', FIXTURES)))
    expect(out.encoding).toBe('windows-1251')
    expect(out.text).toContain('<title>Обзор Центральной Азии</title>')
    expect(out.text).toContain('Пакистан и Афганистан возобновили переговоры в Стамбуле')
  })

  it('reads ISO-8859-1 and ASCII labels as windows-1252, as browsers do', () => {
    const head = bytes('<?xml version="1.0" encoding="ISO-8859-1"?><t>')
    const out = decodeBody(new Uint8Array([...head, 0x80, 0x93, ...bytes('</t>')]))
    expect(out.encoding).toBe('windows-1252')
    expect(out.text.endsWith('<t>€“</t>')).toBe(true)
  })

  it('falls back past bogus and unknown charset names', () => {
    const input = bytes(xml('x-no-such-charset', 'Torkham'))
    expect(decodeBody(input, 'text/xml; charset=bogus').encoding).toBe('utf-8')
    const latin = new Uint8Array([...bytes('<rss>'), 0x93, 0x41, 0x94, ...bytes('</rss>')])
    expect(decodeBody(latin, 'text/xml; charset=bogus')).toEqual({
      text: '<rss>“A”</rss>',
      encoding: 'windows-1252',
    })
  })

  it('detects UTF-8 without any label, and windows-1252 when the bytes are not UTF-8', () => {
    expect(decodeBody(bytes('<rss>پاکستان</rss>'))).toEqual({
      text: '<rss>پاکستان</rss>',
      encoding: 'utf-8',
    })
    expect(decodeBody(new Uint8Array([0x3c, 0x61, 0x3e, 0xe9, 0x3c, 0x2f, 0x61, 0x3e]))).toEqual({
      text: '<a>é</a>',
      encoding: 'windows-1252',
    })
  })

  it('reads valid multi-byte UTF-8 as UTF-8 even when a label names a legacy charset', () => {
    const out = decodeBody(bytes(xml('ISO-8859-1', 'Euro € and کابل')))
    expect(out.encoding).toBe('utf-8')
    expect(out.text).toContain('Euro € and کابل')
  })

  it('ignores a UTF-16 declaration on 8-bit bytes', () => {
    const out = decodeBody(bytes(xml('UTF-16', 'Chaman')))
    expect(out.encoding).toBe('utf-8')
    expect(out.text).toContain('<title>Chaman</title>')
  })

  it.each([
    ['utf-16le', 'utf-16le'],
    ['utf-16be', 'utf-16be'],
  ])('recognises %s without a BOM from the bytes of the first tag', (encoding, expected) => {
    const out = decodeBody(
      iconv.encode('<rss version="2.0"><title>Torkham</title></rss>', encoding),
    )
    expect(out).toEqual({
      text: '<rss version="2.0"><title>Torkham</title></rss>',
      encoding: expected,
    })
  })

  describe('UTF-8 encoded twice', () => {
    /** UTF-8 bytes read as windows-1252 (or Latin-1), then written as UTF-8 again. */
    const twice = (text: string, via = 'windows-1252'): Uint8Array =>
      bytes(iconv.decode(Buffer.from(text, 'utf8'), via))

    it.each([
      ['windows-1252', 'Actualités — CataluÑa’s «news» €5'],
      ['latin1', 'Actualités, Cataluña, Kraków'],
    ])('decodes a whole document encoded twice via %s once more, and says so', (via, title) => {
      const doubled = twice(xml('utf-8', title), via)
      expect(Buffer.from(doubled).toString('utf8')).toContain('Ã') // the input really is doubled
      const out = decodeBody(doubled)
      expect(out.text).toBe(xml('utf-8', title))
      expect(out.encoding).toBe('utf-8')
      expect(out.note).toBe('UTF-8 encoded twice (decoded once more)')
    })

    it('repairs a title that says CataluÃ±a', () => {
      const out = decodeBody(bytes(xml('utf-8', 'CataluÃ±a i ActualitÃ©s')))
      expect(out.text).toContain('<title>Cataluña i Actualités</title>')
    })

    it.each([
      ['an "é" written once beside it', 'Ã© and é'],
      ['a character no single byte decodes to', 'Ã© in کابل'],
      ['a curly quote that does not complete a sequence', 'Ã© “quoted”'],
      ['a lead character without its continuation', 'Ã alone, © alone'],
    ])('leaves text that legitimately holds such characters alone: %s', (_, title) => {
      const out = decodeBody(bytes(xml('utf-8', title)))
      expect(out.text).toBe(xml('utf-8', title))
      expect(out.note).toBeUndefined()
    })

    it('leaves a document in a legacy charset alone', () => {
      const text = xml('windows-1252', 'Ã© and ñ')
      const out = decodeBody(iconv.encode(text, 'windows-1252'))
      expect(out).toEqual({ text, encoding: 'windows-1252' })
    })
  })
})
