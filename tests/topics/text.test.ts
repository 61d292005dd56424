import { describe, expect, it } from 'vitest'
import {
  collapsedHead,
  collapseWhitespace,
  contentText,
  decodeEntities,
  hasNonAscii,
  htmlText,
  htmlToText,
  leadingWords,
  leadsWith,
  nfkc,
  normalizeText,
  normalizeUnicode,
  takesAsciiPath,
  tokenize,
} from '../../src/topics/text.js'
import { corpusPresent } from '../helpers/corpus.js'
import { corpusEntryTexts } from '../helpers/corpus-texts.js'
import { seeded } from '../helpers/random.js'

describe('normalizeText', () => {
  it('takes a short cut for ASCII text that gives what the full Unicode path gives', () => {
    // Every printable ASCII character and the controls, in random strings (seeded, reproducible).
    const next = seeded(12_345)
    const chars = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i))
    for (let n = 0; n < 2_000; n++) {
      const text = Array.from({ length: next() % 40 }, () => chars[next() % 128]).join('')
      expect(normalizeText(text), JSON.stringify(text)).toBe(normalizeUnicode(text))
    }
    const headline = 'Pakistan-Afghanistan TALKS: 2nd round (Doha), "Torkham" re-opens!'
    expect(normalizeText(headline)).toBe(normalizeUnicode(headline))
    expect(normalizeText(headline)).toBe(
      'pakistan afghanistan talks 2nd round doha torkham re opens',
    )
  })

  it.each([
    ['Turkish dotted capital I', 'TÜRKİYE', 'turkiye'],
    ['mixed case with diacritics', 'Türkiye', 'turkiye'],
    ['plain ASCII', 'Turkiye', 'turkiye'],
    ['dotless i', 'Türkıye', 'turkiye'],
    ['plain capitals', 'TURKIYE', 'turkiye'],
    ['Latin diacritics', 'Café naïve Ångström', 'cafe naive angstrom'],
    ['letters without decomposition', 'Łódź Øresund Straße', 'lodz oresund strasse'],
    ['Cyrillic accents', 'Москва́ Ёлка', 'москва елка'],
    ['full-width forms (NFKC)', 'ＴＴＰ　２０２４', 'ttp 2024'],
    [
      'hyphens and dashes',
      'Tehrik-i-Taliban — Pakistan–Afghanistan',
      'tehrik i taliban pakistan afghanistan',
    ],
    ['apostrophes and punctuation', "Pakistan's “talks”, (Doha)!", 'pakistan s talks doha'],
    ['whitespace collapsed and trimmed', '  Kabul \n\t  talks  ', 'kabul talks'],
    ['soft hyphen and zero-width joiners removed', 'Af\u00ADghan\u200Dis\u200Ctan', 'afghanistan'],
    ['zero-width space separates words', 'Kabul\u200BTalks', 'kabul talks'],
    ['bidi marks removed', '\u200FKabul\u200E', 'kabul'],
    ['symbols separate words', 'Pakistan+Afghanistan=peace', 'pakistan afghanistan peace'],
    ['Arabic kaf → keheh', 'پاكستان', 'پاکستان'],
    ['Arabic yeh → Farsi yeh', 'ايران', 'ایران'],
    ['alef maksura → Farsi yeh', 'على', 'علی'],
    ['teh marbuta → heh', 'مدرسة', 'مدرسه'],
    ['Urdu heh goal → heh', 'مدرسہ', 'مدرسه'],
    ['heh with yeh above (ezafe) → heh', 'خانۀ', 'خانه'],
    ['alef with hamza → alef', 'أفغانستان', 'افغانستان'],
    ['alef with madda → alef', 'آزادی', 'ازادی'],
    ['tatweel removed', 'پاکـــستان', 'پاکستان'],
    ['harakat removed', 'مُحَمَّد', 'محمد'],
    ['Persian and Arabic-Indic digits', '۱۴۰۳ و ٢٠٢٤', '1403 و 2024'],
    ['Arabic presentation forms (NFKC)', 'ﭘﺎﻛﺴﺘﺎﻥ', 'پاکستان'],
    ['lam-alef ligature (NFKC)', 'ﻻ', 'لا'],
    ['Persian ZWNJ between letters separates like a space', 'اسلام‌آباد', 'اسلام اباد'],
    ['Persian ZWNJ before a plural suffix', 'افغان‌ها', 'افغان ها'],
    ['ZWNJ at the edge of a word removed', '\u200Cکابل\u200C', 'کابل'],
    ['Pashto gaf → gaf', 'ننګرهار', 'ننگرهار'],
    ['Pashto retroflex letters → Urdu ones', 'ډیورنډ کرکټ کونړ', 'ڈیورنڈ کرکٹ کونڑ'],
    ['Pashto yeh forms → Farsi yeh', 'خبرې سیالۍ', 'خبری سیالی'],
    ['Urdu sentence punctuation', 'پاکستان۔ افغانستان، کابل؟', 'پاکستان افغانستان کابل'],
    ['hamza on a seat and yeh barree kept', 'ئ ؤ ے', 'ئ ؤ ے'],
    ['Indic vowel signs kept', 'पाकिस्तान', 'पाकिस्तान'],
    ['nothing to match', ' -- ! ', ''],
  ])('%s', (_name, input, expected) => {
    expect(normalizeText(input)).toBe(expected)
  })

  it('makes Arabic-, Persian- and Urdu-typed spellings of one word equal', () => {
    const forms = ['پاکستان', 'پاكستان', 'ﭘﺎﻛﺴﺘﺎﻥ', 'پاکـستان', 'پاکِستان']
    expect(new Set(forms.map(normalizeText))).toEqual(new Set(['پاکستان']))
  })

  it('is idempotent', () => {
    for (const s of ['TÜRKİYE’s', 'ﭘﺎﻛﺴﺘﺎﻥ', 'Tehrik-i-Taliban', 'Straße', 'مُحَمَّد ١٢']) {
      expect(normalizeText(normalizeText(s))).toBe(normalizeText(s))
    }
  })
})

