/** The front layer: one way in for every request, the same under Node and app.request(), seen by every middleware. */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { Exchange, Middleware } from '../../src/http/exchange.js'
import { createFeedCache } from '../../src/http/feed-cache.js'
import { createFeedLayer } from '../../src/http/feed-layer.js'
import { createFront, type Front } from '../../src/http/front.js'
import { makeItem } from '../helpers/items.js'
import { createSeededDeps } from '../helpers/runtime.js'

const servers: { close(): void }[] = []
afterEach(() => {
  for (const s of servers.splice(0)) s.close()
})

/** Every request a middleware saw: method, target, route and status after `next()`. */
type Seen = [string, string, string, number]

const setup = async (extra: Middleware[] = []) => {
  const deps = await createSeededDeps([
    makeItem({ sourceId: 'dawn', title: 'Torkham reopens', topics: ['pakistan-afghanistan'] }),
  ])
  const seen: Seen[] = []
  const watch: Middleware = (ex, next) => {
    const after = () => {
      seen.push([ex.method, ex.target, ex.route, ex.status])
    }
    const pending = next()
    return pending ? pending.then(after) : after()
  }
  const cache = createFeedCache()
  const front = createFront({
    feeds: createFeedLayer(deps, cache),
    middleware: [watch, ...extra],
    logger: deps.logger,
  })
  front.hono.get('/hello', (c) => c.text('hi'))
  return { deps, front, seen, cache }
}

/** A loopback server over the front's Node listener; returns its base URL. */
const listen = async (front: Front): Promise<string> => {
  const server = createServer(front.node)
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const FEED = '/topics/pakistan-afghanistan.rss'

describe('createFront', () => {
  it.each([
    [
      'app.request()',
      async (f: Front) => (path: string, init?: RequestInit) => f.request(path, init),
    ],
    [
      "Node's server",
      async (f: Front) => {
        const base = await listen(f)
        return (path: string, init?: RequestInit) => fetch(base + path, init)
      },
    ],
  ])(
    'lets a middleware see rendered, cached, 304 and other requests alike (%s)',
    async (_, way) => {
      const { front, seen, cache } = await setup()
      const get = await way(front)
      const first = await get(FEED)
      expect(first.status).toBe(200)
      expect(await first.text()).toContain('Torkham reopens')
      expect((await get(FEED)).status).toBe(200)
      const etag = first.headers.get('etag') ?? ''
      expect((await get(FEED, { headers: { 'If-None-Match': etag } })).status).toBe(304)
      expect((await get('/topics/nowhere.rss')).status).toBe(404)
      expect(await (await get('/hello')).text()).toBe('hi')
      expect(cache.stats().renders).toBe(1)
      expect(cache.stats().hits).toBe(2)
      expect(seen).toEqual([
        ['GET', FEED, '/topics/:name', 200],
        ['GET', FEED, '/topics/:name', 200],
        ['GET', FEED, '/topics/:name', 304],
        ['GET', '/topics/nowhere.rss', '/topics/:name', 404],
        ['GET', '/hello', '/hello', 200],
      ])
    },
  )

  it.each([
    ['app.request()', async (f: Front) => (path: string) => f.request(path)],
    [
      "Node's server",
      async (f: Front) => {
        const base = await listen(f)
        return (path: string) => fetch(base + path)
      },
    ],
  ])('lets a middleware answer instead, also for a feed already cached (%s)', async (_, way) => {
    let locked = false
    const lock: Middleware = (ex: Exchange, next) => {
      if (!locked) return next()
      ex.respond({ status: 401, headers: { 'Content-Type': 'text/plain' }, body: 'locked' })
    }
    const { front, seen } = await setup([lock])
    const get = await way(front)
    expect((await get(FEED)).status).toBe(200)
    locked = true
    const denied = await get(FEED)
    expect(denied.status).toBe(401)
    expect(await denied.text()).toBe('locked')
    expect(seen.map((s) => s[3])).toEqual([200, 401])
  })

  it('answers HEAD for a feed with the headers of a GET and no body', async () => {
    const { front } = await setup()
    const get = await front.request(FEED)
    const head = await front.request(FEED, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
    expect(head.headers.get('etag')).toBe(get.headers.get('etag'))
  })

  it('passes other methods on a feed path to the app (no route: 404)', async () => {
    const { front, seen } = await setup()
    const res = await front.request(FEED, { method: 'POST' })
    expect(res.status).toBe(404)
    expect(seen).toEqual([['POST', FEED, seen[0]?.[2], 404]])
  })
})
