import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createNodeServer } from '../../src/http/node-server.js'
import { makeItem } from '../helpers/items.js'
import { createSeededDeps, makeSource, testConfig } from '../helpers/runtime.js'

const servers: { close(): void }[] = []
afterEach(() => {
  for (const s of servers.splice(0)) s.close()
})

/** A listening server over a memory store with two tagged items; returns its base URL. */
const start = async (feedToken?: string) => {
  const config = testConfig({
    sources: [makeSource({ id: 'dawn', title: 'Dawn' })],
    server: {
      host: '127.0.0.1',
      port: 0,
      baseUrl: 'http://localhost:8080',
      ...(feedToken ? { feedToken } : {}),
    },
  })
  const deps = await createSeededDeps(
    [
      makeItem({ sourceId: 'dawn', title: 'Torkham reopens', topics: ['pakistan-afghanistan'] }),
      makeItem({ sourceId: 'dawn', title: 'Talks resume', topics: ['pakistan-afghanistan'] }),
    ],
    config,
  )
  const server = createNodeServer(deps)
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { base }
}

const headersOf = (res: Response) => {
  const h = Object.fromEntries(res.headers)
  delete h.date
  delete h.connection
  delete h['keep-alive']
  return h
}

describe('createNodeServer', () => {
  it('answers a repeated feed request from the cache with the same bytes and headers', async () => {
    const { base } = await start()
    const path = '/topics/pakistan-afghanistan.atom?limit=10'
    const first = await fetch(base + path)
    const firstBody = await first.text()
    const second = await fetch(base + path)
    expect(second.status).toBe(200)
    expect(await second.text()).toBe(firstBody)
    expect(headersOf(second)).toEqual(headersOf(first))
    expect(firstBody).toContain('Torkham reopens')
  })

  it('answers 304 at the Node level, with the validators and no body', async () => {
    const { base } = await start()
    const path = '/topics/pakistan-afghanistan.rss'
    const first = await fetch(base + path)
    await first.text()
    const conditions: Record<string, string>[] = [
      { 'If-None-Match': first.headers.get('etag') ?? '' },
      { 'If-Modified-Since': first.headers.get('last-modified') ?? '' },
    ]
    for (const conditional of conditions) {
      const res = await fetch(base + path, { headers: conditional })
      expect(res.status).toBe(304)
      expect(await res.text()).toBe('')
      expect(res.headers.get('etag')).toBe(first.headers.get('etag'))
    }
  })

  it('leaves every request to Hono when feeds need a token', async () => {
    const { base } = await start('s3cret')
    const path = '/topics/pakistan-afghanistan.rss'
    expect((await fetch(`${base}${path}?token=s3cret`)).status).toBe(200)
    const denied = await fetch(base + path)
    expect(denied.status).toBe(401)
    expect(((await denied.json()) as { error: { param: string } }).error.param).toBe('token')
  })

  it('keeps idle connections longer than a reverse proxy keeps its upstream ones, and says so', async () => {
    const { base } = await start()
    const res = await fetch(`${base}/healthz`)
    await res.text()
    // nginx reuses an upstream connection for 60 s: closing it sooner loses the proxy's next request.
    const seconds = Number(/timeout=(\d+)/.exec(res.headers.get('keep-alive') ?? '')?.[1])
    expect(seconds).toBeGreaterThan(60)
  })

  it('serves the other routes through Hono', async () => {
    const { base } = await start()
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' })
    expect((await fetch(`${base}/nope`)).status).toBe(404)
  })
})
