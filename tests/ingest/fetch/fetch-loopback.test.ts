/** fetchFeed + createHttpFetch against a real node:http server on 127.0.0.1: bytes on the wire. */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  type FetchOptions,
  type FetchResult,
  fetchFeed,
} from '../../../src/ingest/fetch/fetch-feed.js'
import { createHttpFetch, type HttpClient } from '../../../src/ingest/fetch/http-client.js'
import type { HttpFetch } from '../../../src/ingest/fetch/http-fetch.js'
import { refreshSource } from '../../../src/ingest/refresh.js'
import { FetchError } from '../../../src/model/errors.js'
import { createTestDeps, makeSource, testConfig } from '../../helpers/runtime.js'

type Handler = (res: ServerResponse, headers: IncomingHttpHeaders) => void

const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>loopback</title>${'<item><title>x</title></item>'.repeat(50)}</channel></rss>`
const MB = 1024 * 1024

let server: Server
let base: string
let handler: Handler = (res) => res.end(RSS)
const seen: IncomingHttpHeaders[] = []
const open = new Set<ServerResponse>()
let client: HttpClient

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers)
    open.add(res)
    res.on('close', () => open.delete(res))
    handler(res, req.headers)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  client = createHttpFetch({
    connectTimeoutMs: 2000,
    headersTimeoutMs: 5000,
    bodyTimeoutMs: 5000,
    allowPrivateNetworks: true,
  })
})

afterEach(() => {
  seen.length = 0
  for (const res of open) res.destroy()
})

afterAll(async () => {
  await client.close()
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const options = (over: Partial<FetchOptions> = {}): FetchOptions => ({
  fetch: client.fetch,
  userAgent: 'topicwire-test/1.0',
  timeoutMs: 5000,
  maxBytes: MB,
  ...over,
})
const failure = async (p: Promise<FetchResult>): Promise<FetchError> => {
  const err = await p.then(
    (r) => new Error(`expected a FetchError, got ${r.kind}`),
    (e: unknown) => e,
  )
  if (!(err instanceof FetchError)) throw err
  return err
}

describe('compression', () => {
  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const)('decodes a %s body', async (encoding, compress) => {
    const wire = compress(Buffer.from(RSS))
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': encoding })
      res.end(wire)
    }
    const r = await fetchFeed({ url: `${base}/feed` }, options())
    expect(wire.length).toBeLessThan(RSS.length / 4)
    expect(r.kind === 'ok' && r.body.toString('utf8')).toBe(RSS)
    expect(seen[0]?.['accept-encoding']).toBe('gzip, deflate, br')
  })

  const served = (encoding: string, wire: Buffer) => {
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': encoding })
      res.end(wire)
    }
    return fetchFeed({ url: `${base}/feed` }, options())
  }
  const text = (r: FetchResult) => (r.kind === 'ok' ? r.body.toString('utf8') : r.kind)

  it('decodes raw deflate (no zlib header), which some servers send as deflate', async () => {
    expect(text(await served('deflate', deflateRawSync(Buffer.from(RSS))))).toBe(RSS)
  })

  it('undoes stacked codings in reverse order, ignoring case and identity', async () => {
    const wire = brotliCompressSync(gzipSync(Buffer.from(RSS)))
    expect(text(await served('identity, GZIP, br', wire))).toBe(RSS)
  })

  it('reads what a gzip stream cut short holds, as browsers do', async () => {
    const long = RSS.replace(
      '</channel>',
      `${'<item><title>x</title></item>'.repeat(200)}</channel>`,
    )
    const wire = gzipSync(Buffer.from(long))
    const got = text(await served('gzip', wire.subarray(0, wire.length - 8)))
    expect(got.length).toBeGreaterThan(long.length / 2)
    expect(long.startsWith(got)).toBe(true)
  })

  it('says when a body cannot be decompressed', async () => {
    const err = await failure(served('gzip', Buffer.from('this is not gzip at all')))
    expect(err.code).toBe('fetch')
    expect(err.message).toMatch(
      /^could not decompress the answer from http:\/\/127\.0\.0\.1:\d+\/feed: /,
    )
  })

  it('passes an unknown coding through, and refuses a pile of codings', async () => {
    expect(text(await served('x-custom', Buffer.from(RSS)))).toBe(RSS)
    const err = await failure(served('gzip, gzip, gzip, gzip, gzip, gzip', Buffer.from(RSS)))
    expect(err.message).toBe('the answer names 6 content codings (at most 5)')
  })

  it('leaves a compressed body as it came when asked, naming its codings', async () => {
    const wire = brotliCompressSync(gzipSync(Buffer.from(RSS)))
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip, br' })
      res.end(wire)
    }
    const r = await fetchFeed({ url: `${base}/feed` }, options({ leaveEncoded: true }))
    expect(r.kind === 'ok' && Buffer.compare(r.body, wire)).toBe(0)
    expect(r.kind === 'ok' && r.codings).toEqual(['gzip', 'br'])
    // An answer without codings has none to name.
    handler = (res) => res.end(RSS)
    const plain = await fetchFeed({ url: `${base}/feed` }, options({ leaveEncoded: true }))
    expect(plain.kind === 'ok' && plain.codings).toBeUndefined()
    expect(text(plain)).toBe(RSS)
  })

  it('sends a conditional request without cache-busting headers and gets a 304', async () => {
    handler = (res, headers) => {
      res.writeHead(headers['if-none-match'] === '"v1"' ? 304 : 200)
      res.end()
    }
    const r = await fetchFeed({ url: `${base}/feed`, etag: '"v1"' }, options())
    expect(r.kind).toBe('not-modified')
    expect(seen[0]?.['user-agent']).toBe('topicwire-test/1.0')
    expect(seen[0]?.pragma).toBeUndefined()
    expect(seen[0]?.['cache-control']).toBeUndefined()
  })
})

describe('size cap', () => {
  it('cuts off a streamed body once it passes maxBytes', async () => {
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' }) // chunked: no Content-Length
      res.write(Buffer.alloc(600 * 1024, 0x61))
      res.end(Buffer.alloc(600 * 1024, 0x61))
    }
    const err = await failure(fetchFeed({ url: `${base}/big` }, options()))
    expect(err.code).toBe('too-large')
    expect(err.message).toBe(`the answer from ${base}/big is larger than 1 MB (fetch.max_bytes)`)
  })

  it('accepts a body of exactly maxBytes', async () => {
    handler = (res) => res.end(Buffer.alloc(MB, 0x61))
    const r = await fetchFeed({ url: `${base}/exact` }, options())
    expect(r.kind === 'ok' && r.body.length).toBe(MB)
  })

  it('stops a gzip bomb after about maxBytes of output, without inflating the rest', async () => {
    // Each gzip member inflates 16 MB of zeros from ~16 KB; 2000 members = 32 GB from ~32 MB.
    // A reader that inflated everything would never finish; ours must stop after ~1 MB, and the
    // server must see the connection drop long before it has written its ~32 MB.
    const member = gzipSync(Buffer.alloc(16 * MB))
    const members = 2000
    let written = 0
    let finished = false
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' })
      let sent = 0
      const pump = (): void => {
        while (sent < members && !res.destroyed) {
          sent++
          written += member.length
          if (!res.write(member)) {
            res.once('drain', pump)
            return
          }
        }
        if (!res.destroyed) res.end(() => (finished = true))
      }
      pump()
    }
    // Count what fetchFeed pulls out of the decoded body stream.
    let pulled = 0
    const counting: HttpFetch = async (url, init) => {
      const res = await client.fetch(url, init)
      const body = res.body
      if (!body) return res
      return {
        status: res.status,
        url: res.url,
        headers: res.headers,
        body: (async function* () {
          for await (const chunk of body) {
            pulled += chunk.byteLength
            yield chunk
          }
        })(),
      }
    }
    const err = await failure(fetchFeed({ url: `${base}/bomb` }, options({ fetch: counting })))
    expect(err.code).toBe('too-large')
    expect(pulled).toBeGreaterThan(MB)
    expect(pulled).toBeLessThan(MB + 256 * 1024)
    // The connection is gone before the server could finish (it wrote what socket buffers hold).
    await new Promise<void>((resolve) => {
      const check = () => (open.size === 0 ? resolve() : setImmediate(check))
      check()
    })
    expect(finished).toBe(false)
    expect(written).toBeLessThan((members * member.length) / 2)
  })
})

describe('deadline and transport errors', () => {
  it('gives up on a server that sends headers and then stalls', async () => {
    handler = (res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' })
      res.write('<rss version="2.0"><channel>') // and nothing more
    }
    const err = await failure(fetchFeed({ url: `${base}/stall` }, options({ timeoutMs: 300 })))
    expect(err.code).toBe('timeout')
    expect(err.message).toBe(`no complete answer from ${base}/stall within 300ms`)
  })

  it('gives up on a server that never answers', async () => {
    handler = () => {} // accepts the request, sends nothing
    const err = await failure(fetchFeed({ url: `${base}/silent` }, options({ timeoutMs: 300 })))
    expect(err.code).toBe('timeout')
  })

  it('reports a refused connection as FetchError(fetch)', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const url = `http://127.0.0.1:${port}/feed`
    const err = await failure(fetchFeed({ url }, options()))
    expect(err.code).toBe('fetch')
    expect(err.message).toBe(`could not connect to ${url}: connection refused`)
  })
})

