/** Compressed feeds through real HTTP: the coding Accept-Encoding asks for, per-variant validators, 304s, HEAD. */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../src/http/app.js'
import { createFeedCache } from '../../src/http/feed-cache.js'
import { codedTag } from '../../src/http/feed-codings.js'
import { makeItem } from '../helpers/items.js'
import { createTestDeps, makeSource, testConfig } from '../helpers/runtime.js'

const servers: Server[] = []
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections()
    s.close()
  }
})

const FEED = '/topics/pakistan-afghanistan.rss'

const start = async () => {
  const deps = createTestDeps(testConfig({ sources: [makeSource({ id: 'dawn', title: 'Dawn' })] }))
  await deps.store.saveIngest({
    sourceId: 'dawn',
    items: Array.from({ length: 12 }, (_, i) =>
      makeItem({
        sourceId: 'dawn',
        title: `Torkham report ${i}: Pakistan and Afghanistan traders wait`,
        topics: ['pakistan-afghanistan'],
        publishedAt: new Date(Date.UTC(2026, 10, 1, i)).toISOString(),
      }),
    ),
    state: { sourceId: 'dawn', failures: 0, nextPollAt: '2026-11-20T12:15:00.000Z' },
  })
  const cache = createFeedCache()
  const server = createServer(createApp(deps, {}, { feedCache: cache }).node)
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { port: (server.address() as AddressInfo).port, cache, deps }
}

interface Got {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
}

/** node:http, which neither adds Accept-Encoding nor decodes: we see the bytes as sent. */
const get = (port: number, path: string, headers: Record<string, string> = {}, method = 'GET') =>
  new Promise<Got>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      )
    })
    req.on('error', reject)
    req.end()
  })

const decode = (got: Got): Buffer => {
  const coding = got.headers['content-encoding']
  if (coding === 'gzip') return gunzipSync(got.body)
  if (coding === 'br') return brotliDecompressSync(got.body)
  expect(coding).toBeUndefined()
  return got.body
}

