/** The worker's half of a first poll (analyseFeed on feeds it never saw, word filters included as the worker makes them) on the peers benchmark's feeds: CPU per item, and the XML parse against rss-parser's. */
import Parser from 'rss-parser'
import { parseConfigText } from '../src/config/load.js'
import { analyseFeed } from '../src/ingest/analyse.js'
import { readDocument } from '../src/ingest/parse/parse-feed.js'
import { FEED_FIELDS, ITEM_FIELDS, parseXmlFeed } from '../src/ingest/parse/xml.js'
import { xml2jsOptions } from '../src/ingest/parse/xml-shape.js'
import { topicTagger } from '../src/topics/tag.js'
import { feedXml } from './peers.bench.js'

/** BENCH_FEEDS (200) feeds of 50 items, each analysed BENCH_ROUNDS (3) times after a warm-up. */
const FEEDS = Number(process.env.BENCH_FEEDS ?? 200)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const ITEMS = 50

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since)
  return (d.user + d.system) / 1000
}

/** How xml.ts read XML before xml-tree.ts: rss-parser's parseString, configured alike. */
const viaRssParser = async (xml: string): Promise<unknown> => {
  const keep = (name: string): [string, string, { keepArray: boolean }] => [
    name,
    `tw:${name}`,
    { keepArray: true },
  ]
  return new Parser({
    defaultRSS: 2,
    xml2js: xml2jsOptions(xml, 'rss', false),
    customFields: {
      feed: FEED_FIELDS.map(keep) as unknown as string[],
      item: ITEM_FIELDS.map(keep),
    },
  }).parseString(xml)
}

/** The configuration of the analysis benches: `feeds` sources of the peers feeds, two topics. */
export const benchConfig = (feeds: number) =>
  parseConfigText(
    `storage: { path: data/db.json }
sources:
${Array.from({ length: feeds }, (_, f) => `  - { id: outlet-${f}, url: "http://127.0.0.2/${f}.xml" }`).join('\n')}
topics:
  border: { title: Border crossings, match: Torkham OR Chaman }
  talks: { title: Talks, match: Doha OR Islamabad }
`,
    'bench.yaml',
  )

export const run = async (): Promise<void> => {
  const config = benchConfig(FEEDS)
  const tagger = topicTagger(config.topics)
  const texts = Array.from({ length: FEEDS }, (_, f) => feedXml(f))
  const bodies = texts.map((t) => new TextEncoder().encode(t))
  const prepared = texts.map((t) => {
    const doc = readDocument(t)
    if (doc.kind !== 'xml') throw new Error('the peers feeds are RSS')
    return doc.xml
  })
  let analyse = 0
  let tree = 0
  let reference = 0
  // Round 0 warms up; the parse and its reference alternate which goes first.
  for (let r = 0; r <= ROUNDS; r++)
    for (let f = 0; f < FEEDS; f++) {
      const source = config.sources[f]!
      let t = process.cpuUsage()
      await analyseFeed(
        {
          body: bodies[f]!,
          contentType: 'application/rss+xml',
          source,
          feedUrl: source.url,
          fetchedAt: '2026-11-20T12:00:00.000Z',
          storyFeatures: true,
          wordFilters: true,
        },
        tagger,
      )
      if (r > 0) analyse += cpuMs(t)
      const xml = prepared[f]!
      for (const which of (r + f) % 2 ? ['tree', 'reference'] : ['reference', 'tree']) {
        t = process.cpuUsage()
        if (which === 'tree') await parseXmlFeed(xml, 'rss', source.url, [])
        else await viaRssParser(xml)
        if (r > 0) {
          if (which === 'tree') tree += cpuMs(t)
          else reference += cpuMs(t)
        }
      }
    }
  const items = FEEDS * ITEMS * ROUNDS
  const us = (ms: number) => `${((ms * 1000) / items).toFixed(0)} µs`
  console.log(
    `${FEEDS} feeds × ${ITEMS} items, ${ROUNDS} rounds, CPU per item (this process, GC threads included):`,
  )
  console.log(
    `  analyseFeed, every entry new (parse, normalise, tag, story features, word filters): ${us(analyse)}`,
  )
  console.log(
    `  parseXmlFeed (tree and entries): ${us(tree)}; rss-parser's parseString alone, as xml.ts ran it before: ${us(reference)}`,
  )
  console.log(
    `  parse / rss-parser: ${(tree / reference).toFixed(2)}×; parse share of analyseFeed: ${((100 * tree) / analyse).toFixed(0)}%`,
  )
}
