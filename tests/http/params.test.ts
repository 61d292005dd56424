import { describe, expect, it } from 'vitest'
import { negotiateFormat, splitNameExt } from '../../src/http/negotiate.js'
import { parseItemQuery } from '../../src/http/params.js'
import { normaliseFeedQuery } from '../../src/http/scope.js'
import { InvalidParamError } from '../../src/model/errors.js'
import type { FeedFormat, ItemQuery } from '../../src/model/types.js'

const NOW = new Date('2025-07-01T12:00:00.000Z')

/** The error parseItemQuery throws for these params (fails the test when it does not throw). */
const errorFor = (
  params: Record<string, string | string[]>,
  opts?: { allowed?: readonly string[] },
): InvalidParamError => {
  try {
    parseItemQuery(params, NOW, opts)
  } catch (err) {
    if (err instanceof InvalidParamError) return err
    throw err
  }
  throw new Error(`expected InvalidParamError for ${JSON.stringify(params)}`)
}

describe('parseItemQuery: defaults', () => {
  it('returns limit 50 and collapsed clusters for an empty query, and nothing else', () => {
    expect(parseItemQuery({}, NOW)).toStrictEqual({ limit: 50, clusters: 'collapse' })
  })

  it.each(['q', 'since', 'limit', 'topic', 'source', 'lang', 'cursor'])(
    'rejects an empty or blank %s (an empty filter would silently match everything)',
    (name) => {
      for (const value of ['', '  ']) {
        expect(() => parseItemQuery({ [name]: value }, NOW)).toThrow(
          expect.objectContaining({ param: name, message: expect.stringMatching(/is empty/) }),
        )
      }
    },
  )

  it('tolerates an allowed extra parameter with an empty value (the route reads it)', () => {
    expect(parseItemQuery({ explain: '' }, NOW, { allowed: ['explain'] })).toStrictEqual({
      limit: 50,
      clusters: 'collapse',
    })
  })
})

describe('parseItemQuery: good values', () => {
  it.each<[string, Record<string, string>, Partial<ItemQuery>]>([
    ['topic list, trimmed and deduplicated', { topic: ' a , b,a,,' }, { topics: ['a', 'b'] }],
    [
      'topic names kept as given (the route checks them)',
      { topic: 'Nope X' },
      { topics: ['Nope X'] },
    ],
    ['not_topic', { not_topic: 'cricket' }, { notTopics: ['cricket'] }],
    ['source list', { source: 'dawn,tolonews' }, { sources: ['dawn', 'tolonews'] }],
    ['q words', { q: 'Torkham Trade' }, { q: { include: ['torkham', 'trade'], exclude: [] } }],
    [
      'q phrase and exclusions',
      { q: '"Durand  Line" -cricket -"world cup" border' },
      { q: { include: ['durand line', 'border'], exclude: ['cricket', 'world cup'] } },
    ],
    [
      'q curly quotes',
      { q: '“transit trade”' },
      { q: { include: ['transit trade'], exclude: [] } },
    ],
    ['q dedupes', { q: 'a A a' }, { q: { include: ['a'], exclude: [] } }],
    [
      'q keeps inner hyphens',
      { q: 'tehrik-i-taliban' },
      { q: { include: ['tehrik-i-taliban'], exclude: [] } },
    ],
    ['q Urdu', { q: 'پاکستان' }, { q: { include: ['پاکستان'], exclude: [] } }],
    ['since 24h', { since: '24h' }, { since: '2025-06-30T12:00:00.000Z' }],
    ['since 7d', { since: '7d' }, { since: '2025-06-24T12:00:00.000Z' }],
    ['since 90m', { since: '90m' }, { since: '2025-07-01T10:30:00.000Z' }],
    ['since 1h30m', { since: '1h30m' }, { since: '2025-07-01T10:30:00.000Z' }],
    ['since date', { since: '2025-06-01' }, { since: '2025-06-01T00:00:00.000Z' }],
    ['since date-time Z', { since: '2025-06-01T08:30:00Z' }, { since: '2025-06-01T08:30:00.000Z' }],
    [
      'since date-time offset',
      { since: '2025-06-01T13:30+05:00' },
      { since: '2025-06-01T08:30:00.000Z' },
    ],
    [
      'since offset without colon',
      { since: '2025-06-01T13:30:00+0500' },
      { since: '2025-06-01T08:30:00.000Z' },
    ],
    [
      'since without zone = UTC',
      { since: '2025-06-01T08:30:15.5' },
      { since: '2025-06-01T08:30:15.500Z' },
    ],
    ['until', { until: '2025-07-01' }, { until: '2025-07-01T00:00:00.000Z' }],
    [
      'since before until',
      { since: '7d', until: '1d' },
      { since: '2025-06-24T12:00:00.000Z', until: '2025-06-30T12:00:00.000Z' },
    ],
    ['lang', { lang: 'ur' }, { lang: 'ur' }],
    ['lang region lower-cased', { lang: 'pt-BR' }, { lang: 'pt-br' }],
    ['limit 1', { limit: '1' }, { limit: 1 }],
    ['limit 500', { limit: '500' }, { limit: 500 }],
    ['limit leading zero', { limit: '050' }, { limit: 50 }],
    ['cursor', { cursor: 'eyJ0IjoxfQ' }, { cursor: 'eyJ0IjoxfQ' }],
    ['cursor of 200 chars', { cursor: 'c'.repeat(200) }, { cursor: 'c'.repeat(200) }],
    ['clusters all', { clusters: 'all' }, { clusters: 'all' }],
    ['clusters collapse', { clusters: 'collapse' }, { clusters: 'collapse' }],
  ])('%s', (_name, params, expected) => {
    expect(parseItemQuery(params, NOW)).toStrictEqual({
      limit: 50,
      clusters: 'collapse',
      ...expected,
    })
  })

  it('accepts a repeated parameter given as a one-element array (Hono queries())', () => {
    expect(parseItemQuery({ limit: ['7'] }, NOW).limit).toBe(7)
  })

  it('tolerates, and ignores, the names the route allows', () => {
    const opts = { allowed: ['token', 'format', 'explain'] }
    expect(
      parseItemQuery({ token: 's3cret', format: 'atom', explain: '1' }, NOW, opts),
    ).toStrictEqual({
      limit: 50,
      clusters: 'collapse',
    })
  })
})

