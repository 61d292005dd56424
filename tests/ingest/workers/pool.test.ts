/** The worker pool gives what analyseFeed gives in this thread, errors included, and follows reloads. */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { type AnalyseInput, analyseFeed } from '../../../src/ingest/analyse.js'
import {
  type AnalysePool,
  createAnalysePool,
  defaultWorkerCount,
  oneShotWorkerCount,
  type PrestartedWorkers,
  prestartWorkers,
} from '../../../src/ingest/workers/pool.js'
import { AppError, FetchError, ParseError } from '../../../src/model/errors.js'
import type { Topic } from '../../../src/model/types.js'
import { createRuntime, createTagger } from '../../../src/runtime.js'
import { createMemoryStore } from '../../../src/store/memory.js'
import { silentLogger } from '../../../src/util/logger.js'
import { createMetrics } from '../../../src/util/metrics.js'
import { makeSource, PAK_AFGHAN_TOPIC, testConfig } from '../../helpers/runtime.js'

const FEEDS = join(import.meta.dirname, '../../fixtures/feeds')
const config = testConfig()
const tagger = createTagger(config)
const source = makeSource({ id: 'dawn', tags: ['pk'] })

const input = (file: string, over: Partial<AnalyseInput> = {}): AnalyseInput => ({
  body: readFileSync(join(FEEDS, file)),
  source,
  feedUrl: `https://feeds.example.org/${file}`,
  fetchedAt: '2026-03-20T12:00:00.000Z',
  ...over,
})

/** One worker running the fixture that crashes, spins or fills its heap when a feed URL asks it to. */
const crashingPool = (more: Partial<Parameters<typeof createAnalysePool>[0]> = {}) =>
  createAnalysePool({
    topics: config.topics,
    tagger,
    workers: 1,
    entry: new URL('../../fixtures/workers/crashing-worker.ts', import.meta.url),
    ...more,
  })

let pool: AnalysePool | undefined
afterEach(async () => {
  await pool?.close()
  pool = undefined
})

