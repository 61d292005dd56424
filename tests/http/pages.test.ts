import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/http/app.js'
import type { AppConfig, Item, SourceState } from '../../src/model/types.js'
import { makeItem } from '../helpers/items.js'
import { createTestDeps, makeSource, PAK_AFGHAN_TOPIC, testConfig } from '../helpers/runtime.js'
import { parseOpmlWithPython } from '../publish/python-opml.js'

const config = testConfig({
  sources: [
    makeSource({ id: 'dawn', title: 'Dawn' }),
    makeSource({ id: 'tolo', title: 'TOLOnews' }),
  ],
  topics: [PAK_AFGHAN_TOPIC, { ...PAK_AFGHAN_TOPIC, id: 'quiet', title: 'A quiet topic' }],
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

// The test clock stands at 2026-11-20T12:00:00Z.
const items: Item[] = [
  makeItem({
    sourceId: 'dawn',
    title: 'Torkham crossing reopens <script>alert(1)</script>',
    topics: ['pakistan-afghanistan'],
    publishedAt: '2026-11-20T10:00:00.000Z',
  }),
  makeItem({
    sourceId: 'tolo',
    title: 'Istanbul talks resume',
    topics: ['pakistan-afghanistan'],
    publishedAt: '2026-11-20T09:00:00.000Z',
  }),
  makeItem({
    sourceId: 'dawn',
    title: 'Budget unveiled',
    topics: [],
    publishedAt: '2026-11-20T08:00:00.000Z',
  }),
  makeItem({
    sourceId: 'tolo',
    title: 'Refugees return via Torkham',
    topics: ['pakistan-afghanistan'],
    publishedAt: '2026-11-18T08:00:00.000Z',
  }),
  makeItem({
    sourceId: 'tolo',
    title: 'An old story',
    topics: ['quiet'],
    publishedAt: '2026-08-02T08:00:00.000Z',
  }),
]

const dawnState: SourceState = {
  sourceId: 'dawn',
  failures: 2,
  nextPollAt: '2026-11-20T12:15:00.000Z',
  lastFetchAt: '2026-11-20T12:00:00.000Z',
  lastSuccessAt: '2026-11-19T12:00:00.000Z',
  lastStatus: 503,
  lastError: { code: 'http', message: 'HTTP 503 from https://dawn.test/feed', at: '2026-11-20' },
  history: [
    { at: '2026-11-19T12:00:00.000Z', outcome: 'ok', status: 200, changed: 2 },
    { at: '2026-11-19T12:15:00.000Z', outcome: 'not-modified', status: 304 },
    { at: '2026-11-20T11:45:00.000Z', outcome: 'error', status: 503 },
    { at: '2026-11-20T12:00:00.000Z', outcome: 'error', status: 503 },
  ],
}

const toloState: SourceState = {
  sourceId: 'tolo',
  failures: 0,
  nextPollAt: '2026-11-20T12:15:00.000Z',
  lastFetchAt: '2026-11-20T12:00:00.000Z',
  lastSuccessAt: '2026-11-20T12:00:00.000Z',
  lastStatus: 200,
  // No history: the recording may be absent in older stores.
}

const setup = async (over: AppConfig = config) => {
  const deps = createTestDeps(over)
  for (const state of [dawnState, toloState]) {
    await deps.store.saveIngest({
      sourceId: state.sourceId,
      items: items.filter((i) => i.sourceId === state.sourceId),
      state,
    })
  }
  return { deps, app: createApp(deps) }
}

const BASE = 'http://localhost:8080'

describe('GET /', () => {
  it('serves the index page as HTML with cache headers and a strict CSP', async () => {
    const { app } = await setup()
    const res = await app.request('/')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('cache-control')).toBe('public, max-age=60')
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/)
    expect(res.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+';/,
    )
    const html = await res.text()
    expect(html).toContain('<title>topicwire</title>')
    expect(html).toContain('2 sources (1 ok, 1 failing) · 5 items stored')
  })

  it('lists feeds and topics with autodiscovery, subscribe links and item counts', async () => {
    const html = await (await (await setup()).app.request('/')).text()
    for (const path of ['/feeds/pak-afghan', '/topics/pakistan-afghanistan', '/topics/quiet']) {
      expect(html).toContain(`type="application/rss+xml" title=`)
      expect(html).toMatch(new RegExp(`<link rel="alternate" [^>]*href="${BASE}${path}.atom">`))
      expect(html).toContain(`href="${BASE}${path}.json"`)
    }
    // The named feed serves at most its limit.
    expect(html).toMatch(/id="feed-pak-afghan".*?<span class="count">2 items<\/span>/)
    expect(html).toMatch(
      /id="topic-pakistan-afghanistan".*?<span class="count">3 stories · 3 reports<\/span>/,
    )
  })

  it('counts a topic in stories (what its feed lists) and in reports', async () => {
    const { deps, app } = await setup()
    const lead = items[0]
    if (!lead) throw new Error('fixture')
    // A second outlet's report of the first story: one more report, the same number of stories.
    await deps.store.saveIngest({
      sourceId: 'tolo',
      items: [
        makeItem({
          sourceId: 'tolo',
          title: 'Torkham reopened, traders say',
          topics: ['pakistan-afghanistan'],
          publishedAt: '2026-11-20T10:30:00.000Z',
          clusterId: lead.clusterId,
        }),
      ],
      state: toloState,
    })
    const html = await (await app.request('/')).text()
    expect(html).toMatch(
      /id="topic-pakistan-afghanistan".*?<span class="count">3 stories · 4 reports<\/span>/,
    )
    expect(html).toMatch(/id="topic-quiet".*?<span class="count">1 story · 1 report<\/span>/)
    const feed = await (await app.request('/topics/pakistan-afghanistan.json')).json()
    expect((feed as { items: unknown[] }).items).toHaveLength(3)
  })

  it('charts items per day over the last 30 days and labels the busiest', async () => {
    const html = await (await (await setup()).app.request('/')).text()
    const card =
      html.match(
        /<article class="card topic" id="topic-pakistan-afghanistan">.*?<\/article>/,
      )?.[0] ?? ''
    expect(card.match(/<rect class="bar/g)).toHaveLength(30)
    expect(card).toContain('<title>20 Nov 2026: 2 items</title>')
    expect(card).toContain('<title>19 Nov 2026: 0 items</title>')
    expect(card).toContain('<title>18 Nov 2026: 1 item</title>')
    expect(card).toContain('<title>22 Oct 2026: 0 items</title>')
    expect(card).toMatch(/class="peak-label"[^>]*>2 items on 20 Nov</)
  })

  it('charts a topic quiet for a month up to its newest item, and says so', async () => {
    const html = await (await (await setup()).app.request('/')).text()
    const card =
      html.match(/<article class="card topic" id="topic-quiet">.*?<\/article>/)?.[0] ?? ''
    expect(card).toContain('<title>2 Aug 2026: 1 item</title>')
    expect(card).toContain('Nothing in the last 30 days')
  })

  it('shows the latest items escaped, with source, date and topics', async () => {
    const html = await (await (await setup()).app.request('/')).text()
    expect(html).not.toContain('<script>')
    expect(html).toContain('Torkham crossing reopens &lt;script&gt;alert(1)&lt;/script&gt;')
    const first = html.match(/<ol class="items">\n<li>(.*?)<\/li>/)?.[1] ?? ''
    expect(first).toContain(
      'href="https://news.example.org/dawn/torkham-crossing-reopens-script-alert-1-script"',
    )
    expect(first).toContain('<a href="#source-dawn">Dawn</a>')
    expect(first).toContain('20 Nov 2026, 10:00 UTC')
    expect(first).toContain('href="#topic-pakistan-afghanistan">Pakistan–Afghanistan relations</a>')
  })

  it('shows source health with a sparkline, and copes without history', async () => {
    const html = await (await (await setup()).app.request('/')).text()
    const dawn =
      html.match(/<article class="card source" id="source-dawn">.*?<\/article>/)?.[0] ?? ''
    expect(dawn).toContain('<span class="badge failing">failing</span>')
    expect(dawn).toContain('2 failures in a row: HTTP 503 from https://dawn.test/feed')
    expect(dawn).toContain('last success <time datetime="2026-11-19T12:00:00.000Z">')
    expect([...dawn.matchAll(/<rect class="poll ([\w-]+)"/g)].map((m) => m[1])).toEqual([
      'ok',
      'not-modified',
      'error',
      'error',
    ])
    const tolo =
      html.match(/<article class="card source" id="source-tolo">.*?<\/article>/)?.[0] ?? ''
    expect(tolo).toContain('<span class="badge ok">ok</span>')
    expect(tolo).toContain('no polls recorded yet')
  })

  it('answers If-None-Match with 304 until items, source states or the day change', async () => {
    const { app, deps } = await setup()
    const etag = (await app.request('/')).headers.get('etag') ?? ''
    const again = await app.request('/', { headers: { 'If-None-Match': etag } })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
    expect(again.headers.get('etag')).toBe(etag)

    await deps.store.saveState({ ...toloState, lastFetchAt: '2026-11-20T12:15:00.000Z' })
    const afterPoll = await app.request('/', { headers: { 'If-None-Match': etag } })
    expect(afterPoll.status).toBe(200)
    const etag2 = afterPoll.headers.get('etag') ?? ''
    expect(etag2).not.toBe(etag)

    await deps.store.saveIngest({
      sourceId: 'dawn',
      items: [
        makeItem({ sourceId: 'dawn', title: 'Fresh news', publishedAt: '2026-11-20T11:00:00Z' }),
      ],
      state: dawnState,
    })
    const afterItem = await app.request('/', { headers: { 'If-None-Match': etag2 } })
    expect(afterItem.status).toBe(200)
    const etag3 = afterItem.headers.get('etag') ?? ''

    deps.clock.advance(86_400_000)
    expect((await app.request('/', { headers: { 'If-None-Match': etag3 } })).status).toBe(200)
  })

  it('needs the feed token when one is set, and carries it in its links', async () => {
    const { app } = await setup({ ...config, server: { ...config.server, feedToken: 'tok' } })
    expect((await app.request('/')).status).toBe(401)
    expect((await app.request('/?token=nope')).status).toBe(401)
    const res = await app.request('/?token=tok')
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('private, max-age=60')
    const html = await res.text()
    const own = [...html.matchAll(/href="(http:\/\/localhost:8080[^"]*)"/g)].map((m) => m[1])
    expect(own.length).toBeGreaterThan(10)
    for (const href of own) expect(href).toMatch(/\?token=tok$/)
  })
})

describe('GET /opml', () => {
  it('serves OPML 2.0 of every named feed and topic, once each, with absolute URLs', async () => {
    const { app } = await setup()
    const res = await app.request('/opml')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/x-opml; charset=utf-8')
    expect(res.headers.get('content-disposition')).toBe('inline; filename="topicwire.opml"')
    const doc = parseOpmlWithPython(await res.text())
    const urls = doc.groups.flatMap((g) => g.outlines.map((o) => o.xmlUrl))
    expect(urls).toEqual([
      `${BASE}/feeds/pak-afghan.rss`,
      `${BASE}/topics/pakistan-afghanistan.rss`,
      `${BASE}/topics/quiet.rss`,
    ])
  })

  it('adds per-source feeds with ?sources=1 and rejects a bad value', async () => {
    const { app } = await setup()
    const doc = parseOpmlWithPython(await (await app.request('/opml?sources=1')).text())
    expect(doc.groups.at(-1)?.outlines.map((o) => o.xmlUrl)).toEqual([
      `${BASE}/sources/dawn.rss`,
      `${BASE}/sources/tolo.rss`,
    ])
    const bad = await app.request('/opml?sources=maybe')
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('sources')
  })

  it('answers If-None-Match with 304', async () => {
    const { app } = await setup()
    const etag = (await app.request('/opml')).headers.get('etag') ?? ''
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/)
    expect((await app.request('/opml', { headers: { 'If-None-Match': etag } })).status).toBe(304)
  })

  it('needs the feed token when one is set and puts it in every URL', async () => {
    const { app } = await setup({ ...config, server: { ...config.server, feedToken: 'tok' } })
    expect((await app.request('/opml')).status).toBe(401)
    const doc = parseOpmlWithPython(await (await app.request('/opml?token=tok')).text())
    for (const o of doc.groups.flatMap((g) => g.outlines)) {
      expect(o.xmlUrl).toMatch(/^http:\/\/localhost:8080\/.*\.rss\?token=tok$/)
    }
  })
})
