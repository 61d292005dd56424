import { describe, expect, it } from 'vitest'
import { canonicalUrl, resolveUrl } from '../../src/util/url.js'

describe('resolveUrl', () => {
  it.each([
    ['/news/1', 'https://example.org/feed.xml', 'https://example.org/news/1'],
    ['news/1', 'https://example.org/en/feed.xml', 'https://example.org/en/news/1'],
    ['../a', 'https://example.org/en/x/', 'https://example.org/en/a'],
    ['//cdn.example.org/i.jpg', 'https://example.org/', 'https://cdn.example.org/i.jpg'],
    ['  https://other.example/a  ', 'https://example.org/', 'https://other.example/a'],
    ['https://other.example/a', 'not a url', 'https://other.example/a'],
    ['mailto:desk@example.org', 'https://example.org/', 'mailto:desk@example.org'],
  ])('resolves %j against %j', (href, base, expected) => {
    expect(resolveUrl(href, base)).toBe(expected)
  })

  it.each([undefined, '', '   '])('gives undefined for the empty reference %j', (href) => {
    expect(resolveUrl(href, 'https://example.org/')).toBeUndefined()
  })

  it('gives undefined when neither the reference nor the pair is a URL', () => {
    expect(resolveUrl('relative/only', 'also relative')).toBeUndefined()
    expect(resolveUrl('http://exa mple.org/', 'https://example.org/')).toBeUndefined()
  })
})

describe('canonicalUrl', () => {
  it.each([
    ['scheme and host case, www', 'HTTP://WWW.Example.ORG/News/1', 'https://example.org/News/1'],
    ['default ports', 'https://example.org:443/a', 'https://example.org/a'],
    ['non-default ports kept', 'https://example.org:8443/a', 'https://example.org:8443/a'],
    ['fragment', 'https://example.org/a#comments', 'https://example.org/a'],
    [
      'utm_* and click ids',
      'https://example.org/a?utm_source=x&utm_medium=feed&fbclid=1&gclid=2&id=7',
      'https://example.org/a?id=7',
    ],
    [
      'mailchimp, ref and cmpid',
      'https://example.org/a?mc_cid=1&mc_eid=2&ref=rss&cmpid=3',
      'https://example.org/a',
    ],
    ['sorted query', 'https://example.org/a?b=2&a=1&a=0', 'https://example.org/a?a=0&a=1&b=2'],
    ['trailing slash', 'https://example.org/news/1/', 'https://example.org/news/1'],
    ['root keeps its slash', 'https://example.org', 'https://example.org/'],
    ['/amp suffix', 'https://example.org/news/1/amp', 'https://example.org/news/1'],
    ['/amp/ suffix', 'https://example.org/news/1/amp/', 'https://example.org/news/1'],
    ['.amp suffix', 'https://example.org/news/world-1.amp', 'https://example.org/news/world-1'],
    ['amp. host', 'https://amp.example.org/news/1', 'https://example.org/news/1'],
    ['?amp=1', 'https://example.org/news/1?amp=1', 'https://example.org/news/1'],
    ['?outputType=amp', 'https://example.org/news/1?outputType=amp', 'https://example.org/news/1'],
    ['m. host', 'https://m.example.org/news/1', 'https://example.org/news/1'],
    ['a two-label host keeps its prefix', 'https://www.co/a', 'https://www.co/a'],
    [
      'any mc_* parameter',
      'https://example.org/a?mc_tc=1&mc_id=2&id=7',
      'https://example.org/a?id=7',
    ],
    [
      '.amp.html suffix',
      'https://example.org/news/world-1.amp.html',
      'https://example.org/news/world-1.html',
    ],
    [
      'a Google AMP cache address',
      'https://www-example-org.cdn.ampproject.org/c/s/www.example.org/news/1/amp?utm_source=x',
      'https://example.org/news/1',
    ],
    [
      'a Google AMP cache address of an http page',
      'https://news-example-org.cdn.ampproject.org/v/news.example.org/a.amp?b=2',
      'https://news.example.org/a?b=2',
    ],
  ])('folds %s', (_case, input, expected) => {
    expect(canonicalUrl(input)).toBe(expected)
  })

  it('makes the http and https, tracked and untracked copies of one article equal', () => {
    const a = canonicalUrl('http://www.pkdaily.example/news/2026/03/10/torkham-reopens-trade')
    const b = canonicalUrl(
      'https://pkdaily.example/news/2026/03/10/torkham-reopens-trade/?utm_source=frontierwire',
    )
    expect(a).toBe(b)
  })

  it('folds every AMP variant of one article to the same identity', () => {
    const variants = [
      'https://www.example.org/news/2041/torkham',
      'https://amp.example.org/news/2041/torkham',
      'https://example.org/news/2041/torkham/amp/',
      'https://example.org/news/2041/torkham?amp=1',
      'https://example.org/news/2041/torkham?outputType=amp',
      'https://www-example-org.cdn.ampproject.org/c/s/www.example.org/news/2041/torkham/amp',
    ]
    expect(new Set(variants.map(canonicalUrl))).toEqual(
      new Set(['https://example.org/news/2041/torkham']),
    )
  })

  it('keeps parameters that select content', () => {
    expect(canonicalUrl('https://example.org/article.php?id=2041&lang=en')).toBe(
      'https://example.org/article.php?id=2041&lang=en',
    )
  })

  it('returns non-web and invalid URLs trimmed but otherwise as written', () => {
    expect(canonicalUrl(' urn:uuid:1234 ')).toBe('urn:uuid:1234')
    expect(canonicalUrl('not a url')).toBe('not a url')
  })
})
