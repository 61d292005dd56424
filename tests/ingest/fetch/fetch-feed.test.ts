/**
 * fetchFeed over undici's MockAgent (passed as the client's dispatcher). msw cannot be used here:
 * it patches the global fetch and node:http, while undici's own `fetch` opens its own sockets
 * (checked: an msw handler never sees a request made with `import { fetch } from 'undici'`).
 */
import type { LookupAddress } from 'node:dns'
import { gzipSync } from 'node:zlib'
import { MockAgent } from 'undici'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createBodyPool } from '../../../src/ingest/fetch/body-pool.js'
import {
  type FetchOptions,
  type FetchResult,
  fetchFeed,
} from '../../../src/ingest/fetch/fetch-feed.js'
import {
  createHttpFetch,
  describeTransportError,
  parseCacheMaxAge,
  parseRetryAfter,
} from '../../../src/ingest/fetch/http-client.js'
import { createGuardedLookup, isPrivateAddress } from '../../../src/ingest/fetch/network-guard.js'
import { FetchError } from '../../../src/model/errors.js'

const ORIGIN = 'https://feeds.test'
const UA = 'topicwire/1.0 (+https://example.org/topicwire)'
const RSS = '<rss version="2.0"><channel><title>t</title></channel></rss>'

let mock: MockAgent
let opts: FetchOptions

/** The HTTP client over the mock agent; with the private-network guard off, or on. */
const clientOverMock = (allowPrivateNetworks: boolean) =>
  createHttpFetch({
    connectTimeoutMs: 1000,
    headersTimeoutMs: 1000,
    bodyTimeoutMs: 1000,
    allowPrivateNetworks,
    dispatcher: mock,
  })

beforeEach(() => {
  mock = new MockAgent()
  mock.disableNetConnect()
  const client = clientOverMock(true)
  opts = { fetch: client.fetch, userAgent: UA, timeoutMs: 5000, maxBytes: 1024 * 1024 }
})

afterEach(async () => {
  await mock.close()
})

const pool = () => mock.get(ORIGIN)
/** Answers `path` once with `status` and headers (and an optional body). */
const answer = (path: string, status: number, headers: Record<string, string> = {}, body = '') =>
  pool().intercept({ path, method: 'GET' }).reply(status, body, { headers })
const redirect = (path: string, status: number, location: string) =>
  answer(path, status, { location })
const fetchUrl = (path: string, extra: Partial<FetchOptions> = {}) =>
  fetchFeed({ url: `${ORIGIN}${path}` }, { ...opts, ...extra })
/** The FetchError a promise rejects with (fails the test when it resolves). */
const failure = async (p: Promise<FetchResult>): Promise<FetchError> => {
  const err = await p.then(
    (r) => new Error(`expected a FetchError, got ${r.kind}`),
    (e: unknown) => e,
  )
  if (!(err instanceof FetchError)) throw err
  return err
}

describe('request headers', () => {
  it('sends User-Agent, Accept, Accept-Encoding and the conditional validators', async () => {
    let seen: Record<string, string> = {}
    pool()
      .intercept({ path: '/feed', method: 'GET' })
      .reply((req) => {
        seen = Object.fromEntries(
          Object.entries(req.headers as Record<string, string>).map(([k, v]) => [
            k.toLowerCase(),
            v,
          ]),
        )
        return { statusCode: 304, data: '' }
      })
    const r = await fetchFeed(
      { url: `${ORIGIN}/feed`, etag: '"v1"', lastModified: 'Sun, 09 Mar 2025 10:00:00 GMT' },
      opts,
    )
    expect(r).toEqual({ kind: 'not-modified', status: 304, effectiveUrl: `${ORIGIN}/feed` })
    expect(seen['user-agent']).toBe(UA)
    expect(seen['if-none-match']).toBe('"v1"')
    expect(seen['if-modified-since']).toBe('Sun, 09 Mar 2025 10:00:00 GMT')
    expect(seen.accept).toMatch(
      /^application\/rss\+xml, application\/atom\+xml, application\/feed\+json/,
    )
    expect(seen['accept-encoding']).toBe('gzip, deflate, br')
    // undici's fetch would add these to a conditional request; they make caches skip themselves.
    expect(seen.pragma).toBeUndefined()
    expect(seen['cache-control']).toBeUndefined()
  })

  it('sends no validators when none are stored', async () => {
    pool()
      .intercept({ path: '/feed', method: 'GET' })
      .reply((req) => {
        const names = Object.keys(req.headers as Record<string, string>).map((k) => k.toLowerCase())
        return { statusCode: names.includes('if-none-match') ? 500 : 200, data: RSS }
      })
    expect((await fetchUrl('/feed')).kind).toBe('ok')
  })
})