describe('parseItemQuery: bad values name the parameter and say why', () => {
  it.each<[Record<string, string | string[]>, string, string]>([
    [{ limit: '0' }, 'limit', '"limit" must be a whole number from 1 to 500, got "0"'],
    [{ limit: '501' }, 'limit', '"limit" must be a whole number from 1 to 500, got "501"'],
    [{ limit: '-5' }, 'limit', '"limit" must be a whole number from 1 to 500, got "-5"'],
    [{ limit: '2.5' }, 'limit', '"limit" must be a whole number from 1 to 500, got "2.5"'],
    [{ limit: '1e2' }, 'limit', '"limit" must be a whole number from 1 to 500, got "1e2"'],
    [{ limit: 'ten' }, 'limit', '"limit" must be a whole number from 1 to 500, got "ten"'],
    [
      { since: 'yesterday' },
      'since',
      '"since" must be an ISO 8601 date or a duration such as 24h or 7d, got "yesterday"',
    ],
    [
      { since: '2025-02-30' },
      'since',
      '"since" must be an ISO 8601 date or a duration such as 24h or 7d, got "2025-02-30"',
    ],
    [
      { until: '2025-06-01T25:00Z' },
      'until',
      '"until" must be an ISO 8601 date or a duration such as 24h or 7d, got "2025-06-01T25:00Z"',
    ],
    [
      { until: '-24h' },
      'until',
      '"until" must be an ISO 8601 date or a duration such as 24h or 7d, got "-24h"',
    ],
    [
      { since: '1d', until: '7d' },
      'since',
      '"since" must be before "until", got since 2025-06-30T12:00:00.000Z and until 2025-06-24T12:00:00.000Z',
    ],
    [
      { lang: 'english' },
      'lang',
      '"lang" must be a language code such as en, ur or pt-BR, got "english"',
    ],
    [{ lang: 'e' }, 'lang', '"lang" must be a language code such as en, ur or pt-BR, got "e"'],
    [{ clusters: 'none' }, 'clusters', '"clusters" must be "collapse" or "all", got "none"'],
    [
      { cursor: 'c'.repeat(201) },
      'cursor',
      `"cursor" must be the nextCursor of a previous page (at most 200 printable ASCII characters), got "${'c'.repeat(57)}…"`,
    ],
    [
      { cursor: 'a b' },
      'cursor',
      '"cursor" must be the nextCursor of a previous page (at most 200 printable ASCII characters), got "a b"',
    ],
    [
      { q: '-' },
      'q',
      '"q" has a "-" with no word after it (write -word to exclude a word), in "-"',
    ],
    [
      { q: 'taliban - kabul' },
      'q',
      '"q" has a "-" with no word after it (write -word to exclude a word), in "taliban - kabul"',
    ],
    [{ q: '""' }, 'q', '"q" has empty quotes, in "\\"\\""'],
    [{ q: 'a -"  "' }, 'q', '"q" has empty quotes, in "a -\\"  \\""'],
    [{ q: '"durand line' }, 'q', '"q" has a quote that is never closed, in "\\"durand line"'],
    [{ q: 'x'.repeat(501) }, 'q', '"q" must be at most 500 characters, got 501'],
    [
      { topic: ' , ' },
      'topic',
      '"topic" must be a comma-separated list of 1 to 100 ids such as pakistan-afghanistan, got ","',
    ],
    [
      { limit: ['5', '9'] },
      'limit',
      '"limit" was given 2 times; give it once (several values go in one comma list: limit=a,b)',
    ],
    [
      { topic: ['a', 'b'] },
      'topic',
      '"topic" was given 2 times; give it once (several values go in one comma list: topic=a,b)',
    ],
  ])('%j → %s', (params, param, message) => {
    const err = errorFor(params)
    expect(err.param).toBe(param)
    expect(err.message).toBe(message)
    expect(err.code).toBe('invalid-param')
  })
})