describe('tokenize', () => {
  it.each([
    ['Pakistan–Afghanistan talks', ['pakistan', 'afghanistan', 'talks']],
    ['T20 World-Cup', ['t20', 'world', 'cup']],
    ['پاکستان اور افغانستان', ['پاکستان', 'اور', 'افغانستان']],
    ['   ', []],
    ['', []],
  ])('%s', (input, expected) => {
    expect(tokenize(input)).toEqual(expected)
  })

  it('gives the words of normalizeText for any ASCII text (its fast path builds no string)', () => {
    // Every character next to the ranges a–z, A–Z and 0–9 (/ : @ [ ` {) and the ranges' ends.
    const alphabet = 'aZ9_ -.,;:\'"()&\t\n/\\<>#%@[`{zA0'
    const next = seeded(2_026)
    const texts = [' -Leading and trailing- ', 'U.S.-led', 'snake_case', 'A&B <p>', '3.5m']
    for (let n = 0; n < 2_000; n++) {
      let t = ''
      for (let i = n % 23; i >= 0; i--) t += alphabet[next() % alphabet.length]
      texts.push(t)
    }
    for (const t of texts) {
      const n = normalizeText(t)
      expect(tokenize(t), JSON.stringify(t)).toEqual(n === '' ? [] : n.split(' '))
    }
  })
})