describe('answers', () => {
  it('returns the body and validators of a 200', async () => {
    answer(
      '/feed',
      200,
      {
        'content-type': 'application/rss+xml; charset=utf-8',
        etag: '"v2"',
        'last-modified': 'Mon, 10 Mar 2025 08:00:00 GMT',
      },
      RSS,
    )
    const r = await fetchUrl('/feed')
    expect(r).toEqual({
      kind: 'ok',
      status: 200,
      body: Buffer.from(RSS),
      contentType: 'application/rss+xml; charset=utf-8',
      etag: '"v2"',
      lastModified: 'Mon, 10 Mar 2025 08:00:00 GMT',
      effectiveUrl: `${ORIGIN}/feed`,
    })
  })

  it('reads a body into a BodyPool buffer when given one, and gives back what it undid', async () => {
    const bodies = createBodyPool()
    answer('/feed', 200, {}, RSS)
    const r = await fetchUrl('/feed', { bodies })
    if (r.kind !== 'ok') throw new Error(r.kind)
    expect(r.body.toString()).toBe(RSS)
    // A view of a pool buffer: given back, it is the next body's.
    bodies.give(r.body)
    const again = bodies.take(RSS.length)
    expect(again.buffer).toBe(r.body.buffer)
    // Decompressed here (no leaveEncoded): the compressed bytes go back at once.
    answer('/gz', 200, { 'content-encoding': 'gzip' }, gzipSync(Buffer.from(RSS)) as never)
    const gz = await fetchUrl('/gz', { bodies })
    if (gz.kind !== 'ok') throw new Error(gz.kind)
    expect(gz.body.toString()).toBe(RSS)
    expect(bodies.heldBytes()).toBe(16 * 1024)
  })

  it('turns 410 into gone', async () => {
    answer('/feed', 410)
    expect(await fetchUrl('/feed')).toEqual({
      kind: 'gone',
      status: 410,
      effectiveUrl: `${ORIGIN}/feed`,
    })
  })

  it.each([
    [429, { 'retry-after': '120' }, 120_000],
    [503, { 'retry-after': '0' }, 0],
    [
      429,
      { date: 'Mon, 10 Mar 2025 12:00:00 GMT', 'retry-after': 'Mon, 10 Mar 2025 12:01:30 GMT' },
      90_000,
    ],
    [503, {}, undefined],
    [503, { 'retry-after': 'soon' }, undefined],
  ])('turns %i with %o into retry-later after %s ms', async (status, headers, retryAfterMs) => {
    answer('/feed', status, headers)
    const r = await fetchUrl('/feed')
    expect(r).toEqual({ kind: 'retry-later', status, retryAfterMs, effectiveUrl: `${ORIGIN}/feed` })
    if (retryAfterMs === undefined) expect(r).not.toHaveProperty('retryAfterMs')
  })

  it.each([
    [404, 'HTTP 404 Not Found from https://feeds.test/feed'],
    [500, 'HTTP 500 Internal Server Error from https://feeds.test/feed'],
    [401, 'HTTP 401 Unauthorized from https://feeds.test/feed'],
    [300, 'HTTP 300 Multiple Choices from https://feeds.test/feed'],
  ])('throws FetchError(http) for %i', async (status, message) => {
    answer('/feed', status, {}, 'nope')
    const err = await failure(fetchUrl('/feed'))
    expect(err.code).toBe('http')
    expect(err.status).toBe(status)
    expect(err.message).toBe(message)
  })

  it.each([
    [{ 'cache-control': 'public, max-age=600' }, 600_000],
    [{ 'cache-control': 'max-age=600', age: '100' }, 500_000],
    [{ 'cache-control': 'max-age=600, no-cache' }, undefined],
    [{ 'cache-control': 'no-store', expires: 'Mon, 10 Mar 2025 13:00:00 GMT' }, undefined],
    [
      { date: 'Mon, 10 Mar 2025 12:00:00 GMT', expires: 'Mon, 10 Mar 2025 12:30:00 GMT' },
      1_800_000,
    ],
    [{}, undefined],
  ])('reads freshness %o as cacheMaxAgeMs %s', async (headers, cacheMaxAgeMs) => {
    answer('/feed', 200, headers, RSS)
    const r = await fetchUrl('/feed')
    expect(r.kind === 'ok' && r.cacheMaxAgeMs).toBe(cacheMaxAgeMs ?? undefined)
  })

  it('reports cache max-age on a 304 as well', async () => {
    answer('/feed', 304, { 'cache-control': 'max-age=3600' })
    expect(await fetchUrl('/feed')).toMatchObject({
      kind: 'not-modified',
      cacheMaxAgeMs: 3_600_000,
    })
  })

  it('refuses a body whose Content-Length is over maxBytes without reading it', async () => {
    answer('/feed', 200, { 'content-length': '2048' }, 'x'.repeat(2048))
    const err = await failure(fetchUrl('/feed', { maxBytes: 1024 }))
    expect(err.code).toBe('too-large')
    expect(err.message).toBe(
      'the answer from https://feeds.test/feed is larger than 1 KB (fetch.max_bytes)',
    )
  })
})