describe('compressed feeds', () => {
  it.each([
    ['gzip', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['br', 'br'],
    ['identity', undefined],
    ['*;q=0', undefined],
    ['deflate', undefined],
  ] as const)('Accept-Encoding %j: %s, the same document once decoded', async (ae, want) => {
    const { port } = await start()
    const plain = await get(port, FEED)
    expect(plain.status).toBe(200)
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.headers.vary).toBe('Accept, Accept-Encoding')
    const etag = plain.headers.etag ?? ''
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/)

    const coded = await get(port, FEED, { 'Accept-Encoding': ae })
    expect(coded.status).toBe(200)
    expect(coded.headers['content-encoding']).toBe(want)
    expect(coded.headers['content-length']).toBe(String(coded.body.byteLength))
    expect(coded.headers.vary).toBe('Accept, Accept-Encoding')
    expect(coded.headers['content-type']).toBe(plain.headers['content-type'])
    expect(coded.headers['last-modified']).toBe(plain.headers['last-modified'])
    expect(coded.headers.etag).toBe(want ? codedTag(etag, want) : etag)
    expect(decode(coded).equals(plain.body)).toBe(true)
    if (want) expect(coded.body.byteLength).toBeLessThan(plain.body.byteLength / 2)
  })

  it('compresses a document once per coding, however many readers ask at once', async () => {
    const { port, cache } = await start()
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        get(port, FEED, { 'Accept-Encoding': i % 2 ? 'gzip' : 'br' }),
      ),
    )
    const bodies = new Set(answers.map((a) => a.body.toString('base64')))
    expect(bodies.size).toBe(2)
    await get(port, FEED, { 'Accept-Encoding': 'gzip' })
    expect(cache.stats()).toMatchObject({ renders: 1, compressions: 2, entries: 1 })
    // The compressed bytes are counted in the cache's bytes.
    const sizes = answers.slice(0, 2).reduce((n, a) => n + a.body.byteLength, 0)
    const plain = await get(port, FEED)
    expect(cache.stats().bytes).toBe(plain.body.byteLength + sizes)
  })

  it('answers 304 per variant, matches across variants, and names the tag that matched', async () => {
    const { port } = await start()
    const plain = await get(port, FEED)
    const etag = plain.headers.etag ?? ''
    const gz = codedTag(etag, 'gzip')
    const br = codedTag(etag, 'br')
    const cases: [Record<string, string>, string][] = [
      [{ 'Accept-Encoding': 'gzip', 'If-None-Match': gz }, gz],
      [{ 'Accept-Encoding': 'br', 'If-None-Match': br }, br],
      // A reader that stored the gzip form and now takes br: its copy is still good.
      [{ 'Accept-Encoding': 'br', 'If-None-Match': gz }, gz],
      [{ 'Accept-Encoding': 'gzip', 'If-None-Match': etag }, etag],
      [{ 'If-None-Match': `W/${br}` }, br],
      [{ 'Accept-Encoding': 'gzip', 'If-None-Match': `"other", ${br}` }, br],
      [{ 'Accept-Encoding': 'gzip', 'If-None-Match': '*' }, gz],
      [{ 'Accept-Encoding': 'br', 'If-Modified-Since': plain.headers['last-modified'] ?? '' }, br],
    ].map(([h, t]) => [h as Record<string, string>, t as string])
    for (const [headers, tag] of cases) {
      for (const method of ['GET', 'HEAD']) {
        const res = await get(port, FEED, headers, method)
        expect([res.status, res.headers.etag, method, headers]).toEqual([304, tag, method, headers])
        expect(res.headers.vary).toBe('Accept, Accept-Encoding')
        expect(res.headers['content-encoding']).toBeUndefined()
        expect(res.body.byteLength).toBe(0)
      }
    }
    // A tag of another document, or a suffix we never gave out, is no match.
    for (const inm of ['"other"', `"${etag.slice(1, -1)}-zz"`, `"${etag.slice(1, -1)}gz"`]) {
      const res = await get(port, FEED, { 'Accept-Encoding': 'gzip', 'If-None-Match': inm })
      expect(res.status).toBe(200)
      expect(res.headers.etag).toBe(gz)
    }
  })

  it('answers HEAD with the headers of the GET of the same coding and no body', async () => {
    const { port } = await start()
    for (const ae of ['gzip', 'br', 'identity']) {
      const head = await get(port, FEED, { 'Accept-Encoding': ae }, 'HEAD')
      const full = await get(port, FEED, { 'Accept-Encoding': ae })
      expect(head.status).toBe(200)
      expect(head.body.byteLength).toBe(0)
      const { date: _a, ...headHeaders } = head.headers
      const { date: _b, ...getHeaders } = full.headers
      expect(headHeaders).toEqual(getHeaders)
      expect(Number(head.headers['content-length'])).toBe(full.body.byteLength)
    }
  })

  it('makes new variants after the store changes, and answers the old tags with 200', async () => {
    const { port, deps } = await start()
    const before = await get(port, FEED, { 'Accept-Encoding': 'gzip' })
    await deps.store.saveIngest({
      sourceId: 'dawn',
      items: [
        makeItem({
          sourceId: 'dawn',
          title: 'Pakistan and Afghanistan open a new Torkham terminal',
          topics: ['pakistan-afghanistan'],
          publishedAt: '2026-11-02T00:00:00.000Z',
        }),
      ],
      state: { sourceId: 'dawn', failures: 0, nextPollAt: '2026-11-20T12:15:00.000Z' },
    })
    const after = await get(port, FEED, {
      'Accept-Encoding': 'gzip',
      'If-None-Match': before.headers.etag ?? '',
    })
    expect(after.status).toBe(200)
    expect(after.headers.etag).not.toBe(before.headers.etag)
    expect(gunzipSync(after.body).toString()).toContain('new Torkham terminal')
  })
})