describe('parseItemQuery: unknown parameters are errors, with a hint', () => {
  it.each([
    ['limt', 'unknown parameter "limt" (did you mean "limit"?)'],
    ['Limit', 'unknown parameter "Limit" (did you mean "limit"?)'],
    ['topics', 'unknown parameter "topics" (did you mean "topic"?)'],
    ['not-topic', 'unknown parameter "not-topic" (did you mean "not_topic"?)'],
    ['sinse', 'unknown parameter "sinse" (did you mean "since"?)'],
    ['language', 'unknown parameter "language" (did you mean "lang"?)'],
    ['search', 'unknown parameter "search" (did you mean "q"?)'],
    [
      'filter',
      'unknown parameter "filter" (known parameters: topic, not_topic, source, q, since, until, lang, limit, cursor, clusters)',
    ],
  ])('%s', (name, message) => {
    const err = errorFor({ [name]: '1' })
    expect(err.param).toBe(name)
    expect(err.message).toBe(message)
  })

  it('rejects token/format/explain unless the route allows them', () => {
    expect(errorFor({ token: 'x' }).param).toBe('token')
    expect(errorFor({ format: 'atom' }, { allowed: ['token'] }).message).toBe(
      'unknown parameter "format" (known parameters: topic, not_topic, source, q, since, until, lang, limit, cursor, clusters, token)',
    )
  })

  it('suggests an allowed name too', () => {
    expect(errorFor({ tokn: 'x' }, { allowed: ['token'] }).message).toBe(
      'unknown parameter "tokn" (did you mean "token"?)',
    )
  })
})

describe('splitNameExt', () => {
  it.each<[string, ReturnType<typeof splitNameExt>]>([
    ['pakistan-afghanistan.atom', { name: 'pakistan-afghanistan', ext: 'atom' }],
    ['pakistan-afghanistan.rss', { name: 'pakistan-afghanistan', ext: 'rss' }],
    ['pakistan-afghanistan.json', { name: 'pakistan-afghanistan', ext: 'json' }],
    ['pakistan-afghanistan.xml', { name: 'pakistan-afghanistan', ext: 'rss' }],
    ['dawn.RSS', { name: 'dawn', ext: 'rss' }],
    ['pakistan-afghanistan', { name: 'pakistan-afghanistan' }],
    ['pakistan-afghanistan.html', { name: 'pakistan-afghanistan', unknownExt: 'html' }],
    ['a.b.atom', { name: 'a.b', ext: 'atom' }],
    ['search.', { name: 'search', unknownExt: '' }],
  ])('%s', (segment, expected) => {
    expect(splitNameExt(segment)).toStrictEqual(expected)
  })
})

