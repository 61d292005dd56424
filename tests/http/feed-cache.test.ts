import { describe, expect, it } from 'vitest'
import { type CachedFeed, createFeedCache } from '../../src/http/feed-cache.js'

const doc = (text: string, size = text.length): CachedFeed => {
  const body = Buffer.alloc(size, text)
  return {
    body,
    etag: `"${text}"`,
    lastModified: 'Thu, 01 Jan 2026 00:00:00 GMT',
    headers: { ETag: `"${text}"`, 'Content-Length': String(size) },
    notModifiedHeaders: { ETag: `"${text}"` },
  }
}

/** A promise with its resolve/reject outside, to hold a render in flight. */
const deferred = <T>() => {
  let resolve: (v: T) => void = () => {}
  let reject: (e: unknown) => void = () => {}
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const CONFIG = {}

const fresh = (opts?: Parameters<typeof createFeedCache>[0]) => {
  const cache = createFeedCache(opts)
  cache.sync(CONFIG, 1)
  return cache
}

describe('createFeedCache', () => {
  it('renders a miss once, then answers from the cache with the same bytes', async () => {
    const cache = fresh()
    let renders = 0
    const render = async () => {
      renders++
      return doc('a')
    }
    const first = await cache.getOrRender('k', render)
    const second = await cache.getOrRender('k', render)
    expect(renders).toBe(1)
    expect(second).toBe(first)
    expect(cache.get('k')?.body).toBe(first.body)
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 1, misses: 1, renders: 1, hits: 2 })
  })

  it('renders concurrent misses of one key once, and other keys separately', async () => {
    const cache = fresh()
    const pending = deferred<CachedFeed>()
    let renders = 0
    const render = () => {
      renders++
      return pending.promise
    }
    const waiters = Array.from({ length: 5 }, () => cache.getOrRender('k', render))
    const other = cache.getOrRender('other', async () => doc('b'))
    expect(renders).toBe(1)
    pending.resolve(doc('a'))
    const results = await Promise.all(waiters)
    expect(new Set(results).size).toBe(1)
    expect((await other).etag).toBe('"b"')
    expect(cache.stats().renders).toBe(2)
  })

  it('gives every waiter the error of a failed render and caches nothing', async () => {
    const cache = fresh()
    const pending = deferred<CachedFeed>()
    const waiters = [1, 2, 3].map(() => cache.getOrRender('k', () => pending.promise))
    pending.reject(new Error('store down'))
    for (const w of waiters) await expect(w).rejects.toThrow('store down')
    expect(cache.get('k')).toBeUndefined()
    const again = await cache.getOrRender('k', async () => doc('a'))
    expect(again.etag).toBe('"a"')
  })

  it('forgets a failed render even when the render throws before its first await', async () => {
    const cache = fresh()
    const throwing = (): Promise<CachedFeed> => {
      throw new Error('bad query')
    }
    await expect(cache.getOrRender('k', throwing)).rejects.toThrow('bad query')
    expect((await cache.getOrRender('k', async () => doc('a'))).etag).toBe('"a"')
  })

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const cache = fresh({ maxEntries: 2 })
    await cache.getOrRender('a', async () => doc('a'))
    await cache.getOrRender('b', async () => doc('b'))
    cache.get('a')
    await cache.getOrRender('c', async () => doc('c'))
    expect(cache.get('a')).toBeDefined()
    expect(cache.get('b')).toBeUndefined()
    expect(cache.get('c')).toBeDefined()
    expect(cache.stats().entries).toBe(2)
  })

  it('evicts by total bytes and does not keep a document over a quarter of the budget', async () => {
    const cache = fresh({ maxBytes: 100 })
    for (const k of ['a', 'b', 'c', 'd', 'e']) await cache.getOrRender(k, async () => doc(k, 25))
    expect(cache.stats()).toMatchObject({ entries: 4, bytes: 100 })
    expect(cache.get('a')).toBeUndefined()
    const big = await cache.getOrRender('big', async () => doc('x', 26))
    expect(big.body.byteLength).toBe(26)
    expect(cache.get('big')).toBeUndefined()
    expect(cache.stats().entries).toBe(4)
  })

  it.each([
    ['the store version changes', CONFIG, 2],
    ['the configuration is replaced', {}, 1],
  ])('drops everything when %s', async (_what, config, version) => {
    const cache = fresh()
    await cache.getOrRender('k', async () => doc('a'))
    cache.remember('GET /k', 'k', '/k')
    cache.sync(CONFIG, 1)
    expect(cache.get('k')).toBeDefined()
    cache.sync(config, version)
    expect(cache.get('k')).toBeUndefined()
    expect(cache.recall('GET /k')).toBeUndefined()
    expect(cache.stats()).toMatchObject({ entries: 0, aliases: 0, invalidations: 1 })
  })

  it('does not store a render that finishes after the generation changed', async () => {
    const cache = fresh()
    const pending = deferred<CachedFeed>()
    const waiter = cache.getOrRender('k', () => pending.promise)
    cache.sync(CONFIG, 2)
    pending.resolve(doc('stale'))
    expect((await waiter).etag).toBe('"stale"')
    expect(cache.get('k')).toBeUndefined()
    let renders = 0
    await cache.getOrRender('k', async () => {
      renders++
      return doc('new')
    })
    expect(renders).toBe(1)
  })

  it('recalls a remembered request while its document is cached, with its route', async () => {
    const cache = fresh({ maxEntries: 1 })
    const a = await cache.getOrRender('a', async () => doc('a'))
    cache.remember('/topics/a.rss\n', 'a', '/topics/:name')
    expect(cache.recall('/topics/a.rss\n')).toEqual({ doc: a, route: '/topics/:name' })
    expect(cache.recall('/topics/b.rss\n')).toBeUndefined()
    await cache.getOrRender('b', async () => doc('b'))
    expect(cache.recall('/topics/a.rss\n')).toBeUndefined()
  })

  it('keeps at most four aliases per entry, dropping the oldest', () => {
    const cache = fresh({ maxEntries: 1 })
    for (let i = 0; i < 6; i++) cache.remember(`r${i}`, 'k', '/')
    expect(cache.stats().aliases).toBe(4)
  })
})
