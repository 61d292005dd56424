/** matchFeedRoute: which paths are feed routes, and the feed each names. */
import { describe, expect, it } from 'vitest'
import { feedId, matchFeedRoute } from '../../src/http/feed-target.js'
import { NotFoundError } from '../../src/model/errors.js'
import { makeSource, PAK_AFGHAN_TOPIC, testConfig } from '../helpers/runtime.js'

const config = testConfig({
  sources: [makeSource({ id: 'dawn', title: 'Dawn' })],
  topics: [PAK_AFGHAN_TOPIC],
  feeds: [
    {
      id: 'pak-afghan',
      title: 'Pak–Afghan',
      topics: [PAK_AFGHAN_TOPIC.id],
      excludeTopics: [],
      limit: 7,
    },
  ],
})

describe('matchFeedRoute', () => {
  it.each([
    ['/topics/pakistan-afghanistan.rss', '/topics/:name', 'pakistan-afghanistan.rss'],
    ['/feeds/pak-afghan', '/feeds/:name', 'pak-afghan'],
    ['/sources/dawn.json', '/sources/:name', 'dawn.json'],
    ['/sources/da%77n.json', '/sources/:name', 'dawn.json'],
    ['/search', '/search', 'search'],
    ['/search.atom', '/search', 'search.atom'],
    ['/search.xml', '/search', 'search.xml'],
  ])('%s is %s with segment %s', (path, route, segment) => {
    const m = matchFeedRoute(path)
    expect(m?.route).toBe(route)
    expect(m?.segment).toBe(segment)
  })

  it.each([
    '/',
    '/topics',
    '/topics/',
    '/topics/a/b.rss',
    '/topics/a/',
    '/search.html',
    '/searches',
    '/api/items',
    '/healthz',
    '/topics/%E0%A4%A.rss',
  ])('%s is not a feed route', (path) => {
    expect(matchFeedRoute(path)).toBeUndefined()
  })

  it('resolves names to their feed, with the scope the route fixes', () => {
    const feed = matchFeedRoute('/feeds/pak-afghan.rss')?.resolve(config, 'pak-afghan', '')
    expect(feed?.scope).toEqual({
      topics: [PAK_AFGHAN_TOPIC.id],
      sources: undefined,
      excludeTopics: [],
      limit: 7,
    })
    const topic = matchFeedRoute('/topics/x')?.resolve(config, PAK_AFGHAN_TOPIC.id, '')
    expect(topic?.scope).toEqual({ topics: [PAK_AFGHAN_TOPIC.id] })
    const search = matchFeedRoute('/search')?.resolve(config, 'search', 'q=kabul')
    expect(search?.title).toBe('topicwire search: q=kabul')
  })

  it('names an unknown feed, topic or source in its NotFoundError', () => {
    for (const [path, kind] of [
      ['/feeds/x', 'feed'],
      ['/topics/x', 'topic'],
      ['/sources/x', 'source'],
    ] as const) {
      const resolve = () => matchFeedRoute(path)?.resolve(config, 'nope', '')
      expect(resolve).toThrow(NotFoundError)
      expect(resolve).toThrow(`unknown ${kind} "nope"`)
    }
  })
})

describe('feedId', () => {
  it('is an absolute tag: URI of the route that does not depend on the base URL', () => {
    const other = { ...config, server: { ...config.server, baseUrl: 'https://news.example.org' } }
    for (const c of [config, other]) {
      expect(matchFeedRoute('/topics/x')?.resolve(c, PAK_AFGHAN_TOPIC.id, '').id).toBe(
        'tag:topicwire,2026:topics/pakistan-afghanistan',
      )
    }
    expect(matchFeedRoute('/feeds/x')?.resolve(config, 'pak-afghan', '').id).toBe(
      'tag:topicwire,2026:feeds/pak-afghan',
    )
    expect(matchFeedRoute('/search')?.resolve(config, 'search', 'q=kabul').id).toBe(
      'tag:topicwire,2026:search?q=kabul',
    )
    expect(feedId('sources/dawn')).toMatch(/^tag:[a-z0-9.-]+,\d{4}:\S+$/)
  })
})
