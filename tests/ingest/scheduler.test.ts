import { describe, expect, it } from 'vitest'
import { OUTAGE_NOTE } from '../../src/ingest/poll-state.js'
import {
  DEFAULT_TICK,
  isNetworkOutage,
  runCycle,
  startScheduler,
  tickFor,
} from '../../src/ingest/scheduler.js'
import type { AppConfig, Logger, Source } from '../../src/model/types.js'
import { fakeFetch } from '../helpers/fake-fetch.js'
import { createTestDeps, makeSource, testConfig } from '../helpers/runtime.js'

const MIN = 60_000
const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><guid>a</guid><title>A story</title><link>http://a.test/a</link></item></channel></rss>`

/** Sources on hosts a.test, b.test, c.test… (so that no single host explains a failure). */
const spread = (n: number, over: Partial<Source> = {}): Source[] =>
  Array.from({ length: n }, (_, i) => {
    const host = String.fromCharCode(97 + i)
    return makeSource({ id: host, url: `http://${host}.test/feed.xml`, ...over })
  })

/** A logger that remembers the warnings of the root and every child. */
const recordingLogger = () => {
  const warnings: string[] = []
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (_obj, msg) => {
      warnings.push(msg)
    },
    error: () => {},
    child: () => logger,
  }
  return { logger, warnings }
}

/** Deps over `sources`; the fake fetch refuses every URL not given an answer. */
const setup = (sources: Source[]) => {
  const fake = fakeFetch()
  const { logger, warnings } = recordingLogger()
  const deps = { ...createTestDeps(testConfig({ sources }), fake), logger }
  return { fake, deps, warnings }
}

/** Deps over `n` sources that all answer with RSS; `fetch` settings over the test configuration's. */
const answeringDeps = (n: number, fetch: Partial<AppConfig['fetch']> = {}) => {
  const sources = spread(n)
  const fake = fakeFetch()
  for (const s of sources) fake.set(s.url, { status: 200, body: RSS })
  const config = testConfig({ sources })
  return createTestDeps({ ...config, fetch: { ...config.fetch, ...fetch } }, fake)
}

