/** /api/items from the byte cache: validators and 304s, bytes equal to a fresh render, bounded renders (503). */
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/http/app.js'
import { createFeedCache } from '../../src/http/feed-cache.js'
import { createRenderLimiter } from '../../src/http/render-limiter.js'
import type { Store } from '../../src/model/types.js'
import { makeItem } from '../helpers/items.js'
import { createTestDeps, makeSource, testConfig } from '../helpers/runtime.js'

const seed = async (feedToken?: string) => {
  const deps = createTestDeps(
    testConfig({
      sources: [makeSource({ id: 'dawn', title: 'Dawn' }), makeSource({ id: 'geo', title: 'Geo' })],
      ...(feedToken
        ? { server: { host: '127.0.0.1', port: 0, baseUrl: 'http://localhost:8080', feedToken } }
        : {}),
    }),
  )
  for (const sourceId of ['dawn', 'geo']) {
    await deps.store.saveIngest({
      sourceId,
      items: Array.from({ length: 30 }, (_, i) =>
        makeItem({
          sourceId,
          title: `${sourceId} report ${i}: Pakistan and Afghanistan talks at Torkham`,
          topics: ['pakistan-afghanistan'],
          publishedAt: new Date(
            Date.UTC(2026, 10, 1, i, sourceId === 'dawn' ? 0 : 30),
          ).toISOString(),
        }),
      ),
      state: { sourceId, failures: 0, nextPollAt: '2026-11-20T12:15:00.000Z' },
    })
  }
  return deps
}

/** A store whose item queries wait for `open()`: holds renders in flight. */
const gatedStore = (store: Store) => {
  let open: () => void = () => {}
  let gate = new Promise<void>((r) => {
    open = r
  })
  const gated = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'queryItems') {
        return async (...args: Parameters<Store['queryItems']>) => {
          await gate
          return target.queryItems(...args)
        }
      }
      const value = Reflect.get(target, prop, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return {
    store: gated,
    open: () => open(),
    close: () => {
      gate = new Promise<void>((r) => {
        open = r
      })
    },
  }
}

