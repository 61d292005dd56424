import { describe, expect, it } from 'vitest'
import { canonicalOfParsed, canonicalUrl, isPlainHttpUrl, resolveUrl } from '../../src/util/url.js'
import { mulberry32 } from '../helpers/random.js'

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

/**
 * Random URLs near the plain ones feeds carry: schemes, hosts (www./m./amp. prefixes, upper case,
 * digits, IPv4-like, xn--, trailing dots, ports, users), paths of characters the parser keeps,
 * escapes or reads specially (dot segments, %2e, backslash, spaces, non-ASCII), AMP suffixes,
 * queries and fragments.
 */
const randomUrl = (rnd: () => number): string => {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T
  const some = (alphabet: string, max: number) =>
    Array.from({ length: Math.floor(rnd() * (max + 1)) }, () => pick([...alphabet])).join('')
  /** Mostly what is plain, sometimes one of the rest. */
  const plainOr = <T>(plain: readonly T[], rest: readonly T[]): T =>
    rnd() < 0.85 ? pick(plain) : pick(rest)
  const scheme = plainOr(['https://', 'http://'], ['HTTP://', 'https:', 'ftp://', '//', ''])
  const label = () =>
    plainOr(
      [
        `a${some('bz09-', 5)}`,
        some('abz09-', 6) || 'a',
        'www',
        'www2',
        'm',
        'amp',
        'cdn',
        'ampproject',
        'org',
      ],
      ['xn--bcher-kva', 'xn--zz', 'Example', '127', '0x7f', '1e', ''],
    )
  const host =
    Array.from({ length: 1 + Math.floor(rnd() * 4) }, label).join('.') +
    plainOr([''], ['.', ':80', ':443', ':8080', ':0080', '@x', ':'])
  const user = rnd() < 0.05 ? 'u:p@' : ''
  const segment = () =>
    plainOr(
      [some("abcAZ09-._~!$&'()*+,;=:@%", 8), 'amp', 'x.amp', 'x.amp.html', 'x.AMP', ''],
      ['.', '..', '%2e', '%2E.', 'a b', 'é', 'a\\b', '^{}|[]`"<>', '\t'],
    )
  const path =
    rnd() < 0.95 ? `/${Array.from({ length: Math.floor(rnd() * 5) }, segment).join('/')}` : ''
  const query =
    rnd() < 0.2
      ? `?${plainOr([some('abc=&?/%09', 10)], [some("abc=&?/%'09 <", 10)])}${rnd() < 0.2 ? '&utm_source=x&amp=1' : ''}`
      : ''
  const fragment =
    rnd() < 0.3 ? `#${plainOr([some("abc#?/%'09", 8)], [some("abc#?/%'`09 ", 8)])}` : ''
  return `${scheme}${user}${host}${path}${query}${fragment}`
}

describe('the plain URL paths (no URL object)', () => {
  const viaParser = (h: string, base: string): string | undefined => {
    try {
      return new URL(h, base).href
    } catch {
      try {
        return new URL(h).href
      } catch {
        return undefined
      }
    }
  }

  it('resolveUrl gives what new URL gives, and a plain URL is one the parser writes back as it is', () => {
    const rnd = mulberry32(2113)
    let plain = 0
    for (let i = 0; i < 10_000; i++) {
      const h = randomUrl(rnd)
      if (isPlainHttpUrl(h)) {
        plain++
        expect(new URL(h).href, h).toBe(h)
      }
      for (const base of ['https://example.org/feed.xml', 'not a url'])
        if (h.trim()) expect(resolveUrl(h, base), `${h} on ${base}`).toBe(viaParser(h.trim(), base))
    }
    // Both paths are taken often.
    expect(plain).toBeGreaterThan(1_500)
    expect(plain).toBeLessThan(8_500)
  })

  it('canonicalUrl gives what the URL object path gives', () => {
    const rnd = mulberry32(77)
    for (let i = 0; i < 10_000; i++) {
      const h = randomUrl(rnd)
      expect(canonicalUrl(h), h).toBe(canonicalOfParsed(h.trim()))
    }
    expect(canonicalUrl('https://www.example.org/a/b.amp.html#x')).toBe(
      'https://example.org/a/b.html',
    )
  })
})