describe('runCycle: network down', () => {
  it('does not count failures when every source fails to connect, and retries the set soon', async () => {
    const sources = spread(3)
    const { fake, deps, warnings } = setup(sources)
    // One earlier failure on "a" (HTTP 500, counted): the outage must not add to it.
    fake.set('http://a.test/feed.xml', { status: 500 })
    await runCycle(deps, { sourceIds: ['a'] })
    fake.set('http://a.test/feed.xml', () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })
    })
    warnings.length = 0
    const cycle = await runCycle(deps, { force: true })
    expect(cycle.networkDown).toBe(true)
    expect(cycle.totals.errors).toBe(3)
    expect(cycle.reports.every((r) => !('held' in r))).toBe(true)
    const states = await deps.store.listStates()
    const retryAt = new Date(deps.clock.now().getTime() + 5 * MIN).toISOString()
    expect(states.map((s) => [s.sourceId, s.failures, s.nextPollAt])).toEqual([
      ['a', 1, retryAt],
      ['b', 0, retryAt],
      ['c', 0, retryAt],
    ])
    for (const s of states) {
      expect(s.lastError?.code).toBe('fetch')
      expect(s.lastError?.message).toContain(`connection refused (${OUTAGE_NOTE})`)
      expect(s.history?.at(-1)).toEqual({ at: deps.clock.now().toISOString(), outcome: 'error' })
    }
    expect(warnings).toEqual([
      'network appears to be down: every source failed to connect; not counted against them, retrying soon',
    ])
    // The whole set comes back together five minutes later, not one by one.
    deps.clock.advance(5 * MIN - 1)
    expect((await runCycle(deps)).reports).toEqual([])
    deps.clock.advance(1)
    expect((await runCycle(deps)).reports.map((r) => r.sourceId).sort()).toEqual(['a', 'b', 'c'])
  })

  it('retries after the interval when it is shorter than five minutes', async () => {
    const { deps } = setup(spread(4, { every: '2m' }))
    await runCycle(deps)
    const next = (await deps.store.listStates()).map((s) => Date.parse(s.nextPollAt))
    expect(new Set(next)).toEqual(new Set([deps.clock.now().getTime() + 2 * MIN]))
  })

  it.each([
    ['one source answers', 3, { b: { body: RSS } }],
    ['one source answers with an HTTP error', 3, { b: { status: 404 } }],
    ['fewer than three sources are polled', 2, {}],
  ] as const)('counts the failures as usual when %s', async (_case, n, answers) => {
    const { fake, deps, warnings } = setup(spread(n))
    for (const [id, answer] of Object.entries(answers))
      fake.set(`http://${id}.test/feed.xml`, answer)
    const cycle = await runCycle(deps)
    expect(cycle.networkDown).toBe(false)
    const refused = (await deps.store.listStates()).filter((s) => s.lastError?.code === 'fetch')
    expect(refused.length).toBeGreaterThan(0)
    for (const s of refused) {
      expect(s.failures).toBe(1)
      expect(s.lastError?.message).not.toContain(OUTAGE_NOTE)
      // The ordinary backoff (15 m for a first failure), not the outage retry.
      expect(Date.parse(s.nextPollAt) - deps.clock.now().getTime()).toBe(15 * MIN)
    }
    expect(warnings.some((w) => w.includes('network'))).toBe(false)
    const failing = (await deps.store.listStates()).filter((s) => s.lastError)
    expect(warnings.filter((w) => w === 'source poll failed')).toHaveLength(failing.length)
  })

  it('counts the failures when every source is on the one host that is down', async () => {
    const sources = ['x', 'y', 'z'].map((id) =>
      makeSource({ id, url: `http://one.test/${id}.xml` }),
    )
    const { deps } = setup(sources)
    const cycle = await runCycle(deps)
    expect(cycle.networkDown).toBe(false)
    expect((await deps.store.listStates()).map((s) => s.failures)).toEqual([1, 1, 1])
  })

  it('counts HTTP errors even when every source answers with one', async () => {
    const { fake, deps } = setup(spread(3))
    for (const id of ['a', 'b', 'c']) fake.set(`http://${id}.test/feed.xml`, { status: 502 })
    expect((await runCycle(deps)).networkDown).toBe(false)
    expect((await deps.store.listStates()).map((s) => s.failures)).toEqual([1, 1, 1])
  })

  it('stays down across cycles until a source answers, even for a single failing source', async () => {
    const { fake, deps } = setup(spread(3))
    const down = await runCycle(deps, { sourceIds: ['a'], networkDown: true })
    expect(down.networkDown).toBe(true)
    expect((await deps.store.getState('a'))?.failures).toBe(0)
    // A cycle that polls nobody keeps what the previous one found.
    expect((await runCycle(deps, { sourceIds: ['a'], networkDown: true })).networkDown).toBe(true)
    fake.set('http://b.test/feed.xml', { body: RSS })
    const back = await runCycle(deps, { force: true, networkDown: true })
    expect(back.networkDown).toBe(false)
    expect((await deps.store.getState('c'))?.failures).toBe(1)
  })
})

