import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/http/app.js'
import type { Item } from '../../src/model/types.js'
import { makeItem } from '../helpers/items.js'
import { createTestDeps, makeSource, PAK_AFGHAN_TOPIC, testConfig } from '../helpers/runtime.js'

const config = testConfig({
  sources: [
    makeSource({ id: 'dawn', title: 'Dawn' }),
    makeSource({ id: 'tolo', title: 'TOLOnews' }),
  ],
  feeds: [
    {
      id: 'pak-afghan',
      title: 'Pak–Afghan',
      topics: ['pakistan-afghanistan'],
      excludeTopics: [],
      limit: 2,
    },
  ],
})

const items: Item[] = [
  makeItem({
    id: '00000000-0000-5000-8000-000000000001',
    sourceId: 'dawn',
    title: 'Torkham crossing reopens',
    topics: ['pakistan-afghanistan'],
    publishedAt: '2026-11-20T10:00:00.000Z',
  }),
  makeItem({
    id: '00000000-0000-5000-8000-000000000002',
    sourceId: 'tolo',
    title: 'Istanbul talks resume',
    topics: ['pakistan-afghanistan'],
    publishedAt: '2026-11-20T09:00:00.000Z',
  }),
  makeItem({
    id: '00000000-0000-5000-8000-000000000003',
    sourceId: 'dawn',
    title: 'Budget unveiled',
    topics: [],
    publishedAt: '2026-11-20T08:00:00.000Z',
  }),
  makeItem({
    id: '00000000-0000-5000-8000-000000000004',
    sourceId: 'tolo',
    title: 'Refugees return via Torkham',
    topics: ['pakistan-afghanistan'],
    publishedAt: '2026-11-18T08:00:00.000Z',
  }),
]

const setup = async (over = config) => {
  const deps = createTestDeps(over)
  for (const sourceId of ['dawn', 'tolo']) {
    await deps.store.saveIngest({
      sourceId,
      items: items.filter((i) => i.sourceId === sourceId),
      state: {
        sourceId,
        failures: 0,
        nextPollAt: '2026-11-20T12:15:00.000Z',
        lastFetchAt: '2026-11-20T12:00:00.000Z',
        lastSuccessAt: '2026-11-20T12:00:00.000Z',
        lastStatus: 200,
      },
    })
  }
  return { deps, app: createApp(deps) }
}

const ids = (xml: string) =>
  [...xml.matchAll(/<guid[^>]*>urn:uuid:([^<]+)<\/guid>/g)].map((m) => m[1])

