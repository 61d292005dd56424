/**
 * sanitizeHtml writes HTML of plain article tags and text itself (plainSanitized) and gives any
 * other HTML to sanitize-html (sanitizeHtmlParsed, what it always did): the two must give the same
 * HTML for every fragment, those it writes and those it leaves to sanitize-html.
 */
import { describe, expect, it } from 'vitest'
import {
  htmlToText,
  sanitizeHtml,
  sanitizeHtmlAndText,
  sanitizeHtmlParsed,
} from '../../src/ingest/sanitize.js'
import { corpusPresent } from '../helpers/corpus.js'
import { corpusEntryTexts } from '../helpers/corpus-texts.js'
import { mulberry32 } from '../helpers/random.js'
import { CHARACTER_REFERENCES, type Pick, randomFragment } from '../helpers/random-html.js'

const BASES = ['https://e.org/news/1', 'http://127.0.0.2/f.xml', 'https://x.example/a/b/?q=1']
const TAGS = ['p', 'a', 'A', 'img', 'IMG', 'br', 'b', 'em', 'span', 'strong', 'code', 'p', 'a']
const ODD_TAGS = ['div', 'iframe', 'script', 'li', 'font', 'h2', 'x', 'title', 'svg']
const TEXT = ['Torkham', ' ', ' \n ', 'reopens', '>', '"q"', "it's", '.', '’', '\u00a0', '\r\n']
const ODD_TEXT = ['<', '&amp;', '&', '<!-- c -->', '< b', '</>']
const URLS = [
  'https://e.org/a',
  '/rel/path',
  'rel',
  '#frag',
  '//proto.rel/x',
  'javascript:alert(1)',
  ' java\nscript:x',
  'mailto:a@b.org',
  'data:image/png;base64,AAAA',
  'data:text/html,x',
  'ftp://f.org/x',
  'HTTPS://UP.ORG/A',
  '',
  ' https://e.org/sp ',
  'http://[bad',
  "it's",
  'a"b',
  'tel:123',
  // Resolved to an http(s) URL the parser wrote (spaces, tabs and a comment inside).
  'https://e.org/a b',
  '/x\ty/\u0001z',
  'https://e.org/a?q=--&r=%3C!--x--%3E',
]
const ATTR_NAMES = [
  'href',
  'src',
  'alt',
  'title',
  'rel',
  'width',
  'height',
  'onclick',
  'style',
  'HREF',
  'data-x',
  'class',
  'cite',
]

const attribute = (rnd: () => number, pick: Pick): string => {
  const name = pick(ATTR_NAMES)
  const r = rnd()
  if (r < 0.1) return ` ${name}`
  const value = rnd() < 0.7 ? pick(URLS) : pick(['x', '', '50', 'a b', 'noopener', 'O\'Neil "q"'])
  if (r < 0.2 || value.includes('"')) return ` ${name}='${value.replace(/'/g, '')}'`
  return ` ${name}="${value}"`
}

/** Random HTML, mostly of the plain form, sometimes with something that is not. */
const fragment = (
  rnd: () => number,
  text: readonly string[] = TEXT,
  oddText: readonly string[] = ODD_TEXT,
): string =>
  randomFragment(rnd, {
    text,
    oddText,
    textShare: 0.35,
    oddTextShare: 0.02,
    tags: TAGS,
    oddTags: ODD_TAGS,
    oddTagShare: 0.04,
    attribute,
    attributeChance: 0.5,
    closingSpace: 0,
    ends: [
      ['/>', 0.08],
      [' />', 0.05],
      ['', 0.02],
    ],
  })

