/**
 * `tsx bench/analyse-identical.ts > out.tsv`: a digest of analyseFeed's whole output (story features
 * and word filters included) for every corpus feed file and every peers benchmark feed, one
 * line each, to diff the output of two versions of the worker's code byte for byte.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { loadConfig } from '../src/config/load.js'
import { analyseFeed } from '../src/ingest/analyse.js'
import type { Source } from '../src/model/types.js'
import { topicTagger } from '../src/topics/tag.js'
import { digest } from '../src/util/hash.js'
import { feedXml } from './peers.bench.js'

const CORPUS = process.env.CORPUS ?? '/work/shared/corpus/feeds'
const FEEDS = Number(process.env.BENCH_FEEDS ?? 200)

/** Every file under `dir`, sorted (the corpus is a few hundred files: a stack, no recursion). */
const filesUnder = (dir: string): string[] => {
  const out: string[] = []
  const stack = [dir]
  while (stack.length > 0) {
    const d = stack.pop() as string
    for (const name of readdirSync(d)) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) stack.push(p)
      else out.push(p)
    }
  }
  return out.sort()
}

/** JSON with Maps as entry lists and typed arrays as plain arrays: every byte of the output counts. */
const replacer = (_: string, v: unknown): unknown =>
  v instanceof Map
    ? { map: [...v] }
    : v instanceof Set
      ? { set: [...v] }
      : ArrayBuffer.isView(v)
        ? { [v.constructor.name]: Array.from(v as unknown as ArrayLike<number>) }
        : v

const config = await loadConfig(new URL('../config/topicwire.yaml', import.meta.url).pathname, {})
const tagger = topicTagger(config.topics)
const base = config.sources[0] as Source
const source: Source = { ...base, id: 'identical', tags: base.tags }

const line = async (name: string, body: Uint8Array, contentType: string, url: string) => {
  let out: string
  try {
    const result = await analyseFeed(
      {
        body,
        contentType,
        source,
        feedUrl: url,
        fetchedAt: '2026-11-20T12:00:00.000Z',
        storyFeatures: true,
        wordFilters: true,
      },
      tagger,
    )
    out = JSON.stringify(result, replacer)
  } catch (err) {
    out = `error ${(err as Error).message}`
  }
  console.log(`${name}\t${digest('sha1', out, 'hex')}`)
}

for (const file of filesUnder(CORPUS)) {
  const ct = file.endsWith('.json') ? 'application/feed+json' : 'application/xml'
  await line(relative(CORPUS, file), readFileSync(file), ct, 'https://corpus.example/feed')
}
for (let f = 0; f < FEEDS; f++)
  await line(
    `peers/${f}`,
    new TextEncoder().encode(feedXml(f)),
    'application/rss+xml',
    `http://127.0.0.2/${f}.xml`,
  )
