import { describe, expect, it } from 'vitest'
import { htmlToText, sanitizeHtml } from '../../src/ingest/sanitize.js'

const BASE = 'https://www.pkdaily.example/news/2026/03/10/story'
const clean = (html: string): string => sanitizeHtml(html, BASE)

describe('sanitizeHtml', () => {
  it('keeps ordinary article markup', () => {
    const html =
      '<h2>Talks</h2><p><em>In</em> <strong>Istanbul</strong></p><ul><li>one</li></ul>' +
      '<blockquote>quote</blockquote><figure><figcaption>cap</figcaption></figure>' +
      '<table><tr><td>1</td></tr></table>'
    expect(clean(html)).toBe(html)
  })

  it.each([
    ['script', '<p>a</p><script>alert(1)</script>', '<p>a</p>'],
    ['style', '<style>p{color:red}</style><p>a</p>', '<p>a</p>'],
    ['event handlers', '<p onclick="x()" onmouseover="y()">a</p>', '<p>a</p>'],
    ['style attributes', '<p style="position:fixed">a</p>', '<p>a</p>'],
    ['unknown tags, keeping text', '<section><font color="red">a</font></section>', 'a'],
    ['forms', '<form action="/x"><input name="q"><button>Go</button></form>', 'Go'],
    ['objects', '<object data="x.swf"></object><embed src="y.swf">', ''],
  ])('removes %s', (_case, html, expected) => {
    expect(clean(html)).toBe(expected)
  })

  it.each([
    ['javascript:', '<a href="javascript:alert(1)">x</a>', '<a>x</a>'],
    ['JaVaScRiPt: with spaces', '<a href=" JaVaScRiPt:alert(1)">x</a>', '<a>x</a>'],
    ['vbscript:', '<a href="vbscript:msgbox">x</a>', '<a>x</a>'],
    ['data: links', '<a href="data:text/html,<script>alert(1)</script>">x</a>', '<a>x</a>'],
    ['data: non-images', '<img src="data:text/html;base64,PHNjcmlwdD4=">', ''],
    ['ftp: links', '<a href="ftp://example.org/f">x</a>', '<a>x</a>'],
  ])('refuses %s URLs', (_case, html, expected) => {
    expect(clean(html)).toBe(expected)
  })

  it('allows http, https and mailto links, with rel="noopener noreferrer"', () => {
    expect(clean('<a href="https://e.org/a" target="_top" rel="opener">a</a>')).toBe(
      '<a href="https://e.org/a" rel="noopener noreferrer">a</a>',
    )
    expect(clean('<a href="mailto:desk@pkdaily.example">mail</a>')).toBe(
      '<a href="mailto:desk@pkdaily.example" rel="noopener noreferrer">mail</a>',
    )
  })

  it('allows data: image sources', () => {
    const src = 'data:image/png;base64,iVBORw0KGgo='
    expect(clean(`<img src="${src}" alt="dot">`)).toBe(`<img src="${src}" alt="dot" />`)
  })

  it('makes every relative URL absolute against the base', () => {
    expect(
      clean(
        '<a href="/topics/ttp">t</a><a href="../09/x">x</a><img src="img/a.jpg">' +
          '<a href="//cdn.pkdaily.example/f.pdf">f</a><blockquote cite="/src">q</blockquote>',
      ),
    ).toBe(
      '<a href="https://www.pkdaily.example/topics/ttp" rel="noopener noreferrer">t</a>' +
        '<a href="https://www.pkdaily.example/news/2026/03/09/x" rel="noopener noreferrer">x</a>' +
        '<img src="https://www.pkdaily.example/news/2026/03/10/img/a.jpg" />' +
        '<a href="https://cdn.pkdaily.example/f.pdf" rel="noopener noreferrer">f</a>' +
        '<blockquote cite="https://www.pkdaily.example/src">q</blockquote>',
    )
  })

  it('keeps YouTube and Vimeo embeds and drops other iframes', () => {
    const yt = '<iframe src="https://www.youtube.com/embed/abc" width="560" height="315"></iframe>'
    expect(clean(yt)).toBe(yt)
    expect(clean('<iframe src="https://player.vimeo.com/video/1"></iframe>')).toBe(
      '<iframe src="https://player.vimeo.com/video/1"></iframe>',
    )
    expect(clean('<iframe src="https://evil.example/x"></iframe><p>a</p>')).toBe('<p>a</p>')
    expect(clean('<iframe src="/embed/local"></iframe>')).toBe('')
  })

  it('drops images that lost their source', () => {
    expect(clean('<p><img src="javascript:x()" alt="a">b</p>')).toBe('<p>b</p>')
  })
})

describe('htmlToText', () => {
  it.each([
    ['<p>Talks&nbsp;resume</p><p>in <b>Doha</b></p>', 'Talks resume in Doha'],
    ['Trade &amp; transit &lt;2026&gt;', 'Trade & transit <2026>'],
    ['&#8220;Torkham&#8221; &rsquo;s queue', '“Torkham” ’s queue'],
    ['a<br>b<li>c</li>', 'a b c'],
    ['<script>var x = 1</script>visible<style>p{}</style>', 'visible'],
    ['  spaced \n\t out  ', 'spaced out'],
    ['AT&T and a < b', 'AT&T and a < b'],
    ['&amp;lt;escaped twice&amp;gt;', '&lt;escaped twice&gt;'],
    ['پاکستان اور <em>افغانستان</em>', 'پاکستان اور افغانستان'],
  ])('%j → %j', (html, expected) => {
    expect(htmlToText(html)).toBe(expected)
  })
})
