import { describe, expect, it } from 'vitest'
import { refreshSource } from '../../src/ingest/refresh.js'
import { runCycle } from '../../src/ingest/scheduler.js'
import { ParseError } from '../../src/model/errors.js'
import { fakeFetch } from '../helpers/fake-fetch.js'
import { createTestDeps, makeSource, testConfig } from '../helpers/runtime.js'

const rss = (items: { guid: string; title: string; desc?: string }[]) => `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Test</title><link>http://feeds.test/</link><description>d</description>
${items
  .map(
    (i) => `<item><guid isPermaLink="false">${i.guid}</guid><title>${i.title}</title>
<link>http://feeds.test/${i.guid}</link><description>${i.desc ?? i.title}</description>
<pubDate>Thu, 19 Nov 2026 08:00:00 GMT</pubDate></item>`,
  )
  .join('\n')}
</channel></rss>`

const TALKS = { guid: 'talks', title: 'Pakistan and Afghanistan resume talks in Istanbul' }
const BUDGET = { guid: 'budget', title: 'Pakistan unveils its budget' }
const dawn = makeSource({ id: 'dawn', url: 'http://feeds.test/dawn.xml' })
const wire = makeSource({ id: 'wire', url: 'http://feeds.test/wire.xml' })

const setup = () => {
  const fake = fakeFetch()
  const deps = createTestDeps(testConfig({ sources: [dawn, wire] }), fake)
  return { fake, deps }
}

describe('refreshSource', () => {
  it('stores parsed, tagged items and a successful state', async () => {
    const { fake, deps } = setup()
    fake.set(dawn.url, { headers: { ETag: '"v1"' }, body: rss([TALKS, BUDGET]) })
    const report = await refreshSource(dawn, deps)
    expect(report).toMatchObject({ outcome: 'ok', status: 200, summary: { new: 2, updated: 0 } })
    const page = await deps.store.queryItems({ limit: 10, clusters: 'all' })
    const byTitle = Object.fromEntries(page.items.map((i) => [i.title, i.topics]))
    expect(byTitle[TALKS.title]).toEqual(['pakistan-afghanistan'])
    expect(byTitle[BUDGET.title]).toEqual([])
    const state = await deps.store.getState('dawn')
    expect(state).toMatchObject({ etag: '"v1"', failures: 0, lastStatus: 200 })
    expect(state?.lastError).toBeUndefined()
    expect(Date.parse(state?.nextPollAt ?? '') - deps.clock.now().getTime()).toBeGreaterThanOrEqual(
      13 * 60_000,
    )
  })

  it('sends the stored validators and records a 304 without touching items', async () => {
    const { fake, deps } = setup()
    fake.set(dawn.url, { headers: { ETag: '"v1"' }, body: rss([TALKS]) })
    await refreshSource(dawn, deps)
    fake.set(dawn.url, (init) =>
      init.headers['If-None-Match'] === '"v1"' || init.headers['if-none-match'] === '"v1"'
        ? { status: 304 }
        : { body: rss([TALKS, BUDGET]) },
    )
    const report = await refreshSource(dawn, deps)
    expect(report.outcome).toBe('not-modified')
    expect(await deps.store.countItems()).toBe(1)
  })

  it('updates an item whose content changed instead of adding one', async () => {
    const { fake, deps } = setup()
    fake.set(dawn.url, { body: rss([TALKS]) })
    await refreshSource(dawn, deps)
    deps.clock.advance(3_600_000)
    fake.set(dawn.url, { body: rss([{ ...TALKS, desc: 'Talks resumed with a new agenda' }]) })
    const report = await refreshSource(dawn, deps)
    expect(report.summary).toEqual({ new: 0, updated: 1, unchanged: 0 })
    const [item] = (await deps.store.queryItems({ limit: 10, clusters: 'all' })).items
    expect(item?.summary).toContain('new agenda')
    expect(item?.updatedAt).toBe(deps.clock.now().toISOString())
  })

  it('records a failure with a sentence, backs off, and keeps the stored items', async () => {
    const { fake, deps } = setup()
    fake.set(dawn.url, { body: rss([TALKS]) })
    await refreshSource(dawn, deps)
    fake.set(dawn.url, { status: 500, body: 'oops' })
    const first = await refreshSource(dawn, deps)
    expect(first.outcome).toBe('error')
    expect(first.error).toMatch(/500/)
    const second = await refreshSource(dawn, deps)
    expect(second.outcome).toBe('error')
    const state = await deps.store.getState('dawn')
    expect(state?.failures).toBe(2)
    expect(state?.lastError?.message).toMatch(/500.*http:\/\/feeds\.test\/dawn\.xml/)
    expect(await deps.store.countItems()).toBe(1)
  })

  it('reports a document that is not a feed as a parse error', async () => {
    const { fake, deps } = setup()
    fake.set(dawn.url, {
      headers: { 'Content-Type': 'text/html' },
      body: '<!doctype html><html><body>Hi</body></html>',
    })
    const report = await refreshSource(dawn, deps)
    expect(report.outcome).toBe('error')
    expect((await deps.store.getState('dawn'))?.lastError?.code).toBe('parse')
  })

  it('stops polling a source that answers 410 Gone', async () => {
    const { fake, deps } = setup()
    fake.set(dawn.url, { status: 410 })
    expect((await refreshSource(dawn, deps)).outcome).toBe('gone')
    deps.clock.advance(48 * 3_600_000)
    const due = await deps.store.claimDue(deps.clock.now(), ['dawn'], 10)
    expect(due).toEqual([])
  })
})

