/** Feed routes: the rendered-document cache, the fast path, paging, caching headers, the query grammar. */
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/http/app.js'
import { createFeedCache } from '../../src/http/feed-cache.js'
import type { AppConfig, Item, ItemQuery } from '../../src/model/types.js'
import { makeItem } from '../helpers/items.js'
import { createTestDeps, makeSource, PAK_AFGHAN_TOPIC, testConfig } from '../helpers/runtime.js'

const TOPIC = PAK_AFGHAN_TOPIC.id
const CRICKET = { ...PAK_AFGHAN_TOPIC, id: 'cricket', title: 'Cricket', match: 'cricket' }

const config = testConfig({
  sources: [
    makeSource({ id: 'dawn', title: 'Dawn', every: '10m' }),
    makeSource({ id: 'tolo', title: 'TOLOnews' }),
    makeSource({ id: 'bbc-urdu', title: 'BBC Urdu', every: '5m', enabled: false }),
  ],
  topics: [PAK_AFGHAN_TOPIC, CRICKET],
  feeds: [
    { id: 'pak-afghan', title: 'Pak–Afghan', topics: [TOPIC], excludeTopics: [], limit: 2 },
    { id: 'tolo-only', title: 'TOLO', sources: ['tolo'], excludeTopics: [], limit: 50 },
  ],
})

const id = (n: number): string => `00000000-0000-5000-8000-00000000000${n}`

const items: Item[] = [
  makeItem({
    id: id(1),
    sourceId: 'dawn',
    title: 'Torkham crossing reopens',
    summary: 'Trade resumes after talks.',
    topics: [TOPIC],
    categories: ['Border'],
    publishedAt: '2026-11-20T10:00:00.000Z',
  }),
  makeItem({
    id: id(2),
    sourceId: 'tolo',
    title: 'Istanbul talks resume',
    summary: 'Delegations meet again; Torkham is on the agenda.',
    topics: [TOPIC],
    publishedAt: '2026-11-20T09:00:00.000Z',
  }),
  makeItem({
    id: id(3),
    sourceId: 'tolo',
    title: 'پاکستان اور افغانستان کے مذاکرات',
    summary: 'اردو خلاصہ',
    contentHtml: '<p>اردو</p>',
    language: 'ur',
    topics: [TOPIC],
    publishedAt: '2026-11-19T12:00:10.000Z',
  }),
  makeItem({
    id: id(4),
    sourceId: 'dawn',
    title: 'Pakistan beat Afghanistan at cricket near Torkham',
    topics: [TOPIC, 'cricket'],
    publishedAt: '2026-11-18T08:00:00.000Z',
  }),
]

const setup = async (over: AppConfig = config) => {
  const deps = createTestDeps(over)
  for (const sourceId of ['dawn', 'tolo']) {
    await deps.store.saveIngest({
      sourceId,
      items: items.filter((i) => i.sourceId === sourceId),
      state: { sourceId, failures: 0, nextPollAt: '2026-11-20T12:15:00.000Z' },
    })
  }
  const queries: ItemQuery[] = []
  const query = deps.store.queryItems.bind(deps.store)
  deps.store.queryItems = (q) => {
    queries.push(q)
    return query(q)
  }
  const cache = createFeedCache()
  return { deps, queries, cache, app: createApp(deps, {}, { feedCache: cache }) }
}

