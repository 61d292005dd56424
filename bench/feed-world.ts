/** The served world of the HTTP benchmarks (http, api): one source, one topic, items of a realistic size. */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createNodeServer } from '../src/http/node-server.js'
import type { AppConfig, Item } from '../src/model/types.js'
import { createMemoryStore } from '../src/store/memory.js'
import { stableUuid } from '../src/util/hash.js'
import { createMetrics } from '../src/util/metrics.js'
import {
  createTestDeps,
  makeSource,
  PAK_AFGHAN_TOPIC,
  testConfig,
} from '../tests/helpers/runtime.js'

/** The topic every bench item is tagged with; its feed is `/topics/bench-topic.rss`. */
export const BENCH_TOPIC = 'bench-topic'

/** One source (never polled: the benches fill the store) and the bench topic. */
export const benchConfig = (): AppConfig =>
  testConfig({
    sources: [makeSource({ id: 'wire', title: 'Bench Wire', url: 'http://127.0.0.1:9/feed' })],
    topics: [{ ...PAK_AFGHAN_TOPIC, id: BENCH_TOPIC, title: 'Bench topic', match: 'Torkham' }],
  })

/**
 * `count` items of a realistic size (about 1.5 KB of text each), one hour apart, the newest
 * published at `newest`; each its own story.
 */
export const benchItems = (count: number, newest: Date): Item[] =>
  Array.from({ length: count }, (_, i) => {
    const id = stableUuid(['wire', `item-${i}`])
    const published = new Date(newest.getTime() - i * 3_600_000).toISOString()
    const para = `Trade resumed at Torkham on day ${i} after talks between officials of both countries; traders reported long queues of trucks, customs delays and new transit rules. `
    return {
      id,
      sourceId: 'wire',
      guid: `https://news.example.org/wire/${i}`,
      url: `https://news.example.org/wire/${i}`,
      canonicalUrl: `https://news.example.org/wire/${i}`,
      title: `Torkham crossing report number ${i}: trucks move again`,
      summary: para,
      contentHtml: `<p>${para.repeat(6)}</p><p><a href="https://news.example.org/wire/${i}">Read more</a></p>`,
      author: 'Staff Reporter',
      language: 'en',
      categories: ['Pakistan', 'Afghanistan'],
      enclosures: [],
      publishedAt: published,
      fetchedAt: published,
      contentHash: `hash-${i}`,
      topics: [BENCH_TOPIC],
      clusterId: id,
    }
  })

/**
 * The server `topicwire serve` runs (cached feeds at the Node level, the rest through Hono) on a
 * loopback port, over a memory store holding {@link benchItems}: test deps (fixed clock, silent
 * logger, no polling), so only serving is measured.
 */
export const serveBenchWorld = async (
  count: number,
  newest: Date,
): Promise<{ server: Server; base: string }> => {
  const store = createMemoryStore()
  await store.saveIngest({
    sourceId: 'wire',
    items: benchItems(count, newest),
    state: { sourceId: 'wire', failures: 0, nextPollAt: new Date().toISOString() },
  })
  const deps = {
    ...createTestDeps(benchConfig()),
    store,
    metrics: createMetrics({ defaultMetrics: true }),
  }
  const server = createNodeServer(deps)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}