describe('refreshSource: one read and one write per poll', () => {
  /** Counts the state reads and the writes a poll makes. */
  const counted = (deps: ReturnType<typeof setup>['deps']) => {
    const calls: string[] = []
    const { store } = deps
    deps.store = {
      ...store,
      getState: (id) => {
        calls.push('getState')
        return store.getState(id)
      },
      saveState: (st) => {
        calls.push('saveState')
        return store.saveState(st)
      },
      saveIngest: (r) => {
        calls.push(`saveIngest(${r.items.length})`)
        return store.saveIngest(r)
      },
    }
    return calls
  }

  it.each([
    ['new items', { body: rss([TALKS, BUDGET]) }, ['getState', 'saveIngest(2)']],
    ['a 304', { status: 304 }, ['getState', 'saveState']],
    ['a 503', { status: 503 }, ['getState', 'saveState']],
    ['a 500', { status: 500 }, ['getState', 'saveState']],
    ['a 410', { status: 410 }, ['getState', 'saveState']],
  ])('%s', async (_case, answer, expected) => {
    const { fake, deps } = setup()
    fake.set(dawn.url, answer)
    const calls = counted(deps)
    await refreshSource(dawn, deps)
    expect(calls).toEqual(expected)
  })

  it('saves the state alone when every entry is one the last poll stored', async () => {
    const { fake, deps } = setup()
    fake.set(dawn.url, { body: rss([TALKS, BUDGET]) })
    await refreshSource(dawn, deps)
    const calls = counted(deps)
    deps.clock.advance(60_000)
    const report = await refreshSource(dawn, deps)
    expect(calls).toEqual(['getState', 'saveState'])
    expect(report.summary).toEqual({ new: 0, updated: 0, unchanged: 2 })
    expect((await deps.store.getState('dawn'))?.history?.map((r) => r.changed)).toEqual([2, 0])
  })

  it('counts every time of the poll from its start', async () => {
    const { fake, deps } = setup()
    fake.set(dawn.url, { body: rss([TALKS]) })
    const start = deps.clock.now().toISOString()
    // The clock moves while the document is fetched: the poll's times stay at its start.
    const fetch = deps.fetch
    deps.fetch = async (url, init) => {
      deps.clock.advance(5_000)
      return fetch(url, init)
    }
    const report = await refreshSource(dawn, deps)
    expect(report.seconds).toBe(5)
    const state = await deps.store.getState('dawn')
    expect(state).toMatchObject({ lastFetchAt: start, lastSuccessAt: start })
    expect(state?.history?.[0]?.at).toBe(start)
    expect(Date.parse(state?.nextPollAt ?? '') - Date.parse(start)).toBe(15 * 60_000)
    const [item] = (await deps.store.queryItems({ limit: 1, clusters: 'all' })).items
    expect(item?.fetchedAt).toBe(start)
  })
})