describe('feed routes', () => {
  it.each([
    ['/topics/pakistan-afghanistan.rss', 'application/rss+xml; charset=utf-8'],
    ['/topics/pakistan-afghanistan.atom', 'application/atom+xml; charset=utf-8'],
    ['/topics/pakistan-afghanistan.json', 'application/feed+json; charset=utf-8'],
  ])('%s answers with %s', async (path, type) => {
    const { app } = await setup()
    const res = await app.request(path)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(type)
    expect(res.headers.get('etag')).toMatch(/^"[^"]+"$/)
    const body = await res.text()
    expect(body).toContain('Torkham crossing reopens')
    expect(body).not.toContain('Budget unveiled')
  })

  it('chooses the format by Accept when there is no extension, RSS by default', async () => {
    const { app } = await setup()
    const atom = await app.request('/topics/pakistan-afghanistan', {
      headers: { Accept: 'application/atom+xml' },
    })
    expect(atom.headers.get('content-type')).toMatch(/atom/)
    const plain = await app.request('/topics/pakistan-afghanistan')
    expect(plain.headers.get('content-type')).toMatch(/rss/)
  })

  it('serves a named feed with its own limit, narrowed by query parameters', async () => {
    const { app } = await setup()
    const res = await app.request('/feeds/pak-afghan.rss')
    expect(ids(await res.text())).toEqual([
      '00000000-0000-5000-8000-000000000001',
      '00000000-0000-5000-8000-000000000002',
    ])
    const narrowed = await app.request('/feeds/pak-afghan.rss?source=tolo&limit=10')
    expect(ids(await narrowed.text())).toEqual([
      '00000000-0000-5000-8000-000000000002',
      '00000000-0000-5000-8000-000000000004',
    ])
  })

  it('serves one source and an ad-hoc search', async () => {
    const { app } = await setup()
    const src = await (await app.request('/sources/dawn.rss')).text()
    expect(ids(src)).toEqual([
      '00000000-0000-5000-8000-000000000001',
      '00000000-0000-5000-8000-000000000003',
    ])
    const search = await (await app.request('/search.rss?q=torkham&source=tolo')).text()
    expect(ids(search)).toEqual(['00000000-0000-5000-8000-000000000004'])
    const since = await (
      await app.request('/search.rss?since=24h&topic=pakistan-afghanistan')
    ).text()
    expect(ids(since)).toEqual([
      '00000000-0000-5000-8000-000000000001',
      '00000000-0000-5000-8000-000000000002',
    ])
  })

  it('answers 304 to If-None-Match and If-Modified-Since, with the same validators', async () => {
    const { app } = await setup()
    const first = await app.request('/topics/pakistan-afghanistan.rss')
    const etag = first.headers.get('etag') ?? ''
    const lastModified = first.headers.get('last-modified') ?? ''
    const byEtag = await app.request('/topics/pakistan-afghanistan.rss', {
      headers: { 'If-None-Match': etag },
    })
    expect(byEtag.status).toBe(304)
    expect(await byEtag.text()).toBe('')
    expect(byEtag.headers.get('etag')).toBe(etag)
    const byDate = await app.request('/topics/pakistan-afghanistan.rss', {
      headers: { 'If-Modified-Since': lastModified },
    })
    expect(byDate.status).toBe(304)
    const otherFormat = await app.request('/topics/pakistan-afghanistan.atom', {
      headers: { 'If-None-Match': etag },
    })
    expect(otherFormat.status).toBe(200)
  })

  it('changes the ETag when the items change', async () => {
    const { app, deps } = await setup()
    const before = (await app.request('/topics/pakistan-afghanistan.rss')).headers.get('etag')
    await deps.store.saveIngest({
      sourceId: 'dawn',
      items: [
        makeItem({
          id: '00000000-0000-5000-8000-000000000009',
          sourceId: 'dawn',
          title: 'Chaman border closed again',
          topics: ['pakistan-afghanistan'],
          publishedAt: '2026-11-20T11:00:00.000Z',
        }),
      ],
      state: { sourceId: 'dawn', failures: 0, nextPollAt: '2026-11-20T12:30:00.000Z' },
    })
    const after = await app.request('/topics/pakistan-afghanistan.rss', {
      headers: { 'If-None-Match': before ?? '' },
    })
    expect(after.status).toBe(200)
    expect(after.headers.get('etag')).not.toBe(before)
  })

  it.each([
    ['/topics/pakistan-afghanistan.rss?limit=0', 'limit'],
    ['/topics/pakistan-afghanistan.rss?limt=5', 'limt'],
    ['/search.json?since=yesterday', 'since'],
    ['/api/items?clusters=some', 'clusters'],
  ])('%s → 400 naming %s', async (path, param) => {
    const { app } = await setup()
    const res = await app.request(path)
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { param: string; message: string } }
    expect(body.error.param).toBe(param)
    expect(body.error.message.length).toBeGreaterThan(10)
  })

  it.each([
    ['/topics/cricket.rss', 'topic "cricket"'],
    ['/feeds/nope.atom', 'feed "nope"'],
    ['/sources/bbc.json', 'source "bbc"'],
    ['/search.rss?topic=sports', 'topic "sports"'],
    ['/api/items?source=bbc', 'source "bbc"'],
  ])('%s → 404 naming %s', async (path, what) => {
    const { app } = await setup()
    const res = await app.request(path)
    expect(res.status).toBe(404)
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(what)
  })

  it('requires ?token= on every feed when server.feed_token is set', async () => {
    const { app } = await setup(
      testConfig({ ...config, server: { ...config.server, feedToken: 's3cret' } }),
    )
    expect((await app.request('/topics/pakistan-afghanistan.rss')).status).toBe(401)
    expect((await app.request('/topics/pakistan-afghanistan.rss?token=wrong')).status).toBe(401)
    const ok = await app.request('/topics/pakistan-afghanistan.rss?token=s3cret')
    expect(ok.status).toBe(200)
    expect(ok.headers.get('cache-control')).toMatch(/^private,/)
    // The token is in the links the feed gives out (self), so a reader following them gets in.
    expect(await ok.text()).toContain('pakistan-afghanistan.rss?token=s3cret')
  })
})

