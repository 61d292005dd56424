/** The JSON Feed checker of tests/helpers must catch what it claims to. */
import { describe, expect, it } from 'vitest'
import { validateJsonFeed } from '../helpers/json-feed.js'

describe('validateJsonFeed (the checker must catch what it claims to)', () => {
  const good = {
    version: 'https://jsonfeed.org/version/1.1',
    title: 'T',
    feed_url: 'http://127.0.0.1/x.json',
    items: [{ id: 'urn:uuid:1', content_text: 'x', date_published: '2026-03-10T12:00:00.000Z' }],
  }
  it.each<[string, unknown, string]>([
    ['a wrong version', { ...good, version: 'https://jsonfeed.org/version/1' }, 'version'],
    ['no title', { ...good, title: undefined }, 'title: is required'],
    ['a relative URL', { ...good, feed_url: '/x.json' }, 'not an absolute URL'],
    ['an item without content', { ...good, items: [{ id: 'a' }] }, 'content_html or content_text'],
    ['duplicate ids', { ...good, items: [good.items[0], good.items[0]] }, 'duplicate'],
    [
      'a bad date',
      { ...good, items: [{ ...good.items[0], date_published: '10 March' }] },
      'RFC 3339',
    ],
    ['an unknown member', { ...good, colour: 'red' }, 'unknown member "colour"'],
    [
      'an attachment without type',
      { ...good, items: [{ ...good.items[0], attachments: [{ url: 'http://a/b' }] }] },
      'mime_type',
    ],
  ])('rejects %s', (_what, doc, problem) => {
    expect(validateJsonFeed(good)).toEqual([])
    expect(validateJsonFeed(doc).join('\n')).toContain(problem)
  })
})
