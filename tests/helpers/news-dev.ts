/** The news-dev story set (shared corpus, read in place) run through analyseFeed → clusterer as polls see it. */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { analyseFeed } from '../../src/ingest/analyse.js'
import type { Item, Source } from '../../src/model/types.js'
import { createClusterer } from '../../src/stories/clusterer.js'
import { type PairScores, pairwiseScores } from '../../src/stories/evaluate.js'
import type { StoryIndexOptions } from '../../src/stories/story-index.js'
import { CORPUS_DIR } from './corpus.js'

export const NEWS_DEV_DIR = join(CORPUS_DIR, 'news-dev')

/** Whether news-dev is there (tests that need it skip, saying so, when it is not). */
export const newsDevPresent = (): boolean =>
  existsSync(join(NEWS_DEV_DIR, 'items.tsv')) && existsSync(join(NEWS_DEV_DIR, 'stories.tsv'))

/** One labelled report of set B. */
export interface NewsDevItem {
  id: string
  outlet: string
  link: string
  published: string
  title: string
  summary: string
  story: string
}

/** The windows of news-dev's README (by publication date, UTC). */
export const WINDOWS: readonly (readonly [string, string, string])[] = [
  ['W1', '2022-12-11', '2022-12-21'],
  ['W2', '2023-01-29', '2023-02-03'],
  ['W3', '2023-02-17', '2023-02-28'],
  ['W4', '2023-05-03', '2023-05-13'],
  ['W5', '2023-09-04', '2023-09-16'],
]

export const windowOf = (published: string): string =>
  WINDOWS.find(([, from, to]) => published >= from && published < to)?.[0] ?? 'other'

const tsv = (file: string): string[][] =>
  readFileSync(join(NEWS_DEV_DIR, file), 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'))

/** Set B: the items of stories.tsv with their text, in publication order. */
export const loadNewsDev = (): NewsDevItem[] => {
  const story = new Map(tsv('stories.tsv').map(([id, s]) => [id!, s!]))
  return tsv('items.tsv')
    .filter(([id]) => story.has(id!))
    .map(([id, outlet, link, published, title, summary]) => ({
      id: id!,
      outlet: outlet!,
      link: link!,
      published: published!,
      title: title!,
      summary: summary ?? '',
      story: story.get(id!)!,
    }))
    .sort((a, b) => a.published.localeCompare(b.published) || a.id.localeCompare(b.id))
}

const xml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** An outlet's RSS 2.0 document holding its newest `items` (newest first, as feeds list them). */
export const outletFeed = (outlet: string, items: readonly NewsDevItem[]): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${xml(outlet)}</title><link>https://example.org/</link><description>${xml(outlet)}</description>\n${[
    ...items,
  ]
    .reverse()
    .map(
      (i) =>
        `<item><title>${xml(i.title)}</title><link>${xml(i.link)}</link><guid>${xml(i.link)}</guid><pubDate>${new Date(i.published).toUTCString()}</pubDate><description>${xml(i.summary)}</description></item>`,
    )
    .join('\n')}\n</channel></rss>`

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-')

/** Which report of news-dev became which stored item, and the stories they got. */
export interface NewsDevRun {
  items: NewsDevItem[]
  /** news-dev id → clusterId. */
  predicted: Map<string, string>
  /** news-dev id → stored item (its clusterReason says why it joined). */
  stored: Map<string, Item>
}

/** How often each outlet's feed is polled in the replay (the default `fetch.every`). */
export const POLL_MS = 15 * 60_000
/** Entries an outlet's feed document lists (its newest). */
const FEED_LENGTH = 30

/**
 * Replays news-dev as polls would see it: every 15 minutes, each outlet whose feed changed since
 * its last poll serves its newest entries as one RSS document; analyseFeed (the production
 * analysis: parse, entry memo, normalise, dedupe, story features) reads it with the outlet's
 * memo of the previous poll, and the runtime's clusterer (one StoryIndex over a store) assigns
 * the new items their stories, in the order the polls bring them.
 */
export const replayNewsDev = async (
  opts: StoryIndexOptions = {},
  items: NewsDevItem[] = loadNewsDev(),
): Promise<NewsDevRun> => {
  const store = new Map<string, Item>()
  const cluster = createClusterer(
    {
      recentItems: async (since) => [...store.values()].filter((i) => i.fetchedAt >= since),
      getItem: async (id) => store.get(id),
    },
    opts,
  )
  const byOutlet = new Map<string, NewsDevItem[]>()
  for (const i of items) byOutlet.set(i.outlet, [...(byOutlet.get(i.outlet) ?? []), i])
  const memo = new Map<string, Map<string, string>>()
  const served = new Map<string, number>()
  const byLink = new Map(items.map((i) => [i.link, i]))
  const stored = new Map<string, Item>()
  const times = items.map((i) => Date.parse(i.published))
  // Poll times: the first 15-minute tick at or after each publication.
  const ticks = [...new Set(times.map((t) => Math.ceil(t / POLL_MS) * POLL_MS))].sort(
    (a, b) => a - b,
  )
  for (const tick of ticks) {
    const now = new Date(tick)
    for (const [outlet, list] of byOutlet) {
      let n = served.get(outlet) ?? 0
      while (n < list.length && Date.parse(list[n]!.published) <= tick) n++
      if (n === (served.get(outlet) ?? 0)) continue
      served.set(outlet, n)
      const source: Source = {
        id: slug(outlet),
        title: outlet,
        url: `https://example.org/${slug(outlet)}.rss`,
        tags: [],
        priority: 0,
        enabled: true,
      }
      const doc = outletFeed(outlet, list.slice(Math.max(0, n - FEED_LENGTH), n))
      const previous = memo.get(outlet)
      const analysed = await analyseFeed(
        {
          body: new TextEncoder().encode(doc),
          contentType: 'application/rss+xml; charset=utf-8',
          source,
          feedUrl: source.url,
          fetchedAt: now.toISOString(),
          ...(previous ? { previous } : {}),
          storyFeatures: true,
        },
        () => [],
      )
      memo.set(outlet, analysed.entries)
      const out = await cluster(analysed.items, now, analysed.features)
      for (const item of out) {
        store.set(item.id, item)
        const report = item.url ? byLink.get(item.url) : undefined
        if (report) stored.set(report.id, item)
      }
    }
  }
  const predicted = new Map<string, string>()
  for (const i of items) predicted.set(i.id, stored.get(i.id)?.clusterId ?? `missing:${i.id}`)
  return { items, predicted, stored }
}

/** Pairwise scores of a replay, over all its items or those of some windows. */
export const scoreNewsDev = (run: NewsDevRun, windows?: readonly string[]): PairScores => {
  const chosen = run.items.filter((i) => !windows || windows.includes(windowOf(i.published)))
  const gold = new Map(chosen.map((i) => [i.id, i.story]))
  const predicted = new Map(chosen.map((i) => [i.id, run.predicted.get(i.id)!]))
  return pairwiseScores(gold, predicted)
}