/** The `urn:uuid:` ids of a document in any of the three formats, in order. */
const ids = (body: string): string[] =>
  [...body.matchAll(/(?:<guid[^>]*>|<id>|"id": ")urn:uuid:([0-9a-f-]{36})/g)].map((m) => m[1] ?? '')

const shortIds = (body: string): number[] => ids(body).map((s) => Number(s.slice(-1)))

describe('feed cache on the routes', () => {
  it('queries the store once for repeated requests, whatever the parameter order or token', async () => {
    const { app, queries } = await setup()
    const a = await app.request('/search.rss?topic=pakistan-afghanistan&limit=3')
    const b = await app.request('/search.rss?limit=3&topic=pakistan-afghanistan')
    const c = await app.request('/search.rss?limit=3&token=x&topic=pakistan-afghanistan')
    expect(queries).toHaveLength(1)
    const bodies = await Promise.all([a.text(), b.text(), c.text()])
    expect(new Set(bodies).size).toBe(1)
    expect(bodies[0]).toContain('search.rss?limit=3&amp;topic=pakistan-afghanistan')
    expect(new Set([a, b, c].map((r) => r.headers.get('etag'))).size).toBe(1)
  })

  it('renders concurrent misses of one document once', async () => {
    const { app, queries, cache } = await setup()
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => app.request('/topics/pakistan-afghanistan.atom')),
    )
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200])
    expect(queries).toHaveLength(1)
    expect(cache.stats().renders).toBe(1)
  })

  it('keeps one document per format and per route', async () => {
    const { app, queries } = await setup()
    for (const path of [
      '/topics/pakistan-afghanistan.rss',
      '/topics/pakistan-afghanistan.atom',
      '/topics/pakistan-afghanistan.json',
      '/feeds/pak-afghan.rss',
      '/topics/pakistan-afghanistan.rss',
      '/topics/pakistan-afghanistan.xml',
    ]) {
      expect((await app.request(path)).status, path).toBe(200)
    }
    expect(queries).toHaveLength(4)
  })

  it('renders again when the store changes, with a new ETag', async () => {
    const { app, deps, queries } = await setup()
    const before = await app.request('/topics/pakistan-afghanistan.rss')
    await deps.store.saveIngest({
      sourceId: 'dawn',
      items: [makeItem({ id: id(9), sourceId: 'dawn', topics: [TOPIC], title: 'Chaman closed' })],
      state: { sourceId: 'dawn', failures: 0, nextPollAt: '2026-11-20T12:30:00.000Z' },
    })
    const after = await app.request('/topics/pakistan-afghanistan.rss', {
      headers: { 'If-None-Match': before.headers.get('etag') ?? '' },
    })
    expect(after.status).toBe(200)
    expect(await after.text()).toContain('Chaman closed')
    expect(queries).toHaveLength(2)
  })

  it('renders again after a reload replaces the configuration (a renamed topic shows)', async () => {
    const { app, deps } = await setup()
    const before = await app.request('/topics/pakistan-afghanistan.atom')
    expect(await before.text()).toContain('Pakistan–Afghanistan relations')
    deps.config = {
      ...deps.config,
      topics: [{ ...PAK_AFGHAN_TOPIC, title: 'Af-Pak ties' }, CRICKET],
    }
    const after = await app.request('/topics/pakistan-afghanistan.atom')
    expect(await after.text()).toContain('Af-Pak ties')
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'))
  })

  it('buckets a relative since by minute and counts back from the start of the minute', async () => {
    const { app, deps, queries } = await setup()
    deps.clock.set('2026-11-20T12:00:30.000Z')
    // Item 3 is dated 2026-11-19T12:00:10Z: inside "24h before 12:00:00", outside "before 12:00:30".
    const first = await app.request('/search.rss?since=24h')
    expect(shortIds(await first.text())).toEqual([1, 2, 3])
    deps.clock.set('2026-11-20T12:00:59.000Z')
    await app.request('/search.rss?since=24h')
    expect(queries).toHaveLength(1)
    deps.clock.set('2026-11-20T12:01:00.000Z')
    const next = await app.request('/search.rss?since=24h')
    expect(shortIds(await next.text())).toEqual([1, 2])
    expect(queries).toHaveLength(2)
  })

  it('does not cache a bad request: each one is checked and answered 400', async () => {
    const { app, queries } = await setup()
    for (let i = 0; i < 2; i++) {
      const res = await app.request('/topics/pakistan-afghanistan.rss?limit=0')
      expect(res.status).toBe(400)
    }
    expect(queries).toHaveLength(0)
  })
})

