/**
 * sanitizeHtml does not call sanitize-html for text with no '<', '>' or '&'. The reference is the
 * sanitiser itself: on such text, sanitize-html (its defaults, and our options with the text inside
 * an allowed tag) must give the text back as it is, for every corpus field and for random strings.
 */
import sanitize from 'sanitize-html'
import { describe, expect, it } from 'vitest'
import { sanitizeHtml } from '../../src/ingest/sanitize.js'
import { corpusPresent } from '../helpers/corpus.js'
import { corpusEntryTexts } from '../helpers/corpus-texts.js'
import { seeded } from '../helpers/random.js'

const BASE = 'https://example.org/news/'

/**
 * Checks sanitizeHtml against the sanitiser for a string with no '<' (no tag to read, so the
 * options, which are about tags and attributes, play no part); false for one with a '<'.
 */
const agrees = (text: string, where: string): boolean => {
  if (text.includes('<')) return false
  expect(sanitizeHtml(text, BASE), where).toBe(sanitize(text).trim())
  // Through our options too: the text inside a tag is what the sanitiser makes of it alone.
  expect(sanitizeHtml(`<b>${text}</b>`, BASE), where).toBe(`<b>${sanitize(text)}</b>`)
  return true
}

/** Characters that matter to a tokenizer or an escaper, and some beyond ASCII. */
const ALPHABET = [
  ...'aZ09 \t\n\r\f\v"\'=/!?-;:#.,()[]{}*%$@\\`~^|',
  '\u0000',
  '\u00a0',
  'é',
  '…',
  '\u200b',
  '\u2028',
  'پ',
  '\ud83d\ude00',
  '\ud800',
  'x;',
  '#39;',
  'amp;',
  '<',
  '>',
  '&',
]

describe('sanitizeHtml on text without markup', () => {
  it.each([
    ['plain words', 'Talks resume in Doha'],
    ['spaces around', '  \n\tTalks resume\r\n  '],
    ['quotes and an entity name without its ampersand', 'He said "x" it\'s #39; nbsp;'],
    ['empty', ''],
    ['only whitespace', ' \n '],
  ])('%s', (_, text) => {
    expect(agrees(text, text)).toBe(true)
  })

  it('gives what the sanitiser gives for random strings', () => {
    const next = seeded(21)
    let applied = 0
    for (let n = 0; n < 3_000; n++) {
      const length = next() % 40
      let text = ''
      for (let i = 0; i < length; i++) text += ALPHABET[next() % ALPHABET.length]
      if (agrees(text, JSON.stringify(text))) applied++
    }
    expect(applied).toBeGreaterThan(1_000)
  })
})

const PRESENT = corpusPresent()
describe.skipIf(!PRESENT)('sanitizeHtml on the corpus, text without markup', () => {
  it('gives what the sanitiser gives, for every title, summary, content and author', async () => {
    let compared = 0
    for await (const { file, text } of corpusEntryTexts())
      if (agrees(text, `${file}: ${text.slice(0, 80)}`)) compared++
    expect(compared).toBeGreaterThan(1_000)
  }, 120_000)
})
