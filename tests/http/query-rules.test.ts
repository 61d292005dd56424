/** One query rule on every route: unknown, repeated, empty or empty-searching parameters are one clear 400; a wrong method is 405. */
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/http/app.js'
import { makeItem } from '../helpers/items.js'
import { createSeededDeps } from '../helpers/runtime.js'

const setup = async () => {
  const deps = await createSeededDeps([
    makeItem({ sourceId: 'dawn', title: 'Torkham reopens', topics: ['pakistan-afghanistan'] }),
  ])
  return createApp(deps)
}

type ErrorBody = { error: { param?: string; message: string } }

const FEED = '/topics/pakistan-afghanistan.rss'

describe('the query rule of every route', () => {
  it.each([
    [`${FEED}?limit=10&limit=20`, 'limit', /given 2 times/],
    ['/api/items?limit=10&limit=20', 'limit', /given 2 times/],
    ['/api/items?explain=1&explain=0', 'explain', /given 2 times/],
    [`${FEED}?topic=`, 'topic', /empty/],
    ['/api/items?topic=', 'topic', /empty/],
    ['/api/items?source=%20', 'source', /empty/],
    ['/search.json?q=', 'q', /empty/],
    ['/search.json?q=*****', 'q', /no letter or digit/],
    ['/api/items?q=%E2%80%8B%E2%80%8C%E2%80%8D', 'q', /no letter or digit/],
    ['/api/items?q=kabul%20---', 'q', /no letter or digit/],
    ['/api/topics?limit=5', 'limit', /unknown parameter/],
    ['/api/sources?x=1', 'x', /unknown parameter/],
    ['/api/feeds?topic=a', 'topic', /unknown parameter/],
    ['/opml?source=1', 'source', /did you mean "sources"/],
    ['/opml?sources=1&sources=1', 'sources', /given 2 times/],
    ['/?page=2', 'page', /unknown parameter/],
    ['/healthz?verbose=1', 'verbose', /takes no parameters/],
    ['/metrics?x=1', 'x', /known parameters: token/],
  ])('%s → 400 naming %s', async (path, param, message) => {
    const app = await setup()
    const res = await app.request(path)
    expect(res.status).toBe(400)
    const body = (await res.json()) as ErrorBody
    expect(body.error.param).toBe(param)
    expect(body.error.message).toMatch(message)
  })

  it('still accepts what the routes document', async () => {
    const app = await setup()
    for (const path of [
      `${FEED}?limit=1`,
      '/api/items?q=torkham&explain=1',
      '/api/items?q=-cricket',
      '/opml?sources=1',
      '/api/topics',
      '/healthz',
    ]) {
      expect((await app.request(path)).status, path).toBe(200)
    }
  })

  it.each([
    ['POST', FEED, 'GET, HEAD'],
    ['DELETE', '/api/items', 'GET, HEAD'],
    ['PUT', '/healthz', 'GET, HEAD'],
    ['GET', '/api/reload', 'POST'],
    ['GET', '/api/sources/dawn/refresh', 'POST'],
  ])('%s %s → 405 with Allow: %s', async (method, path, allow) => {
    const app = await setup()
    const res = await app.request(path, { method })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe(allow)
    expect(((await res.json()) as ErrorBody).error.message).toContain(`allowed: ${allow}`)
  })

  it('answers 404 for a path no method has', async () => {
    const app = await setup()
    expect((await app.request('/nowhere', { method: 'POST' })).status).toBe(404)
  })

  it.each([
    [`${FEED}?${'x'.repeat(16_000)}=1`],
    [`/api/items?topic=${'t'.repeat(16_000)}`],
    [`/search.rss?q=${'titel'.repeat(3000)}:kabul`],
    [`/topics/${'n'.repeat(16_000)}.rss`],
    [`/${'p'.repeat(16_000)}`],
    [`/opml?sources=${'1'.repeat(16_000)}`],
  ])('never echoes more than a hundred characters of the input (%#)', async (path) => {
    const app = await setup()
    const res = await app.request(path)
    expect(res.status).toBeGreaterThanOrEqual(400)
    const text = await res.text()
    expect(text.length).toBeLessThan(400)
    expect(text).not.toMatch(/(.)\1{100}/)
  })
})

describe('X-Content-Type-Options', () => {
  it('is nosniff on every answer: feeds (200, 304, errors), API, pages, ops, 404, 405', async () => {
    const app = await setup()
    const first = await app.request(FEED)
    const answers = [
      first,
      await app.request(FEED, { headers: { 'If-None-Match': first.headers.get('etag') ?? '' } }),
      await app.request(FEED),
      await app.request(`${FEED}?limit=0`),
      await app.request('/topics/nope.rss'),
      await app.request('/api/items'),
      await app.request('/api/topics'),
      await app.request('/'),
      await app.request('/opml'),
      await app.request('/healthz'),
      await app.request('/metrics'),
      await app.request('/nowhere'),
      await app.request('/api/items', { method: 'POST' }),
    ]
    expect(answers.map((r) => r.status)).toEqual([
      200, 304, 200, 400, 404, 200, 200, 200, 200, 200, 200, 404, 405,
    ])
    for (const res of answers) expect(res.headers.get('x-content-type-options')).toBe('nosniff')
  })
})
