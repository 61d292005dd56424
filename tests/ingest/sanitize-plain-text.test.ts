/**
 * htmlToText reads HTML of plain tags and text in one pass of its own (plainTagsText) and any
 * other HTML with htmlparser2 (htmlToTextParsed, what it always did): the two must give the same
 * text for every fragment, those the pass reads and those it leaves to htmlparser2.
 */
import { describe, expect, it } from 'vitest'
import { htmlToText, htmlToTextParsed } from '../../src/ingest/sanitize.js'
import { corpusPresent } from '../helpers/corpus.js'
import { corpusEntryTexts } from '../helpers/corpus-texts.js'
import { mulberry32 } from '../helpers/random.js'
import { CHARACTER_REFERENCES, randomFragment } from '../helpers/random-html.js'

const TAGS = ['p', 'P', 'a', 'b', 'br', 'img', 'div', 'li', 'ul', 'h2', 'td', 'span', 'em', 'pre']
const ODD_TAGS = [
  'script',
  'style',
  'title',
  'textarea',
  'noscript',
  'option',
  'svg',
  'x',
  'p-x',
  'tt',
]
const TEXT = ['Torkham', ' ', '  ', '\n', '\t', 'reopens', '>', 'a', '.', '’', '\u00a0', 'x\r\n']
const ODD_TEXT = ['<', '&amp;', '&', '&nbsp;', '<!-- c -->', '<![CDATA[d]]>', '< b', '<3', '</>']
const ATTRS = [
  ' href="https://e.org/a"',
  " alt='one two'",
  ' hidden',
  ' title="a/b"',
  '  data-x="1"\n',
  ' src="x.jpg"',
]
const ODD_ATTRS = [
  ' href=x',
  ' title="a>b"',
  ' t="<p>"',
  ' q="a&amp;b"',
  ' a = "b"',
  ' a="b"c',
  ' "x"',
]

/** Random HTML, mostly of the plain form, sometimes with something that is not. */
const fragment = (
  rnd: () => number,
  text: readonly string[] = TEXT,
  oddText: readonly string[] = ODD_TEXT,
): string =>
  randomFragment(rnd, {
    text,
    oddText,
    textShare: 0.4,
    oddTextShare: 0.03,
    tags: TAGS,
    oddTags: ODD_TAGS,
    oddTagShare: 0.05,
    attribute: (r, pick) => (r() < 0.08 ? pick(ODD_ATTRS) : pick(ATTRS)),
    attributeChance: 0.4,
    closingSpace: 0.1,
    ends: [
      ['/>', 0.1],
      [' />', 0.05],
      ['', 0.03],
    ],
  })

describe('htmlToText of plain tags and text (one pass) against htmlparser2', () => {
  it.each([
    '<p>Talks resume</p><p>in <b>Doha</b></p>',
    'Pak<b>istan</b> and <i>Afghan</i>istan',
    '<p><a href="https://e.org/a#more">more</a>.</p><p><img src="https://e.org/1.jpg" alt="x y"> z</p>',
    '<UL><LI>one</LI><li >two</li ></ul>',
    'a > b <br/>c<br />d<hr>e',
    '<p title="a/b" hidden>x</p>',
    '<p>unclosed <b>bold',
  ])('%j', (html) => {
    expect(htmlToText(html)).toBe(htmlToTextParsed(html))
  })

  it('gives the same text on 50,000 random fragments', () => {
    const rnd = mulberry32(21)
    for (let n = 0; n < 50_000; n++) {
      const html = fragment(rnd)
      expect(htmlToText(html), JSON.stringify(html)).toBe(htmlToTextParsed(html))
    }
  })

  it('gives the same text on 50,000 random fragments with character references', () => {
    const rnd = mulberry32(2111)
    const text = [...TEXT, ...CHARACTER_REFERENCES.slice(0, 16)]
    for (let n = 0; n < 50_000; n++) {
      const html = fragment(rnd, text, CHARACTER_REFERENCES)
      expect(htmlToText(html), JSON.stringify(html)).toBe(htmlToTextParsed(html))
    }
  })
})

describe.skipIf(!corpusPresent())('htmlToText of plain tags and text on the corpus', () => {
  it('gives what htmlparser2 gives, for every title, summary and content', async () => {
    let compared = 0
    for await (const { file, text } of corpusEntryTexts()) {
      expect(htmlToText(text), `${file}: ${text.slice(0, 80)}`).toBe(htmlToTextParsed(text))
      compared++
    }
    expect(compared).toBeGreaterThan(10_000)
  }, 120_000)
})