describe('fast path (answers a request seen before without routing)', () => {
  it('serves the same bytes and validators, counts a hit and records the request metric', async () => {
    const { app, deps, cache, queries } = await setup()
    const first = await app.request('/topics/pakistan-afghanistan.json')
    const second = await app.request('/topics/pakistan-afghanistan.json')
    expect(await second.text()).toBe(await first.text())
    expect([...second.headers]).toEqual([...first.headers])
    expect(queries).toHaveLength(1)
    expect(cache.stats().hits).toBe(1)
    const metrics = await deps.metrics.render()
    expect(metrics).toContain(
      'topicwire_http_request_duration_seconds_count{route="/topics/:name",status="200"} 2',
    )
  })

  it('keys a path without extension by its Accept header', async () => {
    const { app } = await setup()
    const accept = (type: string) =>
      app.request('/topics/pakistan-afghanistan', { headers: { Accept: type } })
    for (const [type, expected] of [
      ['application/atom+xml', /atom/],
      ['application/feed+json', /feed\+json/],
      ['application/atom+xml', /atom/],
      ['text/html', /rss/],
    ] as const) {
      expect((await accept(type)).headers.get('content-type'), type).toMatch(expected)
    }
  })

  it('leaves a feed token to the routes: a hit never skips the token check', async () => {
    const withToken = testConfig({ ...config, server: { ...config.server, feedToken: 's3cret' } })
    const { app } = await setup(withToken)
    expect((await app.request('/topics/pakistan-afghanistan.rss?token=s3cret')).status).toBe(200)
    expect((await app.request('/topics/pakistan-afghanistan.rss?token=wrong')).status).toBe(401)
    expect((await app.request('/topics/pakistan-afghanistan.rss')).status).toBe(401)
    expect((await app.request('/topics/pakistan-afghanistan.rss?token=s3cret')).status).toBe(200)
  })

  it('answers HEAD like GET without a body', async () => {
    const { app } = await setup()
    const get = await app.request('/topics/pakistan-afghanistan.rss')
    const head = await app.request('/topics/pakistan-afghanistan.rss', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    expect(head.headers.get('etag')).toBe(get.headers.get('etag'))
  })
})

describe('validators and caching headers', () => {
  const PATH = '/topics/pakistan-afghanistan.rss'

  it('sends identical validators, Cache-Control and Vary on 200 and 304', async () => {
    const { app } = await setup()
    const ok = await app.request(PATH)
    const etag = ok.headers.get('etag') ?? ''
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/)
    const conditions: Record<string, string>[] = [
      { 'If-None-Match': etag },
      { 'If-Modified-Since': ok.headers.get('last-modified') ?? '' },
    ]
    for (const headers of conditions) {
      const res = await app.request(PATH, { headers })
      expect(res.status).toBe(304)
      expect(await res.text()).toBe('')
      for (const h of ['etag', 'last-modified', 'cache-control', 'vary']) {
        expect(res.headers.get(h), h).toBe(ok.headers.get(h))
      }
      expect(res.headers.get('content-type')).toBeNull()
    }
    expect(ok.headers.get('vary')).toBe('Accept, Accept-Encoding')
    expect(ok.headers.get('last-modified')).toBe('Fri, 20 Nov 2026 10:00:00 GMT')
  })

  it.each<[string, number, Record<string, string>]>([
    ['a list with a weak form of the tag', 304, { 'If-None-Match': '"nope", W/ETAG' }],
    ['*', 304, { 'If-None-Match': '*' }],
    ['another tag', 200, { 'If-None-Match': '"other"' }],
    ['a later date', 304, { 'If-Modified-Since': 'Sat, 21 Nov 2026 00:00:00 GMT' }],
    ['an earlier date', 200, { 'If-Modified-Since': 'Fri, 20 Nov 2026 09:59:59 GMT' }],
    ['a malformed date', 200, { 'If-Modified-Since': 'yesterday' }],
    [
      'another tag with a matching date (If-None-Match wins)',
      200,
      { 'If-None-Match': '"other"', 'If-Modified-Since': 'Sat, 21 Nov 2026 00:00:00 GMT' },
    ],
  ])('answers %s with %i', async (_what, status, headers) => {
    const { app } = await setup()
    const etag = (await app.request(PATH)).headers.get('etag') ?? ''
    const sent = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, v.replace('ETAG', etag)]),
    )
    expect((await app.request(PATH, { headers: sent })).status).toBe(status)
  })

  it.each([
    ['a source with its own interval', '/sources/dawn.rss', 600],
    ['a source on the default interval', '/sources/tolo.rss', 900],
    ['a topic: the fastest enabled source (disabled ones do not count)', PATH, 600],
    ['a named feed limited to one source', '/feeds/tolo-only.rss', 900],
    ['a search narrowed to sources', '/search.rss?source=tolo', 900],
  ])('ties max-age to the poll interval: %s', async (_what, path, seconds) => {
    const { app } = await setup()
    const res = await app.request(path)
    expect(res.headers.get('cache-control')).toBe(`public, max-age=${seconds}`)
  })
})

