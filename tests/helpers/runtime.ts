/** Test runtime: a complete AppConfig and Deps with a memory store, fixed clock and silent logger. */
import type { PollDeps } from '../../src/ingest/poll-deps.js'
import type { AppConfig, Item, Source, Topic } from '../../src/model/types.js'
import { createTagger, wirePollDeps } from '../../src/runtime.js'
import { createMemoryStore } from '../../src/store/memory.js'
import { silentLogger } from '../../src/util/logger.js'
import { createMetrics } from '../../src/util/metrics.js'
import { fixedClock, type TestClock } from './clock.js'
import { type FakeFetch, fakeFetch } from './fake-fetch.js'

/** A source with defaults. */
export const makeSource = (over: Partial<Source> & Pick<Source, 'id'>): Source => ({
  title: over.id,
  url: `http://feeds.test/${over.id}.xml`,
  tags: [],
  priority: 0,
  enabled: true,
  ...over,
})

export const PAK_AFGHAN_TOPIC: Topic = {
  id: 'pakistan-afghanistan',
  title: 'Pakistan–Afghanistan relations',
  match: {
    all: [
      { any: ['Pakistan', 'Pakistani', 'Islamabad'] },
      { any: ['Afghanistan', 'Afghan', 'Kabul', 'Taliban', 'Torkham'] },
    ],
    none: ['cricket'],
  },
  in: ['title', 'summary', 'content', 'categories'],
}

/** A valid configuration; pass what a test cares about. */
export const testConfig = (over: Partial<AppConfig> = {}): AppConfig => ({
  file: 'test.yaml',
  server: { host: '127.0.0.1', port: 0, baseUrl: 'http://localhost:8080' },
  storage: {
    driver: 'lowdb',
    path: 'unused.json',
    retention: { maxAgeDays: 3650, maxItemsPerSource: 2000 },
  },
  fetch: {
    every: '15m',
    timeoutMs: 5000,
    maxBytes: 1024 * 1024,
    concurrency: 4,
    perHost: 2,
    userAgent: 'topicwire-test/1.0',
    allowPrivateNetworks: true,
  },
  sources: [],
  topics: [PAK_AFGHAN_TOPIC],
  feeds: [],
  ...over,
})

export interface TestDeps extends PollDeps {
  clock: TestClock
  fake: FakeFetch
}

/**
 * Deps over a memory store, the fixed clock and a fake fetch; the poller's parts (story index,
 * entry memo, in-process analysis) wired as `serve` wires them (runtime.ts wirePollDeps).
 */
export const createTestDeps = (config: AppConfig = testConfig(), fake = fakeFetch()): TestDeps =>
  wirePollDeps({
    config,
    tagger: createTagger(config),
    store: createMemoryStore(),
    fetch: fake.fetch,
    fake,
    clock: fixedClock(),
    logger: silentLogger,
    metrics: createMetrics(),
    random: () => 0.5,
  })

/**
 * Test deps whose store holds `items`, saved as one poll of the source `dawn` would save them
 * (the config's sources default to that one source, titled Dawn).
 */
export const createSeededDeps = async (
  items: Item[],
  config: AppConfig = testConfig({ sources: [makeSource({ id: 'dawn', title: 'Dawn' })] }),
): Promise<TestDeps> => {
  const deps = createTestDeps(config)
  await deps.store.saveIngest({
    sourceId: 'dawn',
    items,
    state: { sourceId: 'dawn', failures: 0, nextPollAt: '2026-11-20T12:15:00.000Z' },
  })
  return deps
}