describe('redirects', () => {
  it.each([
    ['301', [301], true],
    ['308', [308], true],
    ['301 → 308', [301, 308], true],
    ['302', [302], false],
    ['307', [307], false],
    ['303', [303], false],
    ['301 → 302', [301, 302], false],
    ['302 → 301', [302, 301], false],
  ])('%s → 200: permanentRedirect only if every hop was permanent', async (_, chain, permanent) => {
    chain.forEach((status, i) => {
      redirect(`/hop${i}`, status, `${ORIGIN}/hop${i + 1}`)
    })
    const final = `${ORIGIN}/hop${chain.length}`
    answer(`/hop${chain.length}`, 200, {}, RSS)
    const r = await fetchUrl('/hop0')
    expect(r.kind).toBe('ok')
    expect(r.effectiveUrl).toBe(final)
    if (permanent) expect(r).toMatchObject({ permanentRedirect: final })
    else expect(r).not.toHaveProperty('permanentRedirect')
  })

  it('reports a permanent move that ends in 304', async () => {
    redirect('/old', 301, '/new')
    answer('/new', 304)
    expect(await fetchUrl('/old')).toEqual({
      kind: 'not-modified',
      status: 304,
      effectiveUrl: `${ORIGIN}/new`,
      permanentRedirect: `${ORIGIN}/new`,
    })
  })

  it.each([
    ['/a/b/feed', '../other.xml', `${ORIGIN}/a/other.xml`],
    ['/a/b/feed', '/root.xml', `${ORIGIN}/root.xml`],
    ['/a/b/feed', 'sibling.xml?x=1', `${ORIGIN}/a/b/sibling.xml?x=1`],
  ])('resolves Location %s + %s against the request URL', async (from, location, target) => {
    redirect(from, 302, location)
    answer(new URL(target).pathname + new URL(target).search, 200, {}, RSS)
    expect((await fetchUrl(from)).effectiveUrl).toBe(target)
  })

  it('follows a protocol-relative Location to another host', async () => {
    redirect('/feed', 301, '//mirror.test/feed.xml')
    mock.get('https://mirror.test').intercept({ path: '/feed.xml' }).reply(200, RSS)
    expect(await fetchUrl('/feed')).toMatchObject({
      kind: 'ok',
      effectiveUrl: 'https://mirror.test/feed.xml',
      permanentRedirect: 'https://mirror.test/feed.xml',
    })
  })

  it('stops a redirect loop', async () => {
    redirect('/a', 302, '/b')
    redirect('/b', 302, '/a')
    const err = await failure(fetchUrl('/a'))
    expect(err.code).toBe('redirect')
    expect(err.message).toBe(
      'redirect loop: https://feeds.test/b sends us back to https://feeds.test/a',
    )
  })

  it('follows exactly maxRedirects hops and refuses one more', async () => {
    for (let i = 0; i < 5; i++) redirect(`/r${i}`, 301, `/r${i + 1}`)
    answer('/r5', 200, {}, RSS)
    expect(await fetchUrl('/r0')).toMatchObject({ kind: 'ok', effectiveUrl: `${ORIGIN}/r5` })

    for (let i = 0; i < 6; i++) redirect(`/s${i}`, 301, `/s${i + 1}`)
    answer('/s6', 200, {}, RSS)
    const err = await failure(fetchUrl('/s0'))
    expect(err.code).toBe('redirect')
    expect(err.message).toMatch(/^more than 5 redirects from https:\/\/feeds\.test\/s0/)
  })

  it('honours a smaller maxRedirects', async () => {
    redirect('/a', 302, '/b')
    redirect('/b', 302, '/c')
    const err = await failure(fetchUrl('/a', { maxRedirects: 1 }))
    expect(err.message).toMatch(/^more than 1 redirects/)
  })

  it.each([
    [{}, /HTTP 302 from https:\/\/feeds\.test\/feed without a Location header/],
    [
      { location: 'ftp://feeds.test/feed' },
      /redirects to a non-HTTP URL "ftp:\/\/feeds\.test\/feed"/,
    ],
  ])('refuses a redirect with %o', async (headers, message) => {
    answer('/feed', 302, headers)
    const err = await failure(fetchUrl('/feed'))
    expect(err.code).toBe('redirect')
    expect(err.message).toMatch(message)
  })
})

