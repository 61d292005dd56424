/**
 * htmlToText reads HTML with htmlparser2 directly. The reference is what it replaced: a
 * sanitize-html pass with no tags allowed (text escaped, then the four escapes undone). Both must
 * give the same text for every title, summary and content of the corpus and for tricky fragments.
 */
import sanitize from 'sanitize-html'
import { describe, expect, it } from 'vitest'
import { htmlToText } from '../../src/ingest/sanitize.js'
import { corpusPresent } from '../helpers/corpus.js'
import { corpusEntryTexts } from '../helpers/corpus-texts.js'

const BLOCK_BOUNDARY =
  /<\/?(?:p|div|br|hr|li|ul|ol|dd|dt|dl|h[1-6]|tr|td|th|table|blockquote|pre|figure|figcaption|section|article|header|footer|aside|nav)\b[^>]*>/gi
const UNESCAPE: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"' }

const reference = (html: string): string => {
  if (!/[<&]/.test(html)) return html.replace(/\s+/g, ' ').trim()
  return sanitize(html.replace(BLOCK_BOUNDARY, ' $& '), {
    allowedTags: [],
    allowedAttributes: {},
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript'],
  })
    .replace(/&(?:amp|lt|gt|quot);/g, (e) => UNESCAPE[e] ?? e)
    .replace(/[\s\u00a0]+/g, ' ')
    .trim()
}

describe('htmlToText', () => {
  it.each([
    ['<p>Talks&nbsp;resume</p><p>in <b>Doha</b></p>', 'Talks resume in Doha'],
    [
      'A &amp;amp; B &lt;tag&gt; &quot;q&quot; &#8217; &eacute; &bogus;',
      'A &amp; B <tag> "q" ’ é &bogus;',
    ],
    ['x<script>alert(1)</script>y<style>p{}</style>z', 'xyz'],
    ['<noscript><p>hidden</p></noscript>shown<textarea>t</textarea>', 'shown'],
    ['<script>never closed <b>bold</b>', ''],
    ['Pak<b>istan</b> and <i>Afghan</i>istan', 'Pakistan and Afghanistan'],
    ['<a title="x>y" href="/a">link</a> text', 'link text'],
    ['<!-- comment --><![CDATA[data]]> after', 'after'],
    ['broken <p attr="unclosed>text', 'broken'],
    ['a < b and c > d', 'a < b and c > d'],
    ['<ul><li>one</li><li>two</li></ul>', 'one two'],
  ])('%j', (html, text) => {
    expect(htmlToText(html)).toBe(reference(html))
    expect(htmlToText(html)).toBe(text)
  })
})

const PRESENT = corpusPresent()
describe.skipIf(!PRESENT)('htmlToText on the corpus', () => {
  it('gives what a sanitize-html pass gives, for every title, summary and content', async () => {
    let compared = 0
    for await (const { file, text } of corpusEntryTexts()) {
      expect(htmlToText(text), `${file}: ${text.slice(0, 80)}`).toBe(reference(text))
      compared++
    }
    expect(compared).toBeGreaterThan(10_000)
  }, 120_000)
})
