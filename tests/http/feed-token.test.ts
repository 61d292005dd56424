/** server.feed_token end to end: links that keep the token, 401 without it, /metrics behind it, Bearer in any case. */
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/http/app.js'
import type { AppConfig } from '../../src/model/types.js'
import { makeItem } from '../helpers/items.js'
import { createTestDeps, makeSource, testConfig } from '../helpers/runtime.js'

const TOKEN = 's3cr/t+1'
const Q = encodeURIComponent(TOKEN)

const setup = async (over: Partial<AppConfig['server']> = { feedToken: TOKEN }) => {
  const base = testConfig({ sources: [makeSource({ id: 'dawn', title: 'Dawn' })] })
  const deps = createTestDeps({ ...base, server: { ...base.server, ...over } })
  await deps.store.saveIngest({
    sourceId: 'dawn',
    items: Array.from({ length: 3 }, (_, i) =>
      makeItem({
        sourceId: 'dawn',
        title: `Torkham report ${i}`,
        topics: ['pakistan-afghanistan'],
        publishedAt: new Date(Date.UTC(2026, 10, 20, 10 - i)).toISOString(),
      }),
    ),
    state: { sourceId: 'dawn', failures: 0, nextPollAt: '2026-11-20T12:15:00.000Z' },
  })
  return createApp(deps, { reload: async () => 'ok' })
}

/** A link as a reader would request it: the path and query under the base URL. */
const local = (href: string): string =>
  href.replace('http://localhost:8080', '').replaceAll('&amp;', '&')

describe('feed token', () => {
  it.each(['rss', 'atom'])(
    'keeps the token in the self and next links of %s, and next works',
    async (ext) => {
      const app = await setup()
      const res = await app.request(`/topics/pakistan-afghanistan.${ext}?limit=1&token=${Q}`)
      expect(res.status).toBe(200)
      const body = await res.text()
      const links = [...body.matchAll(/<atom:link[^>]*|<link[^>]*/g)].map((m) => m[0])
      const self = links.find((l) => l.includes('rel="self"'))
      const next = links.find((l) => l.includes('rel="next"'))
      expect(self).toContain(`token=${Q}`)
      const nextHref = /href="([^"]+)"/.exec(next ?? '')?.[1] ?? ''
      expect(nextHref).toContain(`token=${Q}`)
      const page2 = await app.request(local(nextHref))
      expect(page2.status).toBe(200)
      expect(await page2.text()).toContain('Torkham report 1')
    },
  )

  it('keeps the token in JSON Feed feed_url and next_url, and in /api/items next', async () => {
    const app = await setup()
    const feed = (await (
      await app.request(`/topics/pakistan-afghanistan.json?limit=1&token=${Q}`)
    ).json()) as { feed_url: string; next_url: string }
    expect(feed.feed_url).toContain(`token=${Q}`)
    expect((await app.request(local(feed.next_url))).status).toBe(200)
    const api = (await (await app.request(`/api/items?limit=1&token=${Q}`)).json()) as {
      next: string
    }
    expect((await app.request(local(api.next))).status).toBe(200)
  })

  it.each([
    '/topics/pakistan-afghanistan.rss',
    '/topics/pakistan-afghanistan.rss?token=wrong',
    '/api/items',
    '/api/sources?token=',
    '/opml',
    '/',
    '/metrics',
    '/metrics?token=wrong',
  ])('answers 401 to %s', async (path) => {
    const app = await setup()
    const res = await app.request(path)
    expect(res.status).toBe(401)
    expect(((await res.json()) as { error: { param: string } }).error.param).toBe('token')
  })

  it('serves /metrics with the token, and without one when none is set', async () => {
    expect((await (await setup()).request(`/metrics?token=${Q}`)).status).toBe(200)
    expect((await (await setup({})).request('/metrics')).status).toBe(200)
  })

  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR'])('takes the admin scheme %s', async (scheme) => {
    const app = await setup({ adminToken: 'adm1n' })
    const ok = await app.request('/api/reload', {
      method: 'POST',
      headers: { Authorization: `${scheme} adm1n` },
    })
    expect(ok.status).toBe(200)
    const bad = await app.request('/api/reload', {
      method: 'POST',
      headers: { Authorization: `${scheme} adm1x` },
    })
    expect(bad.status).toBe(401)
  })
})