describe('failures', () => {
  it('maps a refused connection to FetchError(fetch) naming the URL', async () => {
    pool()
      .intercept({ path: '/feed' })
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
    const err = await failure(fetchUrl('/feed'))
    expect(err.code).toBe('fetch')
    expect(err.message).toBe('could not connect to https://feeds.test/feed: connection refused')
  })

  it('names the redirect target when a later hop fails', async () => {
    redirect('/feed', 302, 'https://down.test/feed')
    mock
      .get('https://down.test')
      .intercept({ path: '/feed' })
      .replyWithError(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }))
    const err = await failure(fetchUrl('/feed'))
    expect(err.message).toBe(
      'could not resolve the host name of https://down.test/feed (redirected from https://feeds.test/feed): no such host',
    )
  })

  it.each([
    ['not a url', /^invalid feed URL "not a url"$/],
    ['ftp://feeds.test/feed', /only http and https are supported/],
  ])('refuses the URL %s before any request', async (url, message) => {
    const err = await failure(fetchFeed({ url }, opts))
    expect(err.code).toBe('fetch')
    expect(err.message).toMatch(message)
  })

  it('keeps credentials out of messages', async () => {
    const err = await failure(fetchFeed({ url: 'https://me:s3cret@feeds.test/feed' }, opts))
    expect(err.message).toContain('https://feeds.test/feed')
    expect(err.message).not.toContain('s3cret')
  })

  it.each([
    [{ code: 'UND_ERR_HEADERS_TIMEOUT' }, 'timeout', /sent no answer in time/],
    [{ code: 'UND_ERR_BODY_TIMEOUT' }, 'timeout', /stopped sending the body/],
    [
      { code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' },
      'fetch',
      /TLS handshake .* failed: certificate has expired/,
    ],
    [{ code: 'EAI_AGAIN' }, 'fetch', /DNS lookup failed/],
    [
      { code: 'Z_DATA_ERROR', message: 'incorrect header check' },
      'fetch',
      /could not decompress .*incorrect header check/,
    ],
    [{ message: 'something odd' }, 'fetch', /could not fetch https:\/\/x\.test\/: something odd/],
  ] as [{ code?: string; message?: string }, string, RegExp][])(
    'describes the transport error %o',
    (cause, code, message) => {
      const inner = Object.assign(new Error(cause.message ?? 'boom'), cause)
      const err = describeTransportError(
        new TypeError('fetch failed', { cause: inner }),
        'https://x.test/',
      )
      expect(err).toBeInstanceOf(FetchError)
      expect(err.code).toBe(code)
      expect(err.message).toMatch(message)
      expect(err.cause).toBeInstanceOf(TypeError)
    },
  )
})