// Each test starts worker threads, and each thread compiles the analysis modules under tsx before
// its first job: seconds of CPU per thread when the machine is shared, which the 5 s default did
// not always cover. The deadline allows for that start-up several times over.
describe('analysis pool', { timeout: 30_000 }, () => {
  it('gives the same items, keys and notes as analyseFeed in this thread, for every sample feed', async () => {
    pool = createAnalysePool({ topics: config.topics, tagger, workers: 2 })
    const feeds = readdirSync(FEEDS, { withFileTypes: true })
      .filter((d) => d.isFile() && d.name !== 'not-a-feed.html')
      .map((d) => d.name)
    expect(feeds.length).toBeGreaterThanOrEqual(8)
    const job = (f: string, i: number) => input(f, { storyFeatures: i % 2 === 0 })
    const local = await Promise.all(feeds.map((f, i) => analyseFeed(job(f, i), tagger)))
    const remote = await Promise.all(feeds.map((f, i) => (pool as AnalysePool).analyse(job(f, i))))
    expect(remote).toEqual(local)
    // Not vacuous: the samples carry items and story features, and some match the topic.
    expect(remote[0]?.features?.length).toBe(remote[0]?.items.length)
    expect(remote[0]?.features?.[0]?.keys).toBeInstanceOf(Uint32Array)
    const items = remote.flatMap((r) => r.items)
    expect(items.length).toBeGreaterThan(20)
    expect(items.some((i) => i.topics.includes('pakistan-afghanistan'))).toBe(true)
  })

  it('sends the bytes of a body that is a view of a larger buffer, and leaves the caller its own', async () => {
    pool = createAnalysePool({ topics: config.topics, tagger, workers: 1 })
    const plain = input('pk-daily.rss')
    // Bytes around the view that are not the document: a worker reading them fails to parse.
    const around = Buffer.alloc(plain.body.length + 2000, '<junk>')
    plain.body.forEach((b, i) => {
      around[1000 + i] = b
    })
    const body = around.subarray(1000, 1000 + plain.body.length)
    const analysed = await pool.analyse({ ...plain, body })
    expect(analysed).toEqual(await analyseFeed(plain, tagger))
    expect(body.byteLength).toBe(plain.body.length)
    expect(around.buffer.byteLength).toBe(plain.body.length + 2000)
  })

  it('skips the entries the last stored poll saw', async () => {
    pool = createAnalysePool({ topics: config.topics, tagger, workers: 1 })
    const first = await pool.analyse(input('pk-daily.rss'))
    expect(first.skipped).toBe(0)
    const again = await pool.analyse(input('pk-daily.rss', { previous: first.entries }))
    expect(again).toMatchObject({ items: [], skipped: first.entries.size, entries: first.entries })
  })

  it.runIf(process.platform === 'linux')(
    'runs analysis at a lower priority than the thread that serves readers (Linux: per thread)',
    async () => {
      // Niceness of each thread of this process: /proc/self/task/<tid>/stat, field 19.
      const niceness = (): Map<string, number> =>
        new Map(
          readdirSync('/proc/self/task').map((tid) => {
            const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
            return [tid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])]
          }),
        )
      const before = niceness()
      const own = before.get(String(process.pid)) ?? 0
      pool = createAnalysePool({ topics: config.topics, tagger, workers: 2 })
      await Promise.all([pool.analyse(input('pk-daily.rss')), pool.analyse(input('pk-daily.rss'))])
      const after = niceness()
      const lowered = [...after].filter(
        ([tid, n]) => !before.has(tid) && n === Math.min(19, own + 10),
      )
      expect(lowered).toHaveLength(2)
      expect(after.get(String(process.pid))).toBe(own)
    },
  )

  it('rejects a document that is not a feed with the ParseError analyseFeed throws', async () => {
    pool = createAnalysePool({ topics: config.topics, tagger, workers: 1 })
    const local = await analyseFeed(input('not-a-feed.html'), tagger).catch((e: unknown) => e)
    const remote = await pool.analyse(input('not-a-feed.html')).catch((e: unknown) => e)
    expect(local).toBeInstanceOf(ParseError)
    expect(remote).toBeInstanceOf(ParseError)
    expect((remote as ParseError).message).toBe((local as ParseError).message)
    // The worker goes on after a failed job.
    expect((await pool.analyse(input('pk-daily.rss'))).items.length).toBeGreaterThan(0)
  })

  it('undoes the content codings in the worker, and fails a bomb as analyseFeed does', async () => {
    pool = createAnalysePool({ topics: config.topics, tagger, workers: 1 })
    const plain = input('pk-daily.rss')
    const zipped = { ...plain, body: gzipSync(plain.body), codings: ['gzip'], maxBytes: 1 << 20 }
    expect(await pool.analyse(zipped)).toEqual(await analyseFeed(plain, tagger))
    const bomb = { ...zipped, body: gzipSync(Buffer.alloc(8 << 20, 0x20)) }
    const local = await analyseFeed(bomb, tagger).catch((e: unknown) => e)
    const remote = await pool.analyse(bomb).catch((e: unknown) => e)
    expect(local).toBeInstanceOf(FetchError)
    expect(remote).toBeInstanceOf(FetchError)
    expect(remote).toMatchObject({ code: 'too-large', message: (local as FetchError).message })
  })

  it('tags with the new rules after configure, also a job already sent', async () => {
    pool = createAnalysePool({ topics: config.topics, tagger, workers: 1 })
    const before = await pool.analyse(input('pk-daily.rss'))
    expect(before.items.some((i) => i.topics.includes('pakistan-afghanistan'))).toBe(true)
    const everything: Topic = { ...PAK_AFGHAN_TOPIC, id: 'everything', match: { any: ['the'] } }
    const next = testConfig({ topics: [everything] })
    const inFlight = pool.analyse(input('pk-daily.rss'))
    pool.configure(next.topics, createTagger(next))
    const after = [await inFlight, await pool.analyse(input('kabul-wire.atom'))]
    for (const result of after) {
      expect(result.items.length).toBeGreaterThan(0)
      for (const item of result.items) expect(item.topics).not.toContain('pakistan-afghanistan')
      expect(result.items.some((i) => i.topics.includes('everything'))).toBe(true)
    }
  })

  it("tags with a topic's learned model: its weights reach the workers", async () => {
    // a model sure that nothing is in the topic: as a filter after the rules, it drops every item
    const model = { version: 1 as const, examples: { in: 1, out: 1 }, bias: -20, weights: {} }
    const filtered: Topic = {
      ...PAK_AFGHAN_TOPIC,
      model: { mode: 'filter', threshold: 0.5, learned: model },
    }
    const next = testConfig({ topics: [filtered] })
    pool = createAnalysePool({ topics: config.topics, tagger, workers: 1 })
    const rules = await pool.analyse(input('pk-daily.rss'))
    expect(rules.items.some((i) => i.topics.includes('pakistan-afghanistan'))).toBe(true)
    pool.configure(next.topics, createTagger(next))
    const modelled = await pool.analyse(input('pk-daily.rss'))
    expect(modelled.items.length).toBe(rules.items.length)
    for (const item of modelled.items) expect(item.topics).toEqual([])
    expect(modelled).toEqual(await analyseFeed(input('pk-daily.rss'), createTagger(next)))
  })

  it('fails the jobs of a worker that stops, and starts a new one for the next job', async () => {
    pool = crashingPool()
    const [first] = (await pool.analyse(input('pk-daily.rss'))).recovered
    expect(first).toMatch(/^thread \d+$/)
    const crash = pool.analyse(
      input('pk-daily.rss', { feedUrl: 'https://feeds.example.org/crash' }),
    )
    await expect(crash).rejects.toThrow('analysis worker stopped (exit code 3)')
    // The pool starts another worker: the next document is read, on another thread.
    const [next] = (await pool.analyse(input('kabul-wire.atom'))).recovered
    expect(next).toMatch(/^thread \d+$/)
    expect(next).not.toBe(first)
  })

  it('abandons a document past its deadline: the worker is replaced, the jobs queued behind it are answered', async () => {
    pool = crashingPool({ deadlineMs: 1_500 })
    const [first] = (await pool.analyse(input('pk-daily.rss'))).recovered
    const spin = pool
      .analyse(input('pk-daily.rss', { feedUrl: 'https://feeds.example.org/spin' }))
      .catch((e: unknown) => e)
    // Sent to the same (only) worker after the spinning job: it must not share its fate.
    const behind = pool.analyse(input('kabul-wire.atom'))
    const err = await spin
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({
      code: 'timeout',
      message: expect.stringMatching(/^analysis took longer than 1\.5 s/),
    })
    const [next] = (await behind).recovered
    expect(next).toMatch(/^thread \d+$/)
    expect(next).not.toBe(first)
    expect((await pool.analyse(input('pk-daily.rss'))).recovered).toEqual([next])
  })

  it('abandons a document that fills the worker heap as too large: no retry without a cap, the jobs behind it answered', async () => {
    pool = crashingPool({ heapLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 } })
    const [first] = (await pool.analyse(input('pk-daily.rss'))).recovered
    const hog = pool
      .analyse(input('pk-daily.rss', { feedUrl: 'https://feeds.example.org/hog' }))
      .catch((e: unknown) => e)
    const behind = pool.analyse(input('kabul-wire.atom'))
    const err = await hog
    // An AppError: refresh.ts records it as the source's error instead of analysing the document
    // again on the main thread, where nothing caps its memory.
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({
      code: 'too-large',
      message: expect.stringMatching(/more than the worker's 32 MB of memory/),
    })
    const [next] = (await behind).recovered
    expect(next).toMatch(/^thread \d+$/)
    expect(next).not.toBe(first)
  })

  it('cancels a document on its signal: the busy worker is replaced, a queued job just rejected', async () => {
    pool = crashingPool()
    const [first] = (await pool.analyse(input('pk-daily.rss'))).recovered
    const stop = new AbortController()
    const spin = pool
      .analyse(input('pk-daily.rss', { feedUrl: 'https://feeds.example.org/spin' }), stop.signal)
      .catch((e: unknown) => e)
    const queued = pool.analyse(input('kabul-wire.atom'), stop.signal).catch((e: unknown) => e)
    const behind = pool.analyse(input('kabul-wire.atom'))
    stop.abort()
    for (const err of [await spin, await queued])
      expect(err).toMatchObject({ code: 'timeout', message: 'analysis cancelled' })
    const [next] = (await behind).recovered
    expect(next).toMatch(/^thread \d+$/)
    expect(next).not.toBe(first)
    await expect(pool.analyse(input('pk-daily.rss'), stop.signal)).rejects.toThrow('cancelled')
  })

  it('adopts workers started before the topics were known, which tag with the topics given then', async () => {
    const early = prestartWorkers(2)
    pool = createAnalysePool({ topics: config.topics, tagger, workers: 1, prestarted: early })
    // the pool took one: one is left, and taking it again finds none
    const left = early.take(config.topics, 0)
    expect(left).toBeDefined()
    expect(early.take(config.topics, 0)).toBeUndefined()
    await left?.terminate()
    const job = input('pk-daily.rss')
    const remote = await pool.analyse(job)
    expect(remote).toEqual(await analyseFeed(job, tagger))
    expect(remote.items.some((i) => i.topics.includes('pakistan-afghanistan'))).toBe(true)
  })

  it('leaves out a prestarted worker that failed before it was taken, without an error on this thread', async () => {
    // too little heap to load its modules: the worker fails while nothing has taken it yet
    const early = prestartWorkers(1, { maxOldGenerationSizeMb: 1, maxYoungGenerationSizeMb: 1 })
    expect(early.left()).toBe(1)
    // an error without a listener would fail this test (vitest reports it)
    while (early.left() > 0) await new Promise((r) => setTimeout(r, 50))
    expect(early.take(config.topics, 0)).toBeUndefined()
    pool = createAnalysePool({ topics: config.topics, tagger, workers: 1, prestarted: early })
    const job = input('pk-daily.rss')
    expect(await pool.analyse(job)).toEqual(await analyseFeed(job, tagger))
  })

  it('fails the jobs in flight when closed, and refuses new ones', async () => {
    pool = createAnalysePool({ topics: config.topics, tagger, workers: 1 })
    const job = expect(pool.analyse(input('pk-daily.rss'))).rejects.toThrow(
      'the analysis pool is closed',
    )
    await pool.close()
    await job
    await expect(pool.analyse(input('pk-daily.rss'))).rejects.toThrow('closed')
  })
})