describe('htmlToText', () => {
  it.each([
    ['block tags become spaces', '<p>Torkham</p><p>reopens</p>', 'Torkham reopens'],
    [
      'inline tags do not split words',
      'Pak<b>istan</b> and <em>Af</em>ghanistan',
      'Pakistan and Afghanistan',
    ],
    [
      'attributes are not text',
      '<a href="https://taliban.example/x" title="Taliban">link</a>',
      'link',
    ],
    ['comments dropped', 'a<!-- Taliban > x -->b', 'a b'],
    [
      'entities decoded',
      'Tom &amp; Jerry &lt;3 &#8211; &#x41;&eacute; &bogus;',
      'Tom & Jerry <3 – Aé &bogus;',
    ],
    ['a lone < is text', 'a < b and c<3', 'a < b and c<3'],
    ['unclosed tag is text', 'x <b never closed', 'x <b never closed'],
    ['unclosed comment is text', 'x <!-- never', 'x <!-- never'],
    ['line breaks collapse', '<ul>\n<li>one</li>\n<li>two</li>\n</ul>', 'one two'],
    ['empty', '', ''],
    [
      'tag names in any case, with digits',
      'Pak<B>is</B>tan<h2>x</h2>y a<wbr>b</WBR>c',
      'Pakistan x y abc',
    ],
    ['declarations and instructions are tags', '<?xml version="1.0"?><!DOCTYPE html>a', 'a'],
    ['< before a digit is text', 'a <1> b', 'a <1> b'],
  ])('%s', (_name, html, expected) => {
    expect(htmlToText(html)).toBe(expected)
  })

  it('handles many unbalanced < without losing text', () => {
    const html = `${'<a'.repeat(20_000)}end`
    expect(htmlToText(html)).toBe(`${'<a'.repeat(20_000)}end`)
  })
})

describe('decodeEntities and collapseWhitespace', () => {
  it('leaves invalid code points as a space', () => {
    expect(decodeEntities('a&#0;b&#xD800;c')).toBe('a b c')
  })
  it('collapses every kind of whitespace', () => {
    expect(collapseWhitespace(' a\n\n b\t c ')).toBe('a b c')
    expect(collapseWhitespace('a\u00a0b\u2028c\ufeff')).toBe('a b c')
  })
  it('gives what replace and trim give, on random text with every kind of whitespace', () => {
    const alphabet = 'ab  \t\n\r\u000b\f\u00a0\u1680\u2000\u2028\u2029\u202f\u3000\ufeff.'
    const next = seeded(7)
    for (let n = 0; n < 3_000; n++) {
      let t = ''
      for (let i = n % 17; i >= 0; i--) t += alphabet[next() % alphabet.length]
      expect(collapseWhitespace(t), JSON.stringify(t)).toBe(t.replace(/\s+/g, ' ').trim())
    }
  })
})

describe('normalizeText and tokenize on ASCII text with ellipses (read without the Unicode pass)', () => {
  const PIECES = [
    'Torkham',
    'talks',
    'A',
    'b2',
    '…',
    '…',
    '...',
    ' ',
    '.',
    "'",
    '-',
    '\t',
    '|',
    '9',
  ]

  it('gives what the Unicode pass gives, on 3,000 random strings', () => {
    const next = seeded(7)
    for (let i = 0; i < 3000; i++) {
      const s = Array.from({ length: next() % 12 }, () => PIECES[next() % PIECES.length]).join('')
      const reference = normalizeUnicode(s)
      expect(normalizeText(s), JSON.stringify(s)).toBe(reference)
      expect(tokenize(s), JSON.stringify(s)).toEqual(reference === '' ? [] : reference.split(' '))
    }
  })

  it('still reads other characters beyond ASCII with the Unicode pass', () => {
    expect(normalizeText('Türkiye… talks')).toBe('turkiye talks')
    expect(tokenize('Kabul…’s')).toEqual(['kabul', 's'])
    expect(normalizeText('cut summary…')).toBe('cut summary')
  })
})