describe('private networks', () => {
  it.each([
    'http://127.0.0.1/feed',
    'http://10.1.2.3/feed',
    'http://[::1]/feed',
    'http://[::ffff:192.168.0.1]/feed',
    'http://2130706433/feed',
  ])('refuses the literal address in %s before connecting', async (url) => {
    const guarded = clientOverMock(false)
    const err = await failure(fetchFeed({ url }, { ...opts, fetch: guarded.fetch }))
    expect(err.code).toBe('private-network')
    expect(err.message).toMatch(/^blocked by the private-network guard: .*allow_private_networks/)
    // Only that it was blocked: not the address it led to.
    expect(err.message).not.toContain(new URL(url).hostname)
  })

  it('refuses a redirect from a public address into a private one, naming neither', async () => {
    const guarded = clientOverMock(false)
    mock
      .get('http://93.184.215.14')
      .intercept({ path: '/feed' })
      .reply(302, '', { headers: { Location: 'http://169.254.169.254/latest/meta-data/' } })
    const err = await failure(
      fetchFeed({ url: 'http://93.184.215.14/feed' }, { ...opts, fetch: guarded.fetch }),
    )
    expect(err.code).toBe('private-network')
    expect(err.message).not.toMatch(/169\.254|meta-data|302/)
  })

  it('lets a source that opted out reach a private address, the redirects it follows too', async () => {
    const guarded = clientOverMock(false)
    mock
      .get('http://10.1.2.3')
      .intercept({ path: '/feed' })
      .reply(302, '', { headers: { Location: 'http://10.1.2.4/feed' } })
    mock.get('http://10.1.2.4').intercept({ path: '/feed' }).reply(200, RSS)
    const r = await fetchFeed(
      { url: 'http://10.1.2.3/feed', allowPrivateNetworks: true },
      { ...opts, fetch: guarded.fetch },
    )
    expect(r.kind).toBe('ok')
  })

  it('lets a public literal address through to the dispatcher', async () => {
    const guarded = clientOverMock(false)
    mock.get('http://93.184.215.14').intercept({ path: '/feed' }).reply(200, RSS)
    const r = await fetchFeed(
      { url: 'http://93.184.215.14/feed' },
      { ...opts, fetch: guarded.fetch },
    )
    expect(r.kind).toBe('ok')
  })

  it.each([
    ['127.0.0.1', true],
    ['127.255.255.254', true],
    ['10.0.0.1', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['100.127.255.255', true],
    ['100.128.0.1', false],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['255.255.255.255', true],
    ['8.8.8.8', false],
    ['93.184.215.14', false],
    ['::1', true],
    ['::', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['::ffff:10.0.0.1', true],
    ['::ffff:8.8.8.8', false],
    ['fe80::1', true],
    ['fe80::1%eth0', true],
    ['fc00::1', true],
    ['fd12:3456:789a::1', true],
    ['ff02::1', true],
    ['64:ff9b::a00:1', true],
    ['64:ff9b::808:808', false],
    ['2002:c0a8:101::1', true],
    ['2001:db8::1', true],
    ['2606:4700:4700::1111', false],
    ['[::1]', true],
    ['example.com', false],
  ])('isPrivateAddress(%s) = %s', (ip, expected) => {
    expect(isPrivateAddress(ip)).toBe(expected)
  })

  describe('createGuardedLookup', () => {
    const resolving =
      (addresses: LookupAddress[]) =>
      (
        _host: string,
        _o: unknown,
        cb: (e: NodeJS.ErrnoException | null, a: LookupAddress[]) => void,
      ) =>
        cb(null, addresses)
    const run = (addresses: LookupAddress[], all: boolean) =>
      new Promise<{ err: unknown; address: unknown; family: unknown }>((resolve) => {
        createGuardedLookup(resolving(addresses))('feeds.test', { all }, (err, address, family) =>
          resolve({ err, address, family }),
        )
      })

    it('drops private addresses and keeps the public ones', async () => {
      const mixed = [
        { address: '10.0.0.5', family: 4 },
        { address: '93.184.215.14', family: 4 },
        { address: '::1', family: 6 },
      ]
      expect(await run(mixed, true)).toEqual({
        err: null,
        address: [{ address: '93.184.215.14', family: 4 }],
        family: undefined,
      })
      expect(await run(mixed, false)).toEqual({ err: null, address: '93.184.215.14', family: 4 })
    })

    it('fails with FetchError(private-network) when only private addresses are left', async () => {
      const { err } = await run([{ address: '192.168.1.10', family: 4 }], true)
      expect(err).toBeInstanceOf(FetchError)
      expect((err as FetchError).code).toBe('private-network')
      expect((err as FetchError).message).toMatch(/^blocked by the private-network guard/)
      expect((err as FetchError).message).not.toMatch(/feeds\.test|192\.168/)
    })
  })
})

describe('header parsing', () => {
  const now = new Date('2025-03-10T12:00:00.000Z')
  it.each([
    ['120', null, 120_000],
    [' 30 ', null, 30_000],
    ['Mon, 10 Mar 2025 12:10:00 GMT', null, 600_000],
    ['Mon, 10 Mar 2025 12:10:00 GMT', 'Mon, 10 Mar 2025 12:05:00 GMT', 300_000],
    ['Mon, 10 Mar 2025 11:00:00 GMT', null, 0],
    ['-5', null, undefined],
    ['', null, undefined],
    [null, null, undefined],
  ])('parseRetryAfter(%s, Date %s) = %s', (value, date, expected) => {
    expect(parseRetryAfter(value, date, now)).toBe(expected)
  })

  it.each([
    [{ 'cache-control': 'max-age=60' }, 60_000],
    [{ 'cache-control': 'MAX-AGE=60, public' }, 60_000],
    [{ 'cache-control': 'private, no-cache' }, undefined],
    [{ expires: 'Mon, 10 Mar 2025 13:00:00 GMT' }, 3_600_000],
    [{ expires: '0' }, 0],
    [{ 'cache-control': 'max-age=60', expires: 'Mon, 10 Mar 2025 13:00:00 GMT' }, 60_000],
  ])('parseCacheMaxAge(%o) = %s', (headers, expected) => {
    expect(parseCacheMaxAge(new Headers(headers), now)).toBe(expected)
  })
})
