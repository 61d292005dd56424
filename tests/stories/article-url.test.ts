import { describe, expect, it } from 'vitest'
import { isArticleUrl } from '../../src/stories/story-index.js'
import { seeded } from '../helpers/random.js'

/** What isArticleUrl was written as: the URL parser's path longer than "/", or a query. */
const parsed = (url: string): boolean => {
  try {
    const u = new URL(url)
    return u.pathname.length > 1 || u.search.length > 1
  } catch {
    return false
  }
}

describe('isArticleUrl', () => {
  it('is what the URL parser says on plain and tricky URLs alike', () => {
    const next = seeded(5)
    const pick = <T>(xs: readonly T[]): T => xs[next() % xs.length]!
    const schemes = ['https://', 'http://', 'HTTPS://', 'ftp://', '', 'https:/', ' https://']
    const hosts = [
      'example.com',
      'news.example.co.uk',
      'Example.com',
      'a',
      'a.b-c.d',
      '1.2.3.4',
      '1.2.3.999',
      'example.123',
      'example.0x1f',
      'a.1b',
      'xn--ls8h.la',
      'xn--zz.com',
      'a..b',
      '-a.com',
      'a-.com',
      'a.com.',
      'a.com..',
      '.a.com',
      '',
      'a b.com',
      'user@a.com',
      'a.com:80',
      'a.com:99999',
      'a\tb.com',
      '[::1]',
    ]
    const parts = ['/', '/', 'a', 'Z', '0', '-', '_', '~', '.', '..', '%2e', '%2E', '%', '\\']
    const rare = [' ', '\t', '\n', 'é', '?', '#', ';', '@', ':', '?a', '?\t', '#x', '? ']
    const urls = [
      'https://example.com/',
      'https://example.com',
      'https://example.com/?',
      'https://example.com/?x=1',
      'https://example.com/?#a',
      'https://example.com//',
      'https://example.com/./',
      'https://example.com/a/..',
      'https://example.com/%2e%2e',
      'https://example.com/\t',
      'https://example.com/? ',
      'https://example.com/?\t\n',
      'https://example.com/a?b#c',
    ]
    for (let i = 0; i < 30_000; i++) {
      let path = ''
      const n = next() % 7
      for (let k = 0; k < n; k++) path += next() % 8 === 0 ? pick(rare) : pick(parts)
      urls.push(`${pick(schemes)}${pick(hosts)}${next() % 4 === 0 ? '' : '/'}${path}`)
    }
    let articles = 0
    for (const url of urls) {
      expect([url, isArticleUrl(url)]).toEqual([url, parsed(url)])
      if (parsed(url)) articles++
    }
    // Both answers are exercised.
    expect(articles).toBeGreaterThan(3_000)
    expect(articles).toBeLessThan(27_000)
  })
})