describe('/api/items from the byte cache', () => {
  it('renders a page once, then answers repeats and reordered queries with the same bytes', async () => {
    const deps = await seed()
    const cache = createFeedCache()
    const app = createApp(deps, {}, { feedCache: cache })
    const first = await app.request('/api/items?limit=5&source=dawn')
    expect(first.status).toBe(200)
    expect(first.headers.get('content-type')).toBe('application/json')
    const body = await first.text()
    const page = JSON.parse(body) as {
      items: { title: string }[]
      nextCursor: string
      next: string
    }
    expect(page.items.map((i) => i.title)).toEqual(
      [29, 28, 27, 26, 25].map(
        (i) => `dawn report ${i}: Pakistan and Afghanistan talks at Torkham`,
      ),
    )
    expect(page.next).toBe(
      `http://localhost:8080/api/items?cursor=${encodeURIComponent(page.nextCursor)}&limit=5&source=dawn`,
    )
    const again = await app.request('/api/items?source=dawn&limit=5')
    expect(await again.text()).toBe(body)
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'))
    expect(cache.stats()).toMatchObject({ renders: 1, entries: 1 })
    // The next link leads to the next page.
    const next = await app.request(page.next.replace('http://localhost:8080', ''))
    const second = (await next.json()) as { items: { title: string }[] }
    expect(second.items[0]?.title).toMatch(/^dawn report 24:/)
  })

  it('sends the bytes a fresh render sends, with or without explain', async () => {
    const deps = await seed()
    const cached = createApp(deps)
    for (const q of [
      'limit=50',
      'limit=500&explain=1',
      'topic=pakistan-afghanistan&clusters=all',
    ]) {
      await cached.request(`/api/items?${q}`)
      const fromCache = await cached.request(`/api/items?${q}`)
      const fresh = await createApp(deps).request(`/api/items?${q}`)
      expect(fromCache.status).toBe(200)
      expect(await fromCache.text()).toBe(await fresh.text())
      expect(fromCache.headers.get('etag')).toBe(fresh.headers.get('etag'))
    }
  })

  it('answers If-None-Match and If-Modified-Since with 304, and a changed store with 200', async () => {
    const deps = await seed()
    const app = createApp(deps)
    const first = await app.request('/api/items?limit=10')
    const etag = first.headers.get('etag') ?? ''
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/)
    expect(first.headers.get('vary')).toBe('Accept-Encoding')
    const conditions: Record<string, string>[] = [
      { 'If-None-Match': etag },
      { 'If-Modified-Since': first.headers.get('last-modified') ?? '' },
    ]
    for (const h of conditions) {
      const res = await app.request('/api/items?limit=10', { headers: h })
      expect(res.status).toBe(304)
      expect(await res.text()).toBe('')
      expect(res.headers.get('etag')).toBe(etag)
    }
    await deps.store.saveIngest({
      sourceId: 'geo',
      items: [
        makeItem({
          sourceId: 'geo',
          title: 'Pakistan and Afghanistan sign a Torkham trade accord',
          topics: ['pakistan-afghanistan'],
          publishedAt: '2026-11-03T00:00:00.000Z',
        }),
      ],
      state: { sourceId: 'geo', failures: 0, nextPollAt: '2026-11-20T12:15:00.000Z' },
    })
    const changed = await app.request('/api/items?limit=10', { headers: { 'If-None-Match': etag } })
    expect(changed.status).toBe(200)
    expect(changed.headers.get('etag')).not.toBe(etag)
    const page = (await changed.json()) as { items: { title: string }[] }
    expect(page.items[0]?.title).toBe('Pakistan and Afghanistan sign a Torkham trade accord')
  })

  it('answers 503 with Retry-After when the client already has its share of renders waiting', async () => {
    const deps = await seed()
    const gated = gatedStore(deps.store)
    const limiter = createRenderLimiter({ concurrency: 1, maxQueued: 4, perClient: 2 })
    const app = createApp({ ...deps, store: gated.store }, {}, { renderLimiter: limiter })
    const held = [
      app.request('/api/items?limit=1'),
      app.request('/topics/pakistan-afghanistan.rss?limit=2'),
    ]
    // A third distinct query from the same client: refused at once, before the others finish.
    const refused = await app.request('/api/items?limit=3')
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /retry/,
    )
    // A repeat of a query already being rendered waits for that render: no new work, no refusal.
    const repeat = app.request('/api/items?limit=1')
    gated.open()
    const answers = await Promise.all([...held, repeat])
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200])
    expect(limiter.stats()).toMatchObject({ running: 0, queued: 0, refused: 1 })
    // Room again: the refused query is answered.
    expect((await app.request('/api/items?limit=3')).status).toBe(200)
    // A cached page is answered even while renders fill every slot.
    gated.close()
    const busy = [app.request('/api/items?limit=4'), app.request('/api/items?limit=5')]
    expect((await app.request('/api/items?limit=3')).status).toBe(200)
    expect((await app.request('/api/items?limit=6')).status).toBe(503)
    gated.open()
    expect((await Promise.all(busy)).map((r) => r.status)).toEqual([200, 200])
  })

  it('checks the feed token on every request, cached or not, and puts it in the next link', async () => {
    const deps = await seed('s3cret')
    const app = createApp(deps)
    const ok = await app.request('/api/items?limit=2&token=s3cret')
    expect(ok.status).toBe(200)
    expect(ok.headers.get('cache-control')).toMatch(/^private/)
    const page = (await ok.json()) as { next: string }
    expect(page.next).toMatch(/&token=s3cret$/)
    expect((await app.request('/api/items?limit=2')).status).toBe(401)
    expect((await app.request('/api/items?limit=2&token=wrong')).status).toBe(401)
    expect((await app.request(page.next.replace('http://localhost:8080', ''))).status).toBe(200)
  })
})