describe('runCycle: the story index across sources and cycles', () => {
  it('clusters a story that two sources publish in the same cycle', async () => {
    const { fake, deps } = setup(spread(2))
    const story = (
      guid: string,
    ) => `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><guid>${guid}</guid><title>Torkham reopens</title><link>https://news.example/torkham?utm_source=rss</link></item></channel></rss>`
    fake.set('http://a.test/feed.xml', { body: story('a-1') })
    fake.set('http://b.test/feed.xml', { body: story('b-1') })
    const cycle = await runCycle(deps)
    expect(cycle.totals.new).toBe(2)
    const items = (await deps.store.queryItems({ limit: 10, clusters: 'all' })).items
    expect(items).toHaveLength(2)
    expect(new Set(items.map((i) => i.clusterId)).size).toBe(1)
  })

  it('reads the recent items once, when a first feed changed, and not for cycles of 304s', async () => {
    const { fake, deps } = setup(spread(3))
    let reads = 0
    const recentItems = deps.store.recentItems.bind(deps.store)
    deps.store.recentItems = (since) => {
      reads++
      return recentItems(since)
    }
    for (const id of ['a', 'b', 'c']) {
      fake.set(`http://${id}.test/feed.xml`, (init) =>
        init.headers['If-None-Match'] ? { status: 304 } : { headers: { ETag: '"1"' }, body: RSS },
      )
    }
    await runCycle(deps)
    expect(reads).toBe(1)
    await runCycle(deps, { force: true })
    expect(reads).toBe(1)
  })
})

describe('runCycle: afterPolls', () => {
  it('is called once every source is polled and stored, before the flush', async () => {
    const deps = answeringDeps(3)
    const events: string[] = []
    const flush = deps.store.flush.bind(deps.store)
    deps.store.flush = () => {
      events.push('flush')
      return flush()
    }
    const cycle = await runCycle(deps, {
      afterPolls: async () => {
        const stored = (await deps.store.queryItems({ limit: 10, clusters: 'all' })).items
        events.push(`after ${stored.length} stored`)
      },
    })
    expect(cycle.totals.new).toBe(3)
    expect(events).toEqual(['after 3 stored', 'flush'])
  })
})

describe('isNetworkOutage', () => {
  const held = (url: string) => ({
    sourceId: url,
    outcome: 'error' as const,
    summary: { new: 0, updated: 0, unchanged: 0 },
    seconds: 0,
    held: {
      sourceId: url,
      prev: { sourceId: url, failures: 0, nextPollAt: '2026-11-20T12:00:00.000Z' },
      now: new Date('2026-11-20T12:00:00.000Z'),
      failure: { outcome: 'error' as const, code: 'fetch' as const, message: 'refused' },
      every: '15m',
      url,
    },
  })
  const ok = { ...held('http://ok.test/'), outcome: 'ok' as const, held: undefined }

  it.each([
    ['no polls', [], false, false],
    ['three hosts refused', [held('http://a/'), held('http://b/'), held('http://c/')], false, true],
    ['two polls only', [held('http://a/'), held('http://b/')], false, false],
    ['two polls, already down', [held('http://a/'), held('http://b/')], true, true],
    ['one host', [held('http://a/1'), held('http://a/2'), held('http://a/3')], false, false],
    ['one answer among them', [held('http://a/'), held('http://b/'), ok], true, false],
  ])('%s → %s', (_case, reports, wasDown, expected) => {
    expect(isNetworkOutage(reports, wasDown)).toBe(expected)
  })
})

describe('startScheduler', () => {
  it('remembers an outage between cycles and forgets it once a source answers', async () => {
    const { fake, deps } = setup(spread(3))
    // A tick that never comes during the test: only runOnce polls.
    const scheduler = startScheduler(deps, { tick: '0 0 1 1 *', runNow: false })
    try {
      expect((await scheduler.runOnce()).networkDown).toBe(true)
      const single = await scheduler.runOnce({ force: true, sourceIds: ['a'] })
      expect(single.networkDown).toBe(true)
      expect((await deps.store.getState('a'))?.failures).toBe(0)
      fake.set('http://a.test/feed.xml', { body: RSS })
      expect((await scheduler.runOnce({ force: true, sourceIds: ['a'] })).networkDown).toBe(false)
      // Up again: one source failing alone is that source's failure.
      expect((await scheduler.runOnce({ force: true, sourceIds: ['b'] })).networkDown).toBe(false)
      expect((await deps.store.getState('b'))?.failures).toBe(1)
    } finally {
      await scheduler.stop()
    }
  })
})