describe('JSON API', () => {
  it('pages /api/items with a stable cursor', async () => {
    const { app } = await setup()
    const seen: string[] = []
    let url: string | null = '/api/items?limit=3&clusters=all'
    while (url) {
      const body = (await (await app.request(url)).json()) as {
        items: Item[]
        nextCursor: string | null
      }
      seen.push(...body.items.map((i) => i.id))
      url = body.nextCursor ? `/api/items?limit=3&clusters=all&cursor=${body.nextCursor}` : null
    }
    expect(seen).toEqual(items.map((i) => i.id))
  })

  it('reports each source with its health and counts', async () => {
    const { app } = await setup()
    const body = (await (await app.request('/api/sources')).json()) as {
      sources: {
        id: string
        items: number
        itemsLast24h: number
        health: { status: string; lastStatus: number }
      }[]
    }
    const tolo = body.sources.find((s) => s.id === 'tolo')
    expect(tolo).toMatchObject({
      items: 2,
      itemsLast24h: 1,
      health: { status: 'ok', lastStatus: 200 },
    })
  })

  it('lists topics with counts and subscribe URLs', async () => {
    const { app } = await setup()
    const body = (await (await app.request('/api/topics')).json()) as {
      topics: { id: string; items: number; subscribe: { rss: string } }[]
    }
    expect(body.topics[0]).toMatchObject({
      id: PAK_AFGHAN_TOPIC.id,
      items: 3,
      subscribe: { rss: 'http://localhost:8080/topics/pakistan-afghanistan.rss' },
    })
  })
})

describe('ops and admin routes', () => {
  it('answers health, readiness and metrics', async () => {
    const { app } = await setup()
    expect((await app.request('/healthz')).status).toBe(200)
    expect(await (await app.request('/readyz')).json()).toMatchObject({ status: 'ready' })
    await app.request('/topics/pakistan-afghanistan.rss')
    const metrics = await (await app.request('/metrics')).text()
    expect(metrics).toContain(
      'topicwire_http_request_duration_seconds_count{route="/topics/:name",status="200"} 1',
    )
  })

  it('agrees on source health in /, /api/sources and /metrics, and never calls a failing source ok', async () => {
    const { deps, app } = await setup()
    const failed = {
      code: 'fetch' as const,
      message: 'connection refused',
      at: '2026-11-20T12:00:00.000Z',
    }
    // "tolo" has never succeeded and fails during an outage (failures stay 0, the error is kept).
    await deps.store.saveState({
      sourceId: 'tolo',
      failures: 0,
      nextPollAt: '2026-11-20T12:15:00.000Z',
      lastFetchAt: '2026-11-20T12:00:00.000Z',
      lastError: failed,
    })
    const api = (await (await app.request('/api/sources')).json()) as {
      sources: { id: string; health: { status: string } }[]
    }
    const statuses = Object.fromEntries(api.sources.map((s) => [s.id, s.health.status]))
    expect(statuses).toMatchObject({ dawn: 'ok', tolo: 'failing' })
    const page = await (await app.request('/')).text()
    expect(page).toMatch(/1 ok, 1 failing/)
    const metrics = await (await app.request('/metrics')).text()
    const n = Object.keys(statuses).length
    expect(metrics).toContain('topicwire_sources{status="ok"} 1')
    expect(metrics).toContain('topicwire_sources{status="failing"} 1')
    expect(metrics).toContain(`topicwire_sources{status="pending"} ${n - 2}`)
  })

  it('is not ready, and counts it, while the store cannot write', async () => {
    const { deps, app } = await setup()
    let failures = { count: 0 } as { count: number; failing?: string }
    deps.store.writeFailures = () => failures
    expect((await app.request('/readyz')).status).toBe(200)
    failures = { count: 2, failing: 'cannot write data/db.json (ENOSPC: no space left on device)' }
    const res = await app.request('/readyz')
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual({ status: 'not ready', reason: failures.failing })
    const metrics = await (await app.request('/metrics')).text()
    expect(metrics).toContain('topicwire_store_write_failures_total 2')
    expect(metrics).toContain('topicwire_store_write_failing 1')
    failures = { count: 2 }
    expect((await app.request('/readyz')).status).toBe(200)
  })

  it('guards admin routes with the bearer token', async () => {
    const off = await setup()
    expect((await off.app.request('/api/reload', { method: 'POST' })).status).toBe(403)
    const cfg = testConfig({ ...config, server: { ...config.server, adminToken: 'admin-1' } })
    const deps = createTestDeps(cfg)
    let reloaded = 0
    const app = createApp(deps, { reload: async () => ++reloaded })
    expect((await app.request('/api/reload', { method: 'POST' })).status).toBe(401)
    const ok = await app.request('/api/reload', {
      method: 'POST',
      headers: { Authorization: 'Bearer admin-1' },
    })
    expect(ok.status).toBe(200)
    expect(reloaded).toBe(1)
  })
})