describe('refreshSource: permanent redirects', () => {
  const MOVED = 'http://feeds.test/moved.xml'
  const DAY = 24 * 3_600_000
  const redirected = (status = 301, to = MOVED) => {
    const { fake, deps } = setup()
    fake.set(dawn.url, { status, headers: { Location: to } })
    fake.set(to, { body: rss([TALKS]) })
    return { fake, deps }
  }
  const state = async (deps: ReturnType<typeof setup>['deps']) => deps.store.getState('dawn')
  /** The first URL requested by the latest poll. */
  const polledUrl = (fake: ReturnType<typeof setup>['fake'], before: number) =>
    fake.requests[before]?.url

  it.each([301, 308])(
    'follows a %i at once but keeps polling the old URL until confirmed',
    async (status) => {
      const { fake, deps } = redirected(status)
      const first = await refreshSource(dawn, deps)
      expect(first).toMatchObject({ outcome: 'ok', summary: { new: 1 } })
      expect(await state(deps)).toMatchObject({
        effectiveUrl: undefined,
        pendingRedirect: { url: MOVED, firstSeenAt: deps.clock.now().toISOString() },
      })
      const firstSeenAt = deps.clock.now().toISOString()
      deps.clock.advance(DAY / 2)
      let before = fake.requests.length
      await refreshSource(dawn, deps)
      expect(polledUrl(fake, before)).toBe(dawn.url)
      expect((await state(deps))?.pendingRedirect).toEqual({ url: MOVED, firstSeenAt })
      deps.clock.advance(DAY / 2)
      await refreshSource(dawn, deps)
      const confirmed = await state(deps)
      expect(confirmed?.effectiveUrl).toBe(MOVED)
      expect(confirmed?.pendingRedirect).toBeUndefined()
      before = fake.requests.length
      await refreshSource(dawn, deps)
      expect(fake.requests.slice(before).map((r) => r.url)).toEqual([MOVED])
    },
  )

  it.each([302, 307])('never remembers a temporary %i', async (status) => {
    const { deps } = redirected(status)
    for (let i = 0; i < 3; i++) {
      await refreshSource(dawn, deps)
      deps.clock.advance(DAY)
    }
    const st = await state(deps)
    expect(st?.effectiveUrl).toBeUndefined()
    expect(st?.pendingRedirect).toBeUndefined()
  })

  it('forgets a pending redirect when a poll is answered without it', async () => {
    const { fake, deps } = redirected()
    await refreshSource(dawn, deps)
    deps.clock.advance(DAY / 2)
    fake.set(dawn.url, { body: rss([TALKS]) })
    await refreshSource(dawn, deps)
    expect((await state(deps))?.pendingRedirect).toBeUndefined()
    // Seen again: the window starts over, so a day after the FIRST sighting is not enough.
    fake.set(dawn.url, { status: 301, headers: { Location: MOVED } })
    deps.clock.advance(DAY / 2)
    await refreshSource(dawn, deps)
    expect(await state(deps)).toMatchObject({
      effectiveUrl: undefined,
      pendingRedirect: { url: MOVED, firstSeenAt: deps.clock.now().toISOString() },
    })
  })

  it('starts over when the redirect points somewhere else', async () => {
    const { fake, deps } = redirected()
    await refreshSource(dawn, deps)
    deps.clock.advance(DAY)
    fake.set(dawn.url, { status: 301, headers: { Location: 'http://feeds.test/elsewhere.xml' } })
    fake.set('http://feeds.test/elsewhere.xml', { body: rss([TALKS]) })
    await refreshSource(dawn, deps)
    expect(await state(deps)).toMatchObject({
      effectiveUrl: undefined,
      pendingRedirect: { url: 'http://feeds.test/elsewhere.xml' },
    })
  })

  it('confirms through 304 answers, and failed polls neither confirm nor refute', async () => {
    const { fake, deps } = redirected()
    await refreshSource(dawn, deps)
    deps.clock.advance(DAY / 2)
    fake.set(MOVED, { status: 500 })
    await refreshSource(dawn, deps)
    expect((await state(deps))?.pendingRedirect?.url).toBe(MOVED)
    deps.clock.advance(DAY / 2)
    fake.set(MOVED, { status: 304 })
    expect((await refreshSource(dawn, deps)).outcome).toBe('not-modified')
    expect((await state(deps))?.effectiveUrl).toBe(MOVED)
  })
})