describe('runCycle: retention', () => {
  it('prunes after a cycle that stored items, else at most hourly', async () => {
    const [source] = spread(1) as [Source]
    const { fake, deps } = setup([source])
    let prunes = 0
    const prune = deps.store.prune.bind(deps.store)
    deps.store.prune = (policy, now) => {
      prunes++
      return prune(policy, now)
    }
    fake.set(source.url, { headers: { ETag: '"1"' }, body: RSS })
    // Each cycle is told when retention last ran, as the scheduler does.
    let last = await runCycle(deps, { force: true }) // stores "A story"
    expect(prunes).toBe(1)
    deps.clock.advance(10 * MIN)
    last = await runCycle(deps, { force: true, prunedAt: last.prunedAt }) // 304: nothing stored
    expect(prunes).toBe(1)
    deps.clock.advance(55 * MIN)
    // 304, but an hour since the last prune
    last = await runCycle(deps, { force: true, prunedAt: last.prunedAt })
    expect(prunes).toBe(2)
    fake.set(source.url, { headers: { ETag: '"2"' }, body: RSS.replace('A story', 'A new story') })
    deps.clock.advance(MIN)
    await runCycle(deps, { force: true, prunedAt: last.prunedAt }) // an updated item
    expect(prunes).toBe(3)
  })
})

describe('runCycle: retention on a shared store', () => {
  it('leaves retention to the replica that holds its lock, and runs it when free', async () => {
    const [source] = spread(1) as [Source]
    const { fake, deps } = setup([source])
    let prunes = 0
    let held = true
    const asked: string[] = []
    const prune = deps.store.prune.bind(deps.store)
    deps.store.prune = (policy, now) => {
      prunes++
      return prune(policy, now)
    }
    // A store shared by replicas: while another one holds "retention", this one skips it.
    deps.store.runExclusive = async <T>(name: string, fn: () => Promise<T>) => {
      asked.push(name)
      return held ? { ran: false as const } : { ran: true as const, value: await fn() }
    }
    fake.set(source.url, { headers: { ETag: '"1"' }, body: RSS })
    expect((await runCycle(deps, { force: true })).pruned).toBe(0)
    expect([prunes, asked]).toEqual([0, ['retention']])
    held = false
    deps.clock.advance(2 * 60 * MIN)
    await runCycle(deps, { force: true })
    expect([prunes, asked]).toEqual([1, ['retention', 'retention']])
  })
})