describe('allowPrivateNetworks: false', () => {
  let guarded: HttpClient
  beforeAll(() => {
    guarded = createHttpFetch({
      connectTimeoutMs: 2000,
      headersTimeoutMs: 2000,
      bodyTimeoutMs: 2000,
      allowPrivateNetworks: false,
    })
  })
  afterAll(async () => {
    await guarded.close()
  })

  it.each([
    ['127.0.0.1', (port: number) => `http://127.0.0.1:${port}/feed`],
    ['localhost (resolved at connection time)', (port: number) => `http://localhost:${port}/feed`],
  ])('refuses %s without the server seeing a request', async (_, urlOf) => {
    handler = (res) => res.end(RSS)
    const port = (server.address() as AddressInfo).port
    const err = await failure(fetchFeed({ url: urlOf(port) }, options({ fetch: guarded.fetch })))
    expect(err.code).toBe('private-network')
    expect(err.message).toMatch(/^blocked by the private-network guard/)
    expect(err.message).not.toMatch(new RegExp(`127\\.0\\.0\\.1|localhost|${port}`))
    expect(seen).toHaveLength(0)
  })

  it('reaches the server for a source that opted out, through the guarded client', async () => {
    handler = (res) => res.end(RSS)
    const port = (server.address() as AddressInfo).port
    const r = await fetchFeed(
      { url: `http://localhost:${port}/feed`, allowPrivateNetworks: true },
      options({ fetch: guarded.fetch }),
    )
    expect(r.kind).toBe('ok')
    expect(seen).toHaveLength(1)
  })

  it('a poll of a guarded source records only that it was blocked: no address, status or body', async () => {
    handler = (res) =>
      res.writeHead(418, { 'X-Internal': 'secret-service' }).end('internal admin page')
    const port = (server.address() as AddressInfo).port
    const source = makeSource({ id: 'inside', url: `http://127.0.0.1:${port}/admin` })
    const deps = createTestDeps(testConfig({ sources: [source] }))
    deps.fetch = guarded.fetch
    const report = await refreshSource(source, deps)
    expect(report.outcome).toBe('error')
    const state = await deps.store.getState('inside')
    expect(state?.lastError?.code).toBe('private-network')
    const told = JSON.stringify(state)
    expect(told).toMatch(/blocked by the private-network guard/)
    expect(told).not.toMatch(new RegExp(`127\\.0\\.0\\.1:${port}/admin|418|secret|internal admin`))
    expect(seen).toHaveLength(0)
  })

  it('the same server is reachable when private networks are allowed', async () => {
    handler = (res) => res.end(RSS)
    const port = (server.address() as AddressInfo).port
    const r = await fetchFeed({ url: `http://localhost:${port}/feed` }, options())
    expect(r.kind).toBe('ok')
  })
})