describe('nfkc', () => {
  it("is String.prototype.normalize('NFKC'), ellipses and all", () => {
    const next = seeded(2026)
    // ASCII, the ellipsis, and characters NFKC changes or composes (ligature, full-width, marks, ½).
    const alphabet = [
      'a',
      'Z',
      '.',
      ' ',
      '1',
      '\u2026',
      '\u2026',
      'e\u0301',
      '\u0301',
      'ﬁ',
      'Ａ',
      '½',
      'é',
      '\u2026\u0301',
    ]
    let plain = 0
    for (let i = 0; i < 5000; i++) {
      const s = Array.from(
        { length: next() % 12 },
        () => alphabet[next() % (i % 2 ? 7 : alphabet.length)],
      ).join('')
      // Half the strings are ASCII and ellipses only: nfkc's path without the Unicode pass.
      if (!/[^ -~\u2026]/.test(s) && s.includes('\u2026')) plain++
      expect(nfkc(s), JSON.stringify(s)).toBe(s.normalize('NFKC'))
    }
    expect(plain).toBeGreaterThan(1500)
    expect(nfkc('Torkham reopens…')).toBe('Torkham reopens...')
  })
})

describe('contentText', () => {
  it('gives htmlText and its ASCII test, whatever HTML was read before', () => {
    const pages = [
      '<p>Torkham</p><p>re<b>open</b>s &amp; trade</p>',
      '<p>Caf&eacute; in Doha</p>',
      '',
      '<p>Torkham</p><p>re<b>open</b>s &amp; trade</p>',
      '<p>talks resume…</p>',
    ]
    const next = seeded(5)
    for (let n = 0; n < 200; n++) {
      // The same HTML as a string of its own now and then (equal, not the same string).
      const page = pages[next() % pages.length]!
      const html = next() % 2 ? page : [...page].join('')
      const got = contentText(html)
      expect(got.text).toBe(htmlText(html))
      expect(got.ascii).toBe(takesAsciiPath(htmlText(html)))
    }
    expect(contentText('<p>Caf&eacute;</p>')).toEqual({ text: ' Café ', ascii: false })
    expect(contentText('<p>Doha…</p>')).toEqual({ text: ' Doha… ', ascii: true })
  })
})

describe('collapsedHead', () => {
  /** What it must give: collapseWhitespace's text, or a start of it of more than `max` characters. */
  const holds = (s: string, max: number): void => {
    const whole = collapseWhitespace(s)
    const head = collapsedHead(s, max)
    if (whole.length <= max) expect(head, JSON.stringify([s, max])).toBe(whole)
    else {
      expect(head.length, JSON.stringify([s, max])).toBeGreaterThan(max)
      expect(whole.startsWith(head), JSON.stringify([s, max])).toBe(true)
    }
  }
  it('reads only a head of a long text, whose collapse is a start of the whole', () => {
    expect(collapsedHead('a  b   c d', 2)).toBe('a b c d') // too short to be cut
    const long = `${'word '.repeat(200)}end`
    expect(collapsedHead(long, 600).length).toBeLessThan(collapseWhitespace(long).length)
    holds(long, 600)
    // A head that ends in a run of whitespace, or has too little text: the whole is collapsed.
    holds(`${'a'.repeat(30)}${' '.repeat(40)}b`, 10)
    holds(`${' '.repeat(80)}ab`, 10)
  })
  it('holds on random text with every kind of whitespace, surrogate pairs and any cap', () => {
    const alphabet = [
      ...'ab  \t\n\r\u000b\f\u00a0\u1680\u2000\u2028\u2029\u202f\u3000\ufeff.',
      '\u{1F600}',
      'word ',
      '  ',
    ]
    const next = seeded(23)
    for (let n = 0; n < 20_000; n++) {
      let t = ''
      for (let i = next() % 120; i >= 0; i--) t += alphabet[next() % alphabet.length]
      holds(t, next() % 60)
    }
  })
})