describe('an empty feed', () => {
  const updatedOf = async (app: ReturnType<typeof createApp>, path: string) => {
    const res = await app.request(path)
    expect(res.status, path).toBe(200)
    const body = await res.text()
    return {
      updated: /<feed[\s\S]*?<updated>([^<]+)<\/updated>/.exec(body)?.[1],
      etag: res.headers.get('etag'),
      lastModified: res.headers.get('last-modified'),
      body,
    }
  }
  const fresh = (deps: Awaited<ReturnType<typeof setup>>['deps']) =>
    createApp(deps, {}, { feedCache: createFeedCache() })

  it('is dated by the last successful poll of its sources, stable across renders', async () => {
    const { deps } = await setup()
    // Before any poll succeeded there is nothing to date it by: the epoch, said once here.
    expect((await updatedOf(fresh(deps), '/feeds/tolo-only.atom?q=zzzz')).updated).toBe(
      '1970-01-01T00:00:00.000Z',
    )
    for (const [sourceId, at] of [
      ['tolo', '2026-11-20T12:00:00.000Z'],
      ['dawn', '2026-11-20T13:00:00.000Z'],
    ] as const)
      await deps.store.saveState({
        sourceId,
        failures: 0,
        nextPollAt: '2026-11-20T14:00:00.000Z',
        lastSuccessAt: at,
      })
    const tolo = await updatedOf(fresh(deps), '/feeds/tolo-only.atom?q=zzzz')
    expect(tolo.body).not.toContain('<entry>')
    expect(tolo.updated).toBe('2026-11-20T12:00:00.000Z')
    expect(tolo.lastModified).toBe('Fri, 20 Nov 2026 12:00:00 GMT')
    const all = await updatedOf(fresh(deps), '/search.atom?q=zzzz')
    expect(all.updated).toBe('2026-11-20T13:00:00.000Z')
    // Rendered again (a restart, another cache): the same bytes under the same strong ETag.
    const again = await updatedOf(fresh(deps), '/feeds/tolo-only.atom?q=zzzz')
    expect(again.body).toBe(tolo.body)
    expect(again.etag).toBe(tolo.etag)
    // A later successful poll changes the date, and the ETag with it.
    await deps.store.saveState({
      sourceId: 'tolo',
      failures: 0,
      nextPollAt: '2026-11-20T15:00:00.000Z',
      lastSuccessAt: '2026-11-20T14:00:00.000Z',
    })
    const later = await updatedOf(fresh(deps), '/feeds/tolo-only.atom?q=zzzz')
    expect(later.updated).toBe('2026-11-20T14:00:00.000Z')
    expect(later.etag).not.toBe(tolo.etag)
  })
})