describe('runCycle: the cycle deadline', () => {
  it('records a source still polling at the deadline as timed out, and stores the others', async () => {
    const deps = answeringDeps(3, { cycleTimeoutMs: 500 })
    // "b" never answers (neither headers nor an error): only the cycle's deadline ends its wait.
    const answer = deps.fetch
    deps.fetch = (url, init) => (url.includes('b.test') ? new Promise(() => {}) : answer(url, init))
    const cycle = await runCycle(deps, { force: true })
    expect(cycle.reports.map((r) => [r.sourceId, r.outcome])).toEqual([
      ['a', 'ok'],
      ['b', 'error'],
      ['c', 'ok'],
    ])
    expect(cycle.reports[1]?.error).toMatch(/did not finish within the cycle's deadline \(1 s/)
    const b = await deps.store.getState('b')
    expect(b).toMatchObject({ failures: 1, lastError: { code: 'timeout' } })
    expect(b?.lastSuccessAt).toBeUndefined()
    const stored = await deps.store.queryItems({ sources: ['a', 'c'], limit: 10, clusters: 'all' })
    expect(stored.items).toHaveLength(2)
  })

  it('cancels the late fetch: the connection is aborted when the deadline passes', async () => {
    const deps = answeringDeps(2, { cycleTimeoutMs: 300 })
    let aborted = false
    const answer = deps.fetch
    deps.fetch = (url, init) =>
      url.includes('b.test')
        ? new Promise((_, reject) =>
            init.signal?.once('abort', () => {
              aborted = true
              reject(new Error('aborted'))
            }),
          )
        : answer(url, init)
    const cycle = await runCycle(deps, { force: true })
    expect(aborted).toBe(true)
    expect(cycle.reports.map((r) => [r.sourceId, r.outcome])).toEqual([
      ['a', 'ok'],
      ['b', 'error'],
    ])
    // The aborted fetch's own failure is not recorded on top of the timeout.
    await new Promise((r) => setTimeout(r, 50))
    expect(await deps.store.getState('b')).toMatchObject({
      failures: 1,
      lastError: { code: 'timeout', message: expect.stringMatching(/cycle's deadline/) },
    })
  })

  it('keeps the timeout record when the late poll result arrives after the deadline', async () => {
    const deps = answeringDeps(2, { cycleTimeoutMs: 300 })
    // Analysis that does not stop when cancelled (this thread's is synchronous): b's result
    // arrives after the deadline, complete, with an item.
    const analyse = deps.analyse
    let late: Promise<unknown> = Promise.resolve()
    let cancelSeen = false
    deps.analyse = (input, signal) => {
      if (!input.feedUrl.includes('b.test')) return analyse(input, signal)
      signal?.addEventListener('abort', () => {
        cancelSeen = true
      })
      const result = new Promise<Awaited<ReturnType<typeof analyse>>>((resolve) =>
        setTimeout(() => resolve(analyse(input)), 600),
      )
      late = result
      return result
    }
    const cycle = await runCycle(deps, { force: true })
    expect(cycle.reports.find((r) => r.sourceId === 'b')?.error).toMatch(/cycle's deadline/)
    await late
    await new Promise((r) => setTimeout(r, 50))
    expect(cancelSeen).toBe(true)
    const b = await deps.store.getState('b')
    expect(b).toMatchObject({ failures: 1, lastError: { code: 'timeout' } })
    expect(b?.lastSuccessAt).toBeUndefined()
    const stored = await deps.store.queryItems({ sources: ['b'], limit: 10, clusters: 'all' })
    expect(stored.items).toHaveLength(0)
    // And the next cycle polls b as usual: its result is stored then.
    const next = await runCycle({ ...deps, analyse }, { force: true, sourceIds: ['b'] })
    expect(next.reports[0]?.outcome).toBe('ok')
    expect(await deps.store.getState('b')).toMatchObject({ failures: 0 })
  })

  it('on shutdown (its signal) cancels the polls in flight, records nothing for them and writes the rest', async () => {
    const deps = answeringDeps(2)
    const answer = deps.fetch
    const stop = new AbortController()
    deps.fetch = (url, init) => {
      if (!url.includes('b.test')) return answer(url, init)
      // b's fetch hangs until the shutdown cancels it.
      setTimeout(() => stop.abort(), 50)
      return new Promise((_, reject) => init.signal?.once('abort', () => reject(new Error('x'))))
    }
    let flushed = 0
    const flush = deps.store.flush
    deps.store.flush = () => {
      flushed++
      return flush()
    }
    const cycle = await runCycle(deps, { force: true, signal: stop.signal })
    expect(cycle.reports.map((r) => [r.sourceId, r.outcome])).toEqual([['a', 'ok']])
    expect(await deps.store.getState('b')).toBeUndefined()
    expect(flushed).toBe(1)
  })
  it('on a shared store stops claiming once the deadline is nearer than one poll’s budget: none cut, the rest left due', async () => {
    // Polls of 200 ms against a 500 ms deadline and a 350 ms budget (fetch 250 + analysis 100):
    // claiming as slots free until the deadline would start a third pair near 400 ms and cut it.
    const deps = answeringDeps(8, {
      cycleTimeoutMs: 500,
      timeoutMs: 250,
      analysisTimeoutMs: 100,
      concurrency: 2,
    })
    deps.store = { ...deps.store, shared: true }
    const answer = deps.fetch
    const asked: string[] = []
    deps.fetch = async (url, init) => {
      asked.push(url)
      await new Promise((ok) => setTimeout(ok, 200))
      return answer(url, init)
    }
    const cycles: string[][] = []
    for (let i = 0; i < 8 && asked.length < 8; i++) {
      const cycle = await runCycle(deps)
      expect(cycle.reports.every((r) => r.outcome === 'ok')).toBe(true)
      cycles.push(cycle.reports.map((r) => r.sourceId))
    }
    // Each cycle took what it could finish (one or two pairs), the next took up the rest.
    expect(cycles.length).toBeGreaterThan(1)
    for (const c of cycles) expect(c.length).toBeLessThanOrEqual(4)
    expect(new Set(asked).size).toBe(8)
    expect(asked).toHaveLength(8)
    for (const s of await deps.store.listStates()) expect(s.failures).toBe(0)
  })

  it('on a shared store makes the first claim even when cycle_timeout is shorter than one poll’s budget', async () => {
    const deps = answeringDeps(3, { cycleTimeoutMs: 1_000, timeoutMs: 5_000, concurrency: 2 })
    deps.store = { ...deps.store, shared: true }
    const cycle = await runCycle(deps)
    expect(cycle.reports.map((r) => [r.sourceId, r.outcome])).toEqual([
      ['a', 'ok'],
      ['b', 'ok'],
    ])
  })

  it('never starts a poll still queued at the deadline: it is recorded as timed out and not fetched', async () => {
    const deps = answeringDeps(3, { cycleTimeoutMs: 300, concurrency: 1 })
    // "a" hangs past the deadline, holding the only slot: "b" and "c" wait in the queue. Once the
    // cycle has recorded them as timed out their claims are over (another replica may poll them),
    // so the queue must not fetch them when "a" finally ends.
    const answer = deps.fetch
    const asked: string[] = []
    let release: () => void = () => {}
    const hung = new Promise<void>((ok) => {
      release = ok
    })
    deps.fetch = async (url, init) => {
      asked.push(url)
      if (url.includes('a.test')) await hung
      return answer(url, init)
    }
    const cycle = await runCycle(deps, { force: true })
    expect(cycle.reports.map((r) => [r.sourceId, r.outcome])).toEqual([
      ['a', 'error'],
      ['b', 'error'],
      ['c', 'error'],
    ])
    release()
    // Let the queue drain: a started poll of "b" or "c" would fetch now.
    for (let i = 0; i < 20; i++) await new Promise((ok) => setImmediate(ok))
    expect(asked).toEqual(['http://a.test/feed.xml'])
    expect(await deps.store.getState('b')).toMatchObject({ lastError: { code: 'timeout' } })
  })
})

describe('tickFor', () => {
  const withEvery = (every: string, sourceEvery: string[] = []) => {
    const c = testConfig({
      sources: sourceEvery.map((e, i) => makeSource({ id: `s${i}`, every: e })),
    })
    return tickFor({ ...c, fetch: { ...c.fetch, every } })
  }

  it('keeps the 15 s tick for intervals of a minute or more and cron schedules', () => {
    expect(withEvery('15m')).toBe(DEFAULT_TICK)
    expect(withEvery('1m')).toBe(DEFAULT_TICK)
    expect(withEvery('*/5 * * * *', ['@hourly'])).toBe(DEFAULT_TICK)
  })

  it('ticks at a quarter of the shortest interval under a minute, evenly within a minute, at least every second', () => {
    expect(withEvery('15m', ['20s'])).toBe('*/5 * * * * *')
    expect(withEvery('30s')).toBe('*/6 * * * * *')
    expect(withEvery('5s')).toBe('*/1 * * * * *')
    expect(withEvery('1s')).toBe('*/1 * * * * *')
  })
})
