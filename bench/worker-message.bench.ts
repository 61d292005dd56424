/**
 * The analysis worker's reply for one feed (workers/wire.ts) against the reply as it was (the
 * AnalysedFeed's objects, story features packed): bytes of the structured clone, and its cost on
 * each thread, the worker's (encode + serialise) and the main thread's (deserialise + decode),
 * with node:v8's serializer, the one postMessage uses (the features' buffer is copied here, not
 * transferred, in both). Both shapes in each round, alternating which goes first.
 */
import { deserialize, serialize } from 'node:v8'
import { type AnalysedFeed, analyseFeed } from '../src/ingest/analyse.js'
import { packFeatures, unpackFeatures } from '../src/ingest/workers/packed-features.js'
import { decodeFeed, encodeFeed, type WireFeed } from '../src/ingest/workers/wire.js'
import { topicTagger } from '../src/topics/tag.js'
import { benchConfig } from './analyse.bench.js'
import { feedXml } from './peers.bench.js'

/** BENCH_FEEDS (50) feeds of the peers benchmark, BENCH_ROUNDS (40) rounds after a warm-up. */
const FEEDS = Number(process.env.BENCH_FEEDS ?? 50)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40)

/** The reply as the worker sent it before wire.ts. */
const asObjects = (feed: AnalysedFeed) => {
  const { features, ...rest } = feed
  return features ? { ...rest, packed: packFeatures(features) } : rest
}

const fromObjects = (msg: ReturnType<typeof asObjects>): AnalysedFeed => {
  if (!('packed' in msg)) return msg
  const { packed, ...rest } = msg
  return { ...rest, features: unpackFeatures(packed) }
}

interface Shape {
  name: string
  send: (feed: AnalysedFeed) => Buffer
  receive: (bytes: Buffer) => AnalysedFeed
}

const SHAPES: Shape[] = [
  {
    name: 'objects',
    send: (feed) => serialize({ id: 1, ok: true, version: 0, result: asObjects(feed) }),
    receive: (bytes) => fromObjects(deserialize(bytes).result),
  },
  {
    name: 'wire',
    send: (feed) => serialize({ id: 1, ok: true, version: 0, result: encodeFeed(feed).wire }),
    receive: (bytes) => decodeFeed(deserialize(bytes).result as WireFeed),
  },
]

export const run = async (): Promise<void> => {
  const config = benchConfig(FEEDS)
  const tagger = topicTagger(config.topics)
  const feeds: AnalysedFeed[] = []
  for (let f = 0; f < FEEDS; f++) {
    const source = config.sources[f]!
    feeds.push(
      await analyseFeed(
        {
          body: new TextEncoder().encode(feedXml(f)),
          contentType: 'application/rss+xml',
          source,
          feedUrl: source.url,
          fetchedAt: new Date().toISOString(),
          storyFeatures: true,
          keepCutSummaries: true,
        },
        tagger,
      ),
    )
  }
  // Timed in batches of BATCH feeds, the shapes alternating: on a busy machine the quantiles of
  // many short batches tell more than one long total (the minimum is the machine at its quietest).
  const BATCH = 10
  const times = SHAPES.map(() => ({ send: [] as number[], receive: [] as number[], bytes: 0 }))
  let sink = 0
  for (let r = 0; r <= ROUNDS; r++)
    for (let at = 0; at < FEEDS; at += BATCH) {
      const batch = feeds.slice(at, at + BATCH)
      for (let s = 0; s < SHAPES.length; s++) {
        const k = (r + at / BATCH) % 2 ? SHAPES.length - 1 - s : s
        const shape = SHAPES[k]!
        const bytes: Buffer[] = []
        let t = process.hrtime.bigint()
        for (const feed of batch) bytes.push(shape.send(feed))
        const sent = Number(process.hrtime.bigint() - t) / batch.length
        t = process.hrtime.bigint()
        for (const b of bytes) sink += shape.receive(b).items.length
        const received = Number(process.hrtime.bigint() - t) / batch.length
        if (r === 0) continue
        const time = times[k]!
        time.send.push(sent)
        time.receive.push(received)
        for (const b of bytes) time.bytes += b.length
      }
    }
  if (sink === 0) throw new Error('no items')
  const at = (xs: number[], q: number): number => {
    const sorted = [...xs].sort((a, b) => a - b)
    return sorted[Math.floor(q * (sorted.length - 1))] as number
  }
  const us = (ns: number) => `${(ns / 1000).toFixed(0)} µs`
  console.log(
    `${FEEDS} feeds × 50 items, ${ROUNDS} rounds; per feed, minimum / median of batches of ${BATCH}:`,
  )
  for (let k = 0; k < SHAPES.length; k++) {
    const t = times[k]!
    console.log(
      `  ${SHAPES[k]!.name.padEnd(8)} ${(t.bytes / FEEDS / ROUNDS / 1024).toFixed(1)} KB; worker (encode + serialise) ${us(at(t.send, 0))} / ${us(at(t.send, 0.5))}; main (deserialise + decode) ${us(at(t.receive, 0))} / ${us(at(t.receive, 0.5))}`,
    )
  }
  const [a, b] = times as [(typeof times)[0], (typeof times)[0]]
  const ratio = (f: (x: (typeof times)[0], q: number) => number) =>
    `${(f(b, 0) / f(a, 0)).toFixed(2)}× / ${(f(b, 0.5) / f(a, 0.5)).toFixed(2)}×`
  console.log(
    `  wire / objects: bytes ${(b.bytes / a.bytes).toFixed(2)}×; worker ${ratio((x, q) => at(x.send, q))}; main ${ratio((x, q) => at(x.receive, q))}; both ${ratio((x, q) => at(x.send, q) + at(x.receive, q))}`,
  )
}