describe('negotiateFormat', () => {
  it.each<[FeedFormat | undefined, string | undefined, FeedFormat]>([
    ['atom', 'application/feed+json', 'atom'],
    ['json', undefined, 'json'],
    [undefined, undefined, 'rss'],
    [undefined, '', 'rss'],
    [undefined, 'text/html', 'rss'],
    [undefined, 'application/atom+xml', 'atom'],
    [undefined, 'application/feed+json', 'json'],
    [undefined, 'application/json', 'json'],
    [undefined, 'application/rss+xml', 'rss'],
    [undefined, 'application/rss+xml;q=0.5, application/atom+xml', 'atom'],
    [undefined, 'application/atom+xml;q=0.4, application/feed+json;q=0.9', 'json'],
    [undefined, 'application/atom+xml, application/rss+xml', 'atom'],
    [undefined, 'application/rss+xml, application/atom+xml', 'rss'],
    [undefined, 'application/json;q=0.9, application/atom+xml;q=0.9', 'atom'],
    [undefined, '*/*', 'rss'],
    [undefined, 'application/rss+xml;q=0, */*', 'atom'],
    [undefined, 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'rss'],
    [undefined, 'APPLICATION/ATOM+XML; charset=utf-8', 'atom'],
    [undefined, 'garbage;;, , application/feed+json', 'json'],
    [undefined, 'application/rss+xml;q=0, application/atom+xml;q=0, application/json;q=0', 'rss'],
  ])('ext %s, Accept %j → %s', (ext, accept, expected) => {
    expect(negotiateFormat(ext, accept)).toBe(expected)
  })
})

describe('parseItemQuery: field-scoped q terms', () => {
  it.each<[string, ItemQuery['q']]>([
    [
      'title:Torkham',
      { include: [], exclude: [], scoped: [{ field: 'title', term: 'torkham', exclude: false }] },
    ],
    [
      'kabul -summary:"World Cup"',
      {
        include: ['kabul'],
        exclude: [],
        scoped: [{ field: 'summary', term: 'world cup', exclude: true }],
      },
    ],
    [
      'content:trade category:Border categories:border',
      {
        include: [],
        exclude: [],
        scoped: [
          { field: 'content', term: 'trade', exclude: false },
          { field: 'categories', term: 'border', exclude: false },
        ],
      },
    ],
    [
      'title:a title:a -title:a',
      {
        include: [],
        exclude: [],
        scoped: [
          { field: 'title', term: 'a', exclude: false },
          { field: 'title', term: 'a', exclude: true },
        ],
      },
    ],
    ['10:30 talks', { include: ['10:30', 'talks'], exclude: [] }],
    ['https://dawn.com', { include: ['https://dawn.com'], exclude: [] }],
    ['title: kabul', { include: ['title:', 'kabul'], exclude: [] }],
  ])('q=%j', (q, expected) => {
    expect(parseItemQuery({ q }, NOW).q).toStrictEqual(expected)
  })

  it.each([
    ['titel:kabul', '"q" scopes a term to the unknown field "titel:" (did you mean "title:"?'],
    ['-sumary:"world cup"', 'unknown field "sumary:" (did you mean "summary:"?'],
    ['title:"kabul', '"q" has a quote that is never closed'],
  ])('q=%j is rejected', (q, message) => {
    const err = errorFor({ q })
    expect(err.param).toBe('q')
    expect(err.message).toContain(message)
  })
})

describe('normaliseFeedQuery', () => {
  it.each<[string, string, boolean]>([
    ['/topics/x.rss', '', false],
    ['/topics/x.rss?', '', false],
    ['/search.rss?topic=b&limit=5&q=a+b', 'limit=5&q=a+b&topic=b', false],
    ['http://h/search?q=a%20b&token=secret', 'q=a+b', false],
    ['/search?since=24h', 'since=24h', true],
    ['/search?until=7d&topic=a', 'topic=a&until=7d', true],
    ['/search?since=2026-01-01', 'since=2026-01-01', false],
  ])('%s → %j (relative: %s)', (target, selfQuery, relative) => {
    expect(normaliseFeedQuery(target)).toStrictEqual({ selfQuery, relative })
  })
})
