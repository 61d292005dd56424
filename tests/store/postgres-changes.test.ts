/** PostgreSQL replicas' change notices: what a change touched reaches every replica's feed cache, which drops only that. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/http/app.js'
import { createFeedCache, type FeedCache } from '../../src/http/feed-cache.js'
import type { AppConfig, Item, SourceState, StoreChange, Verdict } from '../../src/model/types.js'
import { createRuntime, type Runtime } from '../../src/runtime.js'
import { noticePayload } from '../../src/store/postgres/changes.js'
import { createPostgresStore, type PostgresStore } from '../../src/store/postgres/postgres-store.js'
import { createClusterer } from '../../src/stories/clusterer.js'
import { silentLogger } from '../../src/util/logger.js'
import { createMetrics } from '../../src/util/metrics.js'
import { fixedClock } from '../helpers/clock.js'
import { fakeFetch } from '../helpers/fake-fetch.js'
import { makeItem } from '../helpers/items.js'
import { type PgCluster, pgSkipReason, startPgCluster } from '../helpers/postgres.js'
import { createTestDeps, makeSource, PAK_AFGHAN_TOPIC, testConfig } from '../helpers/runtime.js'

const skip = pgSkipReason()

const config = testConfig({
  sources: [makeSource({ id: 'dawn' }), makeSource({ id: 'geo' })],
  topics: [
    { ...PAK_AFGHAN_TOPIC, id: 'border', title: 'Border' },
    { ...PAK_AFGHAN_TOPIC, id: 'talks', title: 'Talks' },
  ],
})
const BORDER = '/topics/border.rss'
const TALKS = '/topics/talks.rss'

const state = (sourceId: string): SourceState => ({
  sourceId,
  failures: 0,
  nextPollAt: '2026-01-01T00:00:00.000Z',
})

describe('noticePayload', () => {
  it('keeps the lists of a notice that fits, and leaves them out of one too long', () => {
    const short = { from: 'a', v: 3, topics: ['border'], sources: ['dawn'] }
    expect(JSON.parse(noticePayload(short))).toEqual(short)
    const topics = Array.from({ length: 200 }, (_, i) => `a-long-topic-name-${i}`)
    const long = JSON.parse(noticePayload({ from: 'a', v: 4, topics, sources: ['dawn'] }))
    expect(long).toEqual({ from: 'a', v: 4 })
  })
})

describe.skipIf(skip !== undefined)('PostgreSQL change notices', () => {
  let cluster: PgCluster
  let n = 0
  const opened: PostgresStore[] = []
  const open = async (url: string) => {
    const s = await createPostgresStore({ url })
    opened.push(s)
    return s
  }
  beforeAll(async () => {
    cluster = await startPgCluster()
  }, 120_000)
  afterAll(async () => {
    await cluster?.stop()
  }, 60_000)
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()))
  })

  /** Two replicas on a fresh database holding a border item of dawn and a talks item of geo. */
  const replicas = async () => {
    const url = await cluster.createDatabase(`tw_changes_${process.pid}_${++n}`)
    const [a, b] = [await open(url), await open(url)]
    const border = makeItem({ sourceId: 'dawn', title: 'Torkham reopens', topics: ['border'] })
    const talks = makeItem({ sourceId: 'geo', title: 'Doha talks resume', topics: ['talks'] })
    await a.saveIngest({ sourceId: 'dawn', items: [border], state: state('dawn') })
    await a.saveIngest({ sourceId: 'geo', items: [talks], state: state('geo') })
    await expect.poll(() => b.version(), { timeout: 10_000 }).toBe(a.version())
    return { a, b, border, talks }
  }

  /** An app on `store` with a cache we can look into, both topic feeds read into it. */
  const appOn = async (store: PostgresStore) => {
    const cache = createFeedCache()
    const app = createApp({ ...createTestDeps(config), store }, {}, { feedCache: cache })
    const get = async (path: string) => {
      const res = await app.request(path)
      expect(res.status).toBe(200)
      return { etag: res.headers.get('etag'), body: await res.text() }
    }
    const before = { border: await get(BORDER), talks: await get(TALKS) }
    return { cache, get, before }
  }

  /** Waits for `store` to hear `writer`'s latest change. */
  const heard = (store: PostgresStore, writer: PostgresStore) =>
    expect.poll(() => store.version(), { timeout: 10_000 }).toBe(writer.version())

  const write = (store: PostgresStore, item: Item) =>
    store.saveIngest({ sourceId: item.sourceId, items: [item], state: state(item.sourceId) })

  const settled = (cache: FeedCache) =>
    expect.poll(() => cache.stats().entries, { timeout: 10_000 }).toBeGreaterThan(0)

  it("a change to one source's items replaces the touched topic's document on another replica and keeps the other topic's", async () => {
    const { a, b } = await replicas()
    const { cache, get, before } = await appOn(b)
    const rendered = cache.stats().renders
    await write(
      a,
      makeItem({ sourceId: 'dawn', title: 'Chaman trade resumes', topics: ['border'] }),
    )
    await heard(b, a)
    expect(cache.stats()).toMatchObject({ dropped: 1, invalidations: 0 })
    const border = await get(BORDER)
    expect(border.body).toContain('Chaman trade resumes')
    expect(border.etag).not.toBe(before.border.etag)
    expect(await get(TALKS)).toEqual(before.talks)
    // One render of the touched feed (ahead of the reader, or for it), none of the other.
    expect(cache.stats().renders).toBe(rendered + 1)
  })

  it("the writer's own cache keeps what its change did not touch too", async () => {
    const { a } = await replicas()
    const { cache, get, before } = await appOn(a)
    await write(a, makeItem({ sourceId: 'geo', title: 'Istanbul round ends', topics: ['talks'] }))
    expect(cache.stats()).toMatchObject({ dropped: 1, invalidations: 0 })
    expect(await get(BORDER)).toEqual(before.border)
    expect((await get(TALKS)).body).toContain('Istanbul round ends')
  })

  it("a new report of a story drops the feeds of the story's other members, whatever its own topics", async () => {
    const { a, b, border } = await replicas()
    const { cache, get, before } = await appOn(b)
    // geo's copy of dawn's border story, tagged talks only: the border feed's lead gains a link.
    const copy = makeItem({ sourceId: 'geo', title: 'Torkham open again', topics: ['talks'] })
    copy.clusterId = border.clusterId
    await write(a, copy)
    await heard(b, a)
    expect(cache.stats()).toMatchObject({ dropped: 2, invalidations: 0 })
    const after = await get(BORDER)
    expect(after.etag).not.toBe(before.border.etag)
    expect(after.body).toContain(copy.url)
  })

  it('a notice too long for a payload drops everything on the other replicas', async () => {
    const { a, b } = await replicas()
    const { cache, get, before } = await appOn(b)
    const changes: StoreChange[] = []
    b.onChange((c) => changes.push(c))
    const topics = ['talks', ...Array.from({ length: 120 }, (_, i) => `unlisted-topic-${i}`)]
    await write(a, makeItem({ sourceId: 'geo', title: 'Kabul statement', topics }))
    await heard(b, a)
    expect(changes).toEqual([{ version: a.version(), remote: true }])
    expect(cache.stats().dropped).toBe(2)
    // The border document was read since its render: it is back, with the same bytes.
    await settled(cache)
    expect(await get(BORDER)).toEqual(before.border)
  })

  it('a poll of unchanged items takes no story lock; a poll with a new or changed item does', async () => {
    const { a, border } = await replicas()
    const lock = a.storyLock
    if (!lock) throw new Error('a PostgreSQL store has a story lock')
    let locks = 0
    const counted: PostgresStore = {
      ...a,
      storyLock: (fn) => {
        locks++
        return lock(fn)
      },
    }
    const cluster = createClusterer(counted, { catchUpEveryMs: 0 })
    const poll = (items: Item[]) =>
      cluster.assignAndSave(items, new Date('2026-01-01T00:00:00.000Z'), undefined, (clustered) =>
        a.saveIngest({ sourceId: 'dawn', items: clustered, state: state('dawn') }),
      )
    const v = a.version()
    expect(await poll([border])).toMatchObject({ new: 0, updated: 0, unchanged: 1 })
    expect(locks).toBe(0)
    expect(a.version()).toBe(v)
    const fresh = makeItem({ sourceId: 'dawn', title: 'Angoor Adda quiet', topics: ['border'] })
    expect(await poll([border, fresh])).toMatchObject({ new: 1, unchanged: 1 })
    expect(locks).toBe(1)
    const retitled = { ...border, topics: ['border', 'talks'] }
    await poll([retitled, fresh])
    expect(locks).toBe(2)
    await poll([retitled, fresh])
    expect(locks).toBe(2)
  })

  describe('verdicts', () => {
    const TOPIC = PAK_AFGHAN_TOPIC.id
    const dawn = makeSource({ id: 'dawn' })
    const QUAKE = makeItem({
      title: 'Earthquake kills dozens in Pakistan and Afghanistan',
      summary: 'Floods followed the quake.',
      contentHtml: '',
    })
    /** Talks and border items in, disasters that hit both countries out. */
    const verdicts = (): Verdict[] =>
      [
        ['Pakistan and Afghanistan hold border talks in Kabul', true],
        ['Islamabad summons Afghan envoy over border firing', true],
        ['Afghan Taliban delegation in Islamabad for trade talks', true],
        ['Pakistan, Afghanistan agree to reopen Torkham after talks', true],
        ['Floods kill hundreds across Pakistan and Afghanistan', false],
        ['Quake death toll rises in Afghanistan and Pakistan', false],
        ['Heatwave grips Pakistan and Afghanistan as floods recede', false],
      ].map(([title, isIn], i) => ({
        topicId: TOPIC,
        itemId: `v${i}`,
        in: isIn as boolean,
        at: '2026-01-01T00:00:00.000Z',
        title: title as string,
      }))
    const runtimes: Runtime[] = []
    afterEach(async () => {
      await Promise.all(runtimes.splice(0).map((r) => r.close()))
    })
    const start = async (url: string) => {
      const cfg: AppConfig = testConfig({
        sources: [dawn],
        topics: [{ ...PAK_AFGHAN_TOPIC, model: { mode: 'filter', threshold: 0.5 } }],
        storage: {
          driver: 'postgres',
          url,
          path: 'unused.json',
          retention: { maxAgeDays: 3650, maxItemsPerSource: 2000 },
        },
        fetch: { ...testConfig().fetch, workers: 0 },
        server: { host: '127.0.0.1', port: 0, baseUrl: 'http://localhost:8080', adminToken: 'a' },
      })
      const runtime = await createRuntime(cfg, {
        fetch: fakeFetch().fetch,
        clock: fixedClock('2026-02-01T00:00:00.000Z'),
        logger: silentLogger,
        metrics: createMetrics(),
      })
      runtimes.push(runtime)
      return {
        runtime,
        app: createApp(runtime.deps, { learn: (t) => runtime.learn(t) }),
      }
    }
    const explained = async (app: ReturnType<typeof createApp>) => {
      const res = await app.request('/api/items?explain=1&clusters=all')
      expect(res.status).toBe(200)
      const body = (await res.json()) as {
        items: { id: string; explain?: Record<string, { model?: { probability?: number } }> }[]
      }
      return body.items.find((i) => i.id === QUAKE.id)?.explain?.[TOPIC]?.model
    }

    it("a verdict given on one replica retrains that topic's model on the other, without a reload", async () => {
      const url = await cluster.createDatabase(`tw_verdicts_${process.pid}_${++n}`)
      const a = await start(url)
      await a.runtime.deps.store.saveIngest({
        sourceId: 'dawn',
        items: [{ ...QUAKE, topics: a.runtime.deps.tagger(QUAKE, dawn) }],
        state: state('dawn'),
      })
      await a.runtime.deps.store.saveVerdicts(verdicts())
      const b = await start(url)
      const before = b.runtime.deps.config.topics[0]?.model?.learned?.examples
      expect(before).toEqual({ in: 4, out: 3 })
      const scoreBefore = await explained(b.app)
      const res = await a.app.request(`/api/topics/${TOPIC}/feedback`, {
        method: 'POST',
        headers: { Authorization: 'Bearer a' },
        body: JSON.stringify({ item: QUAKE.id, verdict: 'out' }),
      })
      expect(res.status).toBe(200)
      await expect
        .poll(() => b.runtime.deps.config.topics[0]?.model?.learned?.examples, { timeout: 10_000 })
        .toEqual({ in: 4, out: 4 })
      expect(b.runtime.deps.config.topics[0]?.model?.learned).toEqual(
        a.runtime.deps.config.topics[0]?.model?.learned,
      )
      const scoreAfter = await explained(b.app)
      expect(scoreAfter?.probability).toBeLessThan(scoreBefore?.probability ?? 0)
    }, 60_000)
  })
})
