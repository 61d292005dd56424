/**
 * The first run of `npm run bench peers` as a poll analyses it, for the benches that time one
 * stage of it alone (bench/cluster-replay.ts, bench/store-import.ts): each generated feed analysed
 * with story features, a feed at a time. BENCH_REPLAY_CACHE=FILE keeps the result between runs
 * (the analysis is not what they measure).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { deserialize, serialize } from 'node:v8'
import { analyseFeed } from '../src/ingest/analyse.js'
import type { Item } from '../src/model/types.js'
import type { StoryFeatures } from '../src/stories/features.js'
import { makeSource } from '../tests/helpers/runtime.js'
import { feedXml } from './peers.bench.js'

/** One feed's analysis: its items and their story features (and word filters, when asked for). */
export interface AnalysedBatch {
  items: Item[]
  features: StoryFeatures[]
  words?: string[]
}

/** When the analysed feeds were fetched. */
export const FETCHED_AT = '2026-12-05T12:00:00.000Z'

/**
 * The first `feeds` generated feeds, analysed (read from BENCH_REPLAY_CACHE when it has them);
 * `words`: with each item's word filter, as a poll into the lowdb store has them made (kept in a
 * cache file of their own).
 */
export const analysedPeersFeeds = async (
  feeds: number,
  { words = false }: { words?: boolean } = {},
): Promise<AnalysedBatch[]> => {
  const cache = process.env.BENCH_REPLAY_CACHE
  const key = `${cache}.${feeds}${words ? '.words' : ''}`
  if (cache && existsSync(key)) return deserialize(readFileSync(key)) as AnalysedBatch[]
  const batches: AnalysedBatch[] = []
  for (let f = 0; f < feeds; f++) {
    const source = makeSource({ id: `outlet-${f}`, url: `http://127.0.0.2/${f}.xml` })
    const analysed = await analyseFeed(
      {
        body: Buffer.from(feedXml(f)),
        source,
        feedUrl: source.url,
        fetchedAt: FETCHED_AT,
        storyFeatures: true,
        ...(words && { wordFilters: true }),
      },
      () => [],
    )
    batches.push({
      items: analysed.items,
      features: analysed.features ?? [],
      ...(words && { words: analysed.words ?? [] }),
    })
  }
  if (cache) writeFileSync(key, serialize(batches))
  return batches
}