describe('refreshSource: health', () => {
  it('appends every poll to the history with its outcome, status and changed items', async () => {
    const { fake, deps } = setup()
    fake.set(dawn.url, { headers: { ETag: '"v1"' }, body: rss([TALKS, BUDGET]) })
    await refreshSource(dawn, deps)
    fake.set(dawn.url, { body: rss([TALKS, BUDGET]) })
    deps.clock.advance(60_000)
    await refreshSource(dawn, deps)
    fake.set(dawn.url, { status: 304 })
    deps.clock.advance(60_000)
    await refreshSource(dawn, deps)
    fake.set(dawn.url, { status: 503, headers: { 'Retry-After': '60' } })
    deps.clock.advance(60_000)
    await refreshSource(dawn, deps)
    fake.set(dawn.url, { status: 404 })
    deps.clock.advance(60_000)
    await refreshSource(dawn, deps)
    fake.set(dawn.url, { status: 410 })
    deps.clock.advance(60_000)
    await refreshSource(dawn, deps)
    const t = (min: number) => new Date(Date.parse('2026-11-20T12:00:00.000Z') + min * 60_000)
    expect((await deps.store.getState('dawn'))?.history).toEqual([
      { at: t(0).toISOString(), outcome: 'ok', status: 200, changed: 2 },
      { at: t(1).toISOString(), outcome: 'ok', status: 200, changed: 0 },
      { at: t(2).toISOString(), outcome: 'not-modified', status: 304 },
      { at: t(3).toISOString(), outcome: 'retry-later', status: 503 },
      { at: t(4).toISOString(), outcome: 'error', status: 404 },
      { at: t(5).toISOString(), outcome: 'gone', status: 410 },
    ])
  })

  it('analyses on this thread when the analysis worker fails, not blaming the source', async () => {
    const { fake, deps } = setup()
    fake.set(dawn.url, { body: rss([TALKS, BUDGET]) })
    deps.analyse = async () => {
      throw new Error('analysis worker stopped (exit code 1)')
    }
    const report = await refreshSource(dawn, deps)
    expect(report).toMatchObject({ outcome: 'ok', summary: { new: 2 } })
    expect((await deps.store.getState('dawn'))?.failures).toBe(0)
  })

  it('still reports a document that is not a feed when the worker says so', async () => {
    const { fake, deps } = setup()
    fake.set(dawn.url, { body: '<html><body>Not here</body></html>' })
    deps.analyse = async () => {
      throw new ParseError('not a feed: an HTML page')
    }
    const report = await refreshSource(dawn, deps)
    expect(report).toMatchObject({ outcome: 'error', error: 'not a feed: an HTML page' })
  })

  it('matches topics only for new or changed entries (with the entry memo of the runtime)', async () => {
    const { fake, deps } = setup()
    const tagged: string[] = []
    const tagger = deps.tagger
    deps.tagger = (item, source) => {
      tagged.push(item.title)
      return tagger(item, source)
    }
    fake.set(dawn.url, { body: rss([TALKS, BUDGET]) })
    await refreshSource(dawn, deps)
    fake.set(dawn.url, {
      body: rss([{ ...TALKS, desc: 'Talks resumed with a new agenda' }, BUDGET]),
    })
    await refreshSource(dawn, deps)
    expect(tagged).toEqual([TALKS.title, BUDGET.title, TALKS.title])
    const topics = (await deps.store.queryItems({ limit: 10, clusters: 'all' })).items.map((i) => [
      i.title,
      i.topics,
    ])
    expect(Object.fromEntries(topics)).toEqual({
      [TALKS.title]: ['pakistan-afghanistan'],
      [BUDGET.title]: [],
    })
  })

  it('keeps the newest 100 polls', async () => {
    const { fake, deps } = setup()
    fake.set(dawn.url, { status: 304 })
    for (let i = 0; i < 103; i++) {
      await refreshSource(dawn, deps)
      deps.clock.advance(60_000)
    }
    const history = (await deps.store.getState('dawn'))?.history ?? []
    expect(history).toHaveLength(100)
    expect(history[0]?.at).toBe('2026-11-20T12:03:00.000Z')
  })

  it('waits for the RSS <ttl> when it is longer than the interval', async () => {
    const { fake, deps } = setup()
    const withTtl = (ttl: number) =>
      rss([TALKS]).replace(
        '<description>d</description>',
        `<description>d</description><ttl>${ttl}</ttl>`,
      )
    fake.set(dawn.url, { body: withTtl(180) })
    await refreshSource(dawn, deps)
    const next = async () =>
      Date.parse((await deps.store.getState('dawn'))?.nextPollAt ?? '') - deps.clock.now().getTime()
    expect(await next()).toBe(180 * 60_000)
    // A ttl shorter than `every` (15m) does not shorten it: 15m ± jitter (random is 0.5: none).
    fake.set(dawn.url, { body: withTtl(5) })
    await refreshSource(dawn, deps)
    expect(await next()).toBe(15 * 60_000)
  })

  it('clamps and flags dates in the future', async () => {
    const { fake, deps } = setup()
    const future = rss([TALKS, BUDGET]).replace(
      'Thu, 19 Nov 2026 08:00:00 GMT',
      'Fri, 20 Nov 2026 18:00:00 GMT',
    )
    fake.set(dawn.url, { body: future })
    const report = await refreshSource(dawn, deps)
    const note = '1 future date clamped to the fetch time (more than 10 minutes ahead)'
    expect(report.recovered).toEqual([note])
    expect((await deps.store.getState('dawn'))?.recovered).toEqual([note])
    const dates = (await deps.store.queryItems({ limit: 10, clusters: 'all' })).items.map(
      (i) => i.publishedAt,
    )
    expect(dates.sort()).toEqual(['2026-11-19T08:00:00.000Z', deps.clock.now().toISOString()])
    // The next clean document clears the flag.
    fake.set(dawn.url, { body: rss([TALKS]) })
    await refreshSource(dawn, deps)
    expect((await deps.store.getState('dawn'))?.recovered).toBeUndefined()
  })
})

describe('runCycle', () => {
  it('polls every due source; one failing source does not stop the others', async () => {
    const { fake, deps } = setup()
    fake.set(wire.url, { body: rss([TALKS]) })
    // dawn is not in the fake's table: the connection is refused.
    const cycle = await runCycle(deps)
    expect(cycle.reports.map((r) => [r.sourceId, r.outcome]).sort()).toEqual([
      ['dawn', 'error'],
      ['wire', 'ok'],
    ])
    expect(cycle.totals).toMatchObject({ new: 1, errors: 1 })
    // Nothing is due right after: the next cycle polls nobody unless forced.
    expect((await runCycle(deps)).reports).toEqual([])
    expect((await runCycle(deps, { force: true, sourceIds: ['wire'] })).reports).toHaveLength(1)
  })

  it('does not add an item twice across polls', async () => {
    const { fake, deps } = setup()
    fake.set(dawn.url, { body: rss([TALKS, BUDGET]) })
    fake.set(wire.url, { body: rss([]) })
    await runCycle(deps, { force: true })
    const second = await runCycle(deps, { force: true })
    expect(second.totals).toMatchObject({ new: 0, unchanged: 2 })
    expect(await deps.store.countItems()).toBe(2)
  })
})
