/**
 * Re-tagging on reload: new topic rules change the topics of stored items in one pass, and the
 * published feeds (and their ETags) follow; the same rules again change nothing.
 */
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/http/app.js'
import type { AppConfig, Item } from '../../src/model/types.js'
import { createRuntime } from '../../src/runtime.js'
import { createMemoryStore } from '../../src/store/memory.js'
import { silentLogger } from '../../src/util/logger.js'
import { createMetrics } from '../../src/util/metrics.js'
import { fixedClock } from '../helpers/clock.js'
import { fakeFetch } from '../helpers/fake-fetch.js'
import { makeItem } from '../helpers/items.js'
import { makeSource, PAK_AFGHAN_TOPIC, testConfig } from '../helpers/runtime.js'

const before = testConfig({ sources: [makeSource({ id: 'dawn', title: 'Dawn' })] })

/** The edited rules: cricket no longer excluded, `Torkham` alone is not enough. */
const after: AppConfig = {
  ...before,
  topics: [
    {
      ...PAK_AFGHAN_TOPIC,
      match: {
        all: [
          { any: ['Pakistan', 'Pakistani', 'Islamabad'] },
          { any: ['Afghanistan', 'Afghan', 'Kabul', 'Taliban'] },
        ],
      },
    },
  ],
}

const TITLES = [
  'Pakistan and Afghan officials reopen Torkham', // in both
  'Pakistan beat Afghanistan in Sharjah cricket', // only after
  'Torkham queue grows as Islamabad waits', // only before (Torkham counted as Afghan)
  'Budget passes in Islamabad', // in neither
]

const setup = async () => {
  const store = createMemoryStore()
  const runtime = await createRuntime(before, {
    store,
    fetch: fakeFetch().fetch,
    clock: fixedClock('2024-05-02T00:00:00.000Z'),
    logger: silentLogger,
    metrics: createMetrics(),
  })
  const { deps } = runtime
  const source = before.sources[0] ?? makeSource({ id: 'dawn' })
  const items: Item[] = TITLES.map((title, i) =>
    makeItem({
      sourceId: 'dawn',
      title,
      summary: '',
      contentHtml: '',
      publishedAt: `2024-05-01T1${i}:00:00.000Z`,
    }),
  ).map((item) => ({ ...item, topics: deps.tagger(item, source) }))
  await store.saveIngest({
    sourceId: 'dawn',
    items,
    state: { sourceId: 'dawn', failures: 0, nextPollAt: '2024-05-02T00:15:00.000Z' },
  })
  return { runtime, store, app: createApp(deps) }
}

const feed = async (app: ReturnType<typeof createApp>) => {
  const res = await app.request('/topics/pakistan-afghanistan.json?clusters=all')
  expect(res.status).toBe(200)
  const body = (await res.json()) as { items: { title: string }[] }
  return { etag: res.headers.get('etag'), titles: body.items.map((i) => i.title).sort() }
}

const tagged = async (store: ReturnType<typeof createMemoryStore>) =>
  (await store.queryItems({ limit: 10, clusters: 'all', topics: ['pakistan-afghanistan'] })).items
    .map((i) => i.title)
    .sort()

describe('reloading changed topic rules', () => {
  it('re-tags stored items, and the topic feed changes its items and its ETag', async () => {
    const { runtime, store, app } = await setup()
    const first = await feed(app)
    expect(first.titles).toEqual([TITLES[0], TITLES[2]].sort())
    expect(first.etag).toMatch(/^"[^"]+"$/)

    const { retagged } = await runtime.reconfigure(after)
    expect(retagged).toBe(2)
    expect(await tagged(store)).toEqual([TITLES[0], TITLES[1]].sort())

    const second = await feed(app)
    expect(second.titles).toEqual([TITLES[0], TITLES[1]].sort())
    expect(second.etag).not.toBe(first.etag)
    const revalidated = await app.request('/topics/pakistan-afghanistan.json?clusters=all', {
      headers: { 'If-None-Match': first.etag ?? '' },
    })
    expect(revalidated.status).toBe(200)
  })

  it('leaves items and the ETag alone when the rules did not change', async () => {
    const { runtime, app } = await setup()
    const first = await feed(app)
    expect((await runtime.reconfigure({ ...before, topics: [...before.topics] })).retagged).toBe(0)
    const second = await feed(app)
    expect(second).toEqual(first)
    const revalidated = await app.request('/topics/pakistan-afghanistan.json?clusters=all', {
      headers: { 'If-None-Match': first.etag ?? '' },
    })
    expect(revalidated.status).toBe(304)
  })

  it('tags new items with the new rules after the reload', async () => {
    const { runtime } = await setup()
    await runtime.reconfigure(after)
    const source = after.sources[0] ?? makeSource({ id: 'dawn' })
    const cricket = makeItem({ title: 'Pakistan v Afghanistan cricket final', summary: '' })
    expect(runtime.deps.tagger(cricket, source)).toEqual(['pakistan-afghanistan'])
  })
})