describe('RFC 5005 paging', () => {
  const follow = async (app: Awaited<ReturnType<typeof setup>>['app'], start: string) => {
    const pages: number[][] = []
    let path: string | undefined = start
    while (path && pages.length < 10) {
      const body: string = await (await app.request(path)).text()
      pages.push(shortIds(body))
      const next: string | undefined =
        /<atom:link href="([^"]+)" rel="next"/.exec(body)?.[1] ??
        /<link rel="next" href="([^"]+)"/.exec(body)?.[1] ??
        /"next_url": "([^"]+)"/.exec(body)?.[1]
      const url: URL | undefined = next ? new URL(next.replace(/&amp;/g, '&')) : undefined
      path = url ? `${url.pathname}${url.search}` : undefined
    }
    return pages
  }

  it.each(['rss', 'atom', 'json'])(
    'links a feed longer than its limit to the next page, in %s, until the last',
    async (ext) => {
      const { app } = await setup()
      const pages = await follow(app, `/feeds/pak-afghan.${ext}`)
      expect(pages).toEqual([
        [1, 2],
        [3, 4],
      ])
    },
  )

  it('keeps the query in the next link and pages ad-hoc searches too', async () => {
    const { app } = await setup()
    const body = await (await app.request('/search.atom?limit=1&source=tolo')).text()
    expect(body).toMatch(
      /<link rel="next" href="http:\/\/localhost:8080\/search\.atom\?limit=1&amp;source=tolo&amp;cursor=[A-Za-z0-9_-]+"\/>/,
    )
    expect(await follow(app, '/search.atom?limit=1&source=tolo')).toEqual([[2], [3]])
  })

  it('has no next link when everything fits', async () => {
    const { app } = await setup()
    const body = await (await app.request('/topics/pakistan-afghanistan.rss')).text()
    expect(body).not.toContain('rel="next"')
  })
})

describe('query grammar end to end', () => {
  it.each<[string, number[]]>([
    ['/topics/pakistan-afghanistan.rss?q=title:torkham', [1, 4]],
    ['/topics/pakistan-afghanistan.rss?q=torkham', [1, 2, 4]],
    ['/topics/pakistan-afghanistan.rss?q=summary:torkham', [2]],
    ['/topics/pakistan-afghanistan.rss?q=torkham -title:cricket', [1, 2]],
    ['/topics/pakistan-afghanistan.rss?q=title:"crossing reopens"', [1]],
    ['/topics/pakistan-afghanistan.rss?q=category:border', [1]],
    ['/topics/pakistan-afghanistan.rss?q=content:traders', [1, 2, 4]],
    ['/topics/pakistan-afghanistan.rss?lang=ur', [3]],
    ['/topics/pakistan-afghanistan.rss?until=2026-11-20', [3, 4]],
    ['/topics/pakistan-afghanistan.rss?since=2026-11-19&until=2026-11-20T09:30:00Z', [2, 3]],
    ['/topics/pakistan-afghanistan.rss?not_topic=cricket', [1, 2, 3]],
    ['/feeds/pak-afghan.rss?not_topic=cricket&limit=10', [1, 2, 3]],
    ['/search.rss?source=tolo&lang=en', [2]],
    ['/sources/dawn.rss?topic=cricket', [4]],
  ])('%s → items %j', async (path, expected) => {
    const { app } = await setup()
    const res = await app.request(path)
    expect(res.status).toBe(200)
    expect(shortIds(await res.text())).toEqual(expected)
  })

  it.each([
    ['/topics/pakistan-afghanistan.rss?q=titel:torkham', 'q'],
    ['/topics/pakistan-afghanistan.rss?lang=english', 'lang'],
    ['/topics/pakistan-afghanistan.rss?until=tomorrow', 'until'],
    ['/topics/pakistan-afghanistan.rss?not-topic=cricket', 'not-topic'],
    ['/feeds/pak-afghan.atom?format=json', 'format'],
  ])('%s → 400 naming %s', async (path, param) => {
    const { app } = await setup()
    const res = await app.request(path)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { param: string } }).error.param).toBe(param)
  })

  it('answers 404 naming an unknown not_topic', async () => {
    const { app } = await setup()
    const res = await app.request('/topics/pakistan-afghanistan.rss?not_topic=sports')
    expect(res.status).toBe(404)
    expect(await res.text()).toContain('topic \\"sports\\"')
  })
})