describe('sanitizeHtml of plain article tags (written without a parser) against sanitize-html', () => {
  it.each([
    '<p>Talks <a href="/more">resume</a> in <b>Doha</b>.</p><p><img src="/1.jpg" alt="x"> z</p>',
    '<p>x <a href="javascript:alert(1)" title="t">y</a></p>',
    '<img src="javascript:x"><img alt=""><img src="data:image/png;base64,AA" alt>',
    '<p>a > b<br/>c<br />d</p>',
    '<p>unclosed <b>bold <em>both',
    '<a href="//evil.example/x">p</a><a href="mailto:a@b.org" rel="x">m</a>',
    '<A HREF="/up" Title="T" title="second">u</A>',
  ])('%j', (html) => {
    for (const base of BASES) expect(sanitizeHtml(html, base)).toBe(sanitizeHtmlParsed(html, base))
  })

  it('gives the same HTML on 40,000 random fragments', () => {
    const rnd = mulberry32(10)
    for (let n = 0; n < 40_000; n++) {
      const html = fragment(rnd)
      const base = BASES[n % BASES.length] as string
      expect(sanitizeHtml(html, base), JSON.stringify(html)).toBe(sanitizeHtmlParsed(html, base))
    }
  })

  it('gives the same HTML on 40,000 random fragments with character references', () => {
    const rnd = mulberry32(2111)
    const text = [...TEXT, ...CHARACTER_REFERENCES.slice(0, 16)]
    for (let n = 0; n < 40_000; n++) {
      const html = fragment(rnd, text, CHARACTER_REFERENCES)
      const base = BASES[n % BASES.length] as string
      expect(sanitizeHtml(html, base), JSON.stringify(html)).toBe(sanitizeHtmlParsed(html, base))
    }
  })
})

describe('sanitizeHtmlAndText against sanitizeHtml and htmlToText apart', () => {
  it('gives the same HTML and text on 40,000 random fragments, with and without references', () => {
    const rnd = mulberry32(77)
    const text = [...TEXT, ...CHARACTER_REFERENCES.slice(0, 16)]
    let written = 0
    for (let n = 0; n < 40_000; n++) {
      const html = n % 2 ? fragment(rnd) : fragment(rnd, text, CHARACTER_REFERENCES)
      const base = BASES[n % BASES.length] as string
      const both = sanitizeHtmlAndText(html, base)
      expect(both, JSON.stringify(html)).toEqual({
        html: sanitizeHtml(html, base),
        text: htmlToText(html),
      })
      if (both.text !== '' && html.includes('<')) written++
    }
    expect(written).toBeGreaterThan(20_000)
  })

  it('gives htmlToText, or a start of it of more than textMax characters, with textMax', () => {
    const rnd = mulberry32(78)
    const text = [...TEXT, ...CHARACTER_REFERENCES.slice(0, 16)]
    let cut = 0
    // Paragraphs of words, whitespace and references, with a random fragment now and then:
    // texts long enough to be cut.
    const pieces = [...text, '<p>', '</p>', '<b>', '</b>', '<br>', ' Doha talks ', '&amp;', '  ']
    for (let n = 0; n < 10_000; n++) {
      let html = n % 3 === 0 ? fragment(rnd) : ''
      for (let k = n % 90; k >= 0; k--) html += pieces[Math.floor(rnd() * pieces.length)]
      const base = BASES[n % BASES.length] as string
      const max = Math.floor(rnd() * 60)
      const both = sanitizeHtmlAndText(html, base, max)
      const whole = htmlToText(html)
      expect(both.html, JSON.stringify(html)).toBe(sanitizeHtml(html, base))
      if (whole.length <= max) expect(both.text, JSON.stringify(html)).toBe(whole)
      else {
        expect(both.text.length, JSON.stringify(html)).toBeGreaterThan(max)
        expect(whole.startsWith(both.text), JSON.stringify([html, max])).toBe(true)
        if (both.text.length < whole.length) cut++
      }
    }
    expect(cut).toBeGreaterThan(200)
  })
})

describe.skipIf(!corpusPresent())('sanitizeHtml of plain article tags on the corpus', () => {
  it('gives what sanitize-html gives, for every title, summary and content', async () => {
    let compared = 0
    for await (const { file, text } of corpusEntryTexts()) {
      const base = 'https://corpus.example/news/item'
      expect(sanitizeHtml(text, base), `${file}: ${text.slice(0, 80)}`).toBe(
        sanitizeHtmlParsed(text, base),
      )
      expect(sanitizeHtmlAndText(text, base), `${file}: ${text.slice(0, 80)}`).toEqual({
        html: sanitizeHtml(text, base),
        text: htmlToText(text),
      })
      compared++
    }
    expect(compared).toBeGreaterThan(10_000)
  }, 120_000)
})