describe('runtime', { timeout: 30_000 }, () => {
  const open = (workers?: number, prestarted?: PrestartedWorkers) =>
    createRuntime(
      testConfig({
        fetch: { ...config.fetch, ...(workers === undefined ? {} : { workers }) },
      }),
      {
        store: createMemoryStore(),
        logger: silentLogger,
        metrics: createMetrics(),
        ...(prestarted ? { prestarted } : {}),
      },
    )

  it('gives prestarted workers to its pool, and stops them when it analyses on its own thread', async () => {
    const early = prestartWorkers(1)
    const inline = await open(0, early)
    await inline.close()
    expect(early.take(config.topics, 0)).toBeUndefined()
    const used = prestartWorkers(1)
    const threaded = await open(1, used)
    try {
      expect(used.take(config.topics, 0)).toBeUndefined()
      const remote = await threaded.deps.analyse(input('urdu-service.rss'))
      expect(remote).toEqual(await analyseFeed(input('urdu-service.rss'), threaded.deps.tagger))
    } finally {
      await threaded.close()
    }
  })

  it('analyses on this thread once its workers are stopped (a one-shot command after its polls)', async () => {
    const rt = await open(1)
    try {
      await rt.stopAnalysis()
      // On this thread, analysis tags with the tagger of the moment; the pool would not.
      rt.deps.tagger = () => ['marked']
      const out = await rt.deps.analyse(input('urdu-service.rss'))
      expect(out.items.length).toBeGreaterThan(0)
      expect(new Set(out.items.flatMap((i) => i.topics))).toEqual(new Set(['marked']))
    } finally {
      await rt.close()
    }
  })

  it('analyses on worker threads unless fetch.workers is 0', async () => {
    const threaded = await open(1)
    const inline = await open(0)
    try {
      const remote = await threaded.deps.analyse(input('urdu-service.rss'))
      expect(remote).toEqual(await analyseFeed(input('urdu-service.rss'), inline.deps.tagger))
      // In-process, the analysis tags with the tagger of the moment; the pool keeps the one it
      // was configured with (reconfigure hands it a new one).
      const mark = () => ['marked']
      threaded.deps.tagger = mark
      inline.deps.tagger = mark
      const topicsOf = async (deps: typeof inline.deps) =>
        new Set((await deps.analyse(input('urdu-service.rss'))).items.flatMap((i) => i.topics))
      expect(await topicsOf(inline.deps)).toEqual(new Set(['marked']))
      expect(await topicsOf(threaded.deps)).not.toContain('marked')
    } finally {
      await threaded.close()
      await inline.close()
    }
  })
})

describe('worker counts', () => {
  it('gives serve one worker per core and a one-shot command one fewer, 1 to 4 either way', () => {
    expect([1, 2, 3, 4, 8, 64].map((c) => defaultWorkerCount(c))).toEqual([1, 2, 3, 4, 4, 4])
    expect([1, 2, 3, 4, 5, 64].map((c) => oneShotWorkerCount(c))).toEqual([1, 1, 2, 3, 4, 4])
  })
})
