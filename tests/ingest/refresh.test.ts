import { describe, expect, it } from 'vitest'
import { refreshSource } from '../../src/ingest/refresh.js'
import { runCycle } from '../../src/ingest/scheduler.js'
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

  it('polls the new URL after a permanent redirect', async () => {
    const { fake, deps } = setup()
    fake.set(dawn.url, { status: 301, headers: { Location: 'http://feeds.test/moved.xml' } })
    fake.set('http://feeds.test/moved.xml', { body: rss([TALKS]) })
    await refreshSource(dawn, deps)
    expect((await deps.store.getState('dawn'))?.effectiveUrl).toBe('http://feeds.test/moved.xml')
    await refreshSource(dawn, deps)
    expect(fake.requests.at(-1)?.url).toBe('http://feeds.test/moved.xml')
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