describe('leadsWith', () => {
  /** leadingWords is the oracle: the same answer, by stretches or by its own reading. */
  const same = (part: string, whole: string): void => {
    expect(leadsWith(part, whole), JSON.stringify([part, whole])).toBe(
      leadingWords(part, whole) >= 0,
    )
  }
  it('tells a summary cut from a text of paragraphs, and one that is not', () => {
    const text = ' Torkham reopens.  Trade resumes\n at dawn  today '
    expect(leadsWith('Torkham reopens. Trade…', text)).toBe(true)
    expect(leadsWith('Torkham reopens. Trade resumes at…', text)).toBe(true)
    expect(leadsWith('Torkham reopens. Trade resumes at dawn today', text)).toBe(true)
    expect(leadsWith('Torkham reopens. Trad…', text)).toBe(false)
    expect(leadsWith('Torkham reopens. Trade resumed…', text)).toBe(false)
    expect(leadsWith('Torkham reopens.\tTrade…', text)).toBe(true)
    expect(leadsWith('Torkham  reopens…', text)).toBe(true)
    expect(leadsWith('', text)).toBe(true)
  })
  it('agrees with leadingWords on random texts and summaries cut from them', () => {
    const pieces = [
      'Torkham',
      'trade',
      'a',
      '1',
      '.',
      ',',
      '…',
      ' ',
      ' ',
      ' ',
      '  ',
      '\t',
      '\n',
      ' \n ',
    ]
    const next = seeded(31)
    let leading = 0
    for (let n = 0; n < 30_000; n++) {
      let whole = ''
      for (let i = next() % 40; i >= 0; i--) whole += pieces[next() % pieces.length]
      // A summary as feeds make one: the text collapsed or as it is, cut, maybe with "…", now
      // and then a character changed.
      const from = next() % 2 ? collapseWhitespace(whole) : whole
      let part = from.slice(0, next() % (from.length + 1))
      if (next() % 2) part += '…'
      if (next() % 8 === 0 && part.length > 0) {
        const at = next() % part.length
        part = part.slice(0, at) + pieces[next() % pieces.length] + part.slice(at + 1)
      }
      same(part, whole)
      if (leadingWords(part, whole) >= 0) leading++
    }
    expect(leading).toBeGreaterThan(10_000)
  })
  it.skipIf(!corpusPresent())(
    'agrees with leadingWords on the corpus, its texts and summaries cut from them',
    async () => {
      let compared = 0
      for await (const { text: html } of corpusEntryTexts()) {
        const whole = htmlText(html)
        if (!takesAsciiPath(whole)) continue
        const text = collapseWhitespace(whole)
        for (const cut of [text.length, 600, 200, 37]) {
          same(text.slice(0, cut), whole)
          same(`${text.slice(0, cut)}…`, whole)
        }
        same(htmlToText(html), whole)
        compared++
      }
      expect(compared).toBeGreaterThan(5_000)
    },
    120_000,
  )
})

describe('hasNonAscii', () => {
  it('is /[\\u0080-\\uFFFF]/ on 20,000 random strings (ASCII, Latin-1, BMP, surrogate pairs and lone halves)', () => {
    const next = seeded(128)
    const units = [
      0, 9, 10, 32, 65, 97, 126, 127, 128, 129, 233, 255, 256, 0x2026, 0x600, 0xd800, 0xdbff,
      0xdc00, 0xdfff, 0xfeff, 0xffff,
    ]
    for (let k = 0; k < 20_000; k++) {
      const n = next() % 12
      let s = ''
      for (let i = 0; i < n; i++)
        s += String.fromCharCode(
          next() % 4 === 0 ? units[next() % units.length]! : 32 + (next() % 95),
        )
      expect(hasNonAscii(s), JSON.stringify(s)).toBe(/[\u0080-\uFFFF]/.test(s))
    }
    expect(hasNonAscii('Torkham reopens...')).toBe(false)
    expect(hasNonAscii('Torkham reopens…')).toBe(true)
    expect(hasNonAscii('')).toBe(false)
  })
})
