/** GET /api/sources health after real polls: redirects, the poll history and network outages. */
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/http/app.js'
import { refreshSource } from '../../src/ingest/refresh.js'
import { runCycle } from '../../src/ingest/scheduler.js'
import { fakeFetch } from '../helpers/fake-fetch.js'
import { createTestDeps, makeSource, testConfig } from '../helpers/runtime.js'

const RSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><guid>a</guid><title>A story</title><link>http://a.test/a</link></item></channel></rss>`

interface ApiSource {
  id: string
  url: string
  effectiveUrl: string | null
  pendingRedirect: { url: string; firstSeenAt: string } | null
  health: {
    status: string
    consecutiveFailures: number
    lastError: { message: string } | null
    polls: number
    notModifiedShare: number | null
  }
}

const sources = ['a', 'b', 'c'].map((id) => makeSource({ id, url: `http://${id}.test/feed.xml` }))

const setup = () => {
  const fake = fakeFetch()
  const deps = createTestDeps(testConfig({ sources }), fake)
  const app = createApp(deps)
  const get = async (id: string): Promise<ApiSource> => {
    const body = (await (await app.request('/api/sources')).json()) as { sources: ApiSource[] }
    const found = body.sources.find((s) => s.id === id)
    if (!found) throw new Error(`no source ${id}`)
    return found
  }
  return { fake, deps, get }
}

describe('GET /api/sources health', () => {
  it('starts with no polls and no share', async () => {
    const { get } = setup()
    expect(await get('a')).toMatchObject({
      effectiveUrl: null,
      pendingRedirect: null,
      health: { status: 'pending', polls: 0, notModifiedShare: null },
    })
  })

  it('counts polls and the share answered 304', async () => {
    const { fake, deps, get } = setup()
    const [a] = sources
    if (!a) throw new Error('no source')
    fake.set(a.url, { headers: { ETag: '"1"' }, body: RSS })
    await refreshSource(a, deps)
    fake.set(a.url, { status: 304 })
    for (let i = 0; i < 3; i++) await refreshSource(a, deps)
    expect((await get('a')).health).toMatchObject({ polls: 4, notModifiedShare: 0.75 })
  })

  it('shows a pending permanent redirect, then the adopted URL', async () => {
    const { fake, deps, get } = setup()
    const [a] = sources
    if (!a) throw new Error('no source')
    fake.set(a.url, { status: 308, headers: { Location: 'http://a2.test/feed.xml' } })
    fake.set('http://a2.test/feed.xml', { body: RSS })
    await refreshSource(a, deps)
    expect(await get('a')).toMatchObject({
      url: a.url,
      effectiveUrl: null,
      pendingRedirect: {
        url: 'http://a2.test/feed.xml',
        firstSeenAt: deps.clock.now().toISOString(),
      },
    })
    deps.clock.advance(24 * 3_600_000)
    await refreshSource(a, deps)
    expect(await get('a')).toMatchObject({
      url: a.url,
      effectiveUrl: 'http://a2.test/feed.xml',
      pendingRedirect: null,
    })
  })

  it('shows a source that failed during a network outage as failing, with no failures counted', async () => {
    const { deps, get } = setup()
    expect((await runCycle(deps)).networkDown).toBe(true)
    expect((await get('b')).health).toMatchObject({
      status: 'failing',
      consecutiveFailures: 0,
      lastError: { message: expect.stringContaining('the network looks down') },
      polls: 1,
      notModifiedShare: 0,
    })
  })
})
