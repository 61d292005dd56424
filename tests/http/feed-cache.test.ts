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

  describe('changes (noteChange)', () => {
    /** A cache at version 1 holding topic x's and topic y's documents and an unscoped search. */
    const seeded = async (opts?: Parameters<typeof createFeedCache>[0]) => {
      const cache = fresh(opts)
      await cache.getOrRender('x', async () => doc('x'), { scope: { topics: ['x'] } })
      await cache.getOrRender('y', async () => doc('y'), { scope: { topics: ['y'] } })
      await cache.getOrRender('s', async () => doc('s'), { scope: { sources: ['dawn'] } })
      await cache.getOrRender('q', async () => doc('q'))
      return cache
    }

    it('drops the documents whose topics a change touched and keeps the others', async () => {
      const cache = await seeded()
      cache.noteChange({ version: 2, topics: ['x', 'z'], sources: ['geo'] })
      cache.sync(CONFIG, 2)
      expect(cache.get('x')).toBeUndefined()
      expect(cache.get('q')).toBeUndefined()
      expect(cache.get('y')?.etag).toBe('"y"')
      expect(cache.get('s')?.etag).toBe('"s"')
      expect(cache.stats()).toMatchObject({ entries: 2, dropped: 2, invalidations: 0 })
      const next = await cache.getOrRender('x', async () => doc('x2'), { scope: { topics: ['x'] } })
      expect(next.etag).toBe('"x2"')
    })

    it('needs every list a scope fixes to meet the change', async () => {
      const cache = fresh()
      const both = { topics: ['x'], sources: ['dawn'] }
      await cache.getOrRender('xd', async () => doc('xd'), { scope: both })
      cache.noteChange({ version: 2, topics: ['x'], sources: ['geo'] })
      expect(cache.get('xd')).toBeDefined()
      cache.noteChange({ version: 3, topics: ['x'], sources: ['dawn', 'geo'] })
      expect(cache.get('xd')).toBeUndefined()
    })

    it('drops everything a change without topics and sources may touch', async () => {
      const cache = await seeded()
      cache.noteChange({ version: 2 })
      cache.sync(CONFIG, 2)
      expect(cache.stats()).toMatchObject({ entries: 0, dropped: 4 })
    })

    it('ignores a change that publishes nothing (no version)', async () => {
      const cache = await seeded()
      cache.noteChange({ topics: ['x'] })
      expect(cache.stats().entries).toBe(4)
    })

    it('drops everything when the version moves past a change it was not told of', async () => {
      const cache = await seeded()
      // Version 2 went unheard; 3 was heard.
      cache.noteChange({ version: 3, topics: ['x'] })
      expect(cache.get('y')).toBeDefined()
      cache.sync(CONFIG, 3)
      expect(cache.stats()).toMatchObject({ entries: 0, invalidations: 1 })
    })

    it('keeps what changes heard out of order leave alone, once none is missing', async () => {
      const cache = await seeded()
      cache.noteChange({ version: 3, topics: ['x'] })
      cache.noteChange({ version: 2, topics: ['q-only'] })
      cache.sync(CONFIG, 3)
      expect(cache.get('y')).toBeDefined()
      expect(cache.stats().invalidations).toBe(0)
    })

    it('does not store a render in flight when a change touches what it shows', async () => {
      const cache = fresh()
      const x = deferred<CachedFeed>()
      const y = deferred<CachedFeed>()
      const waiter = cache.getOrRender('x', () => x.promise, { scope: { topics: ['x'] } })
      const other = cache.getOrRender('y', () => y.promise, { scope: { topics: ['y'] } })
      cache.noteChange({ version: 2, topics: ['x'] })
      x.resolve(doc('stale'))
      y.resolve(doc('y'))
      expect((await waiter).etag).toBe('"stale"')
      await other
      expect(cache.get('x')).toBeUndefined()
      expect(cache.get('y')?.etag).toBe('"y"')
    })

    it('renders a dropped document again ahead of readers when it was read since its render', async () => {
      const cache = fresh()
      let n = 0
      const refresh = async () => doc(`x${++n}`)
      await cache.getOrRender('x', refresh, { scope: { topics: ['x'] }, refresh })
      cache.noteChange({ version: 2, topics: ['x'] })
      // Rendered by a reader: read, so rendered again ahead.
      expect(cache.stats().prerenders).toBe(1)
      await new Promise((ok) => setImmediate(ok))
      const ahead = cache.get('x')
      expect(ahead?.etag).toBe('"x2"')
      expect(cache.stats()).toMatchObject({ renders: 2, misses: 1 })
      // Read (just above) since that render: once more; then not read: not again.
      cache.noteChange({ version: 3, topics: ['x'] })
      await new Promise((ok) => setImmediate(ok))
      cache.noteChange({ version: 4, topics: ['x'] })
      await new Promise((ok) => setImmediate(ok))
      expect(cache.stats().prerenders).toBe(2)
      expect(cache.stats().entries).toBe(0)
    })

    it('renders at most maxPrerenders ahead at once, and a reader shares one in flight', async () => {
      const cache = fresh({ maxPrerenders: 2 })
      const held = [deferred<CachedFeed>(), deferred<CachedFeed>(), deferred<CachedFeed>()]
      let started = 0
      for (const k of ['a', 'b', 'c']) {
        const refresh = () => held[started++]!.promise
        await cache.getOrRender(k, async () => doc(k), { scope: { topics: [k] }, refresh })
      }
      cache.noteChange({ version: 2, topics: ['a', 'b', 'c'] })
      expect(started).toBe(2)
      let readerRenders = 0
      const reader = cache.getOrRender('a', async () => {
        readerRenders++
        return doc('mine')
      })
      held[0]!.resolve(doc('a2'))
      expect((await reader).etag).toBe('"a2"')
      expect(readerRenders).toBe(0)
      await new Promise((ok) => setImmediate(ok))
      expect(started).toBe(3)
      held[1]!.resolve(doc('b2'))
      held[2]!.resolve(doc('c2'))
      await new Promise((ok) => setImmediate(ok))
      expect(cache.stats()).toMatchObject({ entries: 3, prerenders: 3 })
    })

    it('renders the documents read again ahead after an unheard change, not after a new configuration', async () => {
      const cache = fresh()
      const refresh = async () => doc('again')
      await cache.getOrRender('x', refresh, { refresh })
      cache.sync(CONFIG, 2)
      await new Promise((ok) => setImmediate(ok))
      expect(cache.get('x')?.etag).toBe('"again"')
      cache.sync({}, 2)
      await new Promise((ok) => setImmediate(ok))
      expect(cache.stats()).toMatchObject({ entries: 0, prerenders: 1 })
    })
  })
})
