/** The analysis makes each new item's word filter (in the worker), and a poll hands it to a store that keeps them: the filter of the item the store receives. */
import { afterEach, describe, expect, it } from 'vitest'
import { type AnalyseInput, analyseFeed } from '../../src/ingest/analyse.js'
import { refreshSource } from '../../src/ingest/refresh.js'
import { type AnalysePool, createAnalysePool } from '../../src/ingest/workers/pool.js'
import type { IngestResult, Item } from '../../src/model/types.js'
import { createTagger } from '../../src/runtime.js'
import { searchTextOf } from '../../src/store/query.js'
import { sameSearchFields, wordFilterOfText, wordsOf } from '../../src/topics/word-filter.js'
import { fakeFetch } from '../helpers/fake-fetch.js'
import { belowOf } from '../helpers/random.js'
import { createTestDeps, makeSource, testConfig } from '../helpers/runtime.js'

const xmlText = (s: string): string =>
  s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')

// ASCII words, accented Latin, Arabic and Urdu script (with a ZWNJ between Arabic letters), a
// ligature, a no-break space, punctuation and numbers.
const WORDS = [
  'Torkham',
  'KABUL',
  'talks',
  'trade',
  '3,000',
  'cross-border',
  'Türkiye',
  'İstanbul',
  'café',
  'طورخم',
  'پاکستان',
  'اسلام‌آباد',
  'مذاکرات',
  'ﬁnal',
  'a\u00a0b',
  '—',
  '"quoted"',
]

/** An RSS feed of `n` random entries: some with a summary cut from their content ("…"), some with no content, categories. */
const randomFeed = (seed: number, n: number): string => {
  const next = belowOf(seed)
  const text = (count: number) =>
    Array.from({ length: count }, () => WORDS[next(WORDS.length)]).join(' ')
  const entries = Array.from({ length: n }, (_, k) => {
    const paragraphs = Array.from({ length: next(4) }, () => text(1 + next(25)))
    const content = paragraphs.map((p) => `<p>${p}</p>`).join('\n')
    const plain = paragraphs.join(' ')
    const kind = next(4)
    const description =
      kind === 0
        ? `${plain.slice(0, next(plain.length + 1))}…`
        : kind === 1
          ? text(next(12))
          : kind === 2
            ? ''
            : content
    const categories = Array.from({ length: next(3) }, () => `<category>${text(1)}</category>`)
    return `<item><guid isPermaLink="false">e${seed}-${k}</guid><title>${xmlText(text(1 + next(8)))}</title>
<link>http://feeds.test/${seed}/${k}</link>${categories.join('')}
<description>${xmlText(description)}</description>${
      next(3) === 0 ? '' : `<content:encoded><![CDATA[${content}]]></content:encoded>`
    }
<pubDate>Thu, 19 Nov 2026 0${k % 10}:00:00 GMT</pubDate></item>`
  })
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>
<link>http://feeds.test/</link><description>d</description>
${entries.join('\n')}
</channel></rss>`
}

const config = testConfig()
const tagger = createTagger(config)
const source = makeSource({ id: 'dawn', url: 'http://feeds.test/dawn.xml' })
const input = (seed: number, over: Partial<AnalyseInput> = {}): AnalyseInput => ({
  body: Buffer.from(randomFeed(seed, 30)),
  source,
  feedUrl: source.url,
  fetchedAt: '2026-11-20T12:00:00.000Z',
  ...over,
})

let pool: AnalysePool | undefined
afterEach(async () => {
  await pool?.close()
  pool = undefined
})

describe('word filters made by the analysis', { timeout: 30_000 }, () => {
  it("gives each item's wordsOf, in the order of the items, only when asked", async () => {
    let summaries = 0
    for (let seed = 1; seed <= 12; seed++) {
      const { items, words } = await analyseFeed(input(seed, { wordFilters: true }), tagger)
      expect(words).toHaveLength(items.length)
      items.forEach((item, k) => {
        expect(words?.[k]).toBe(wordsOf(item))
        expect(words?.[k]).toBe(wordFilterOfText(searchTextOf(item)))
        if (item.summary?.endsWith('…')) summaries++
      })
      expect((await analyseFeed(input(seed), tagger)).words).toBeUndefined()
    }
    expect(summaries).toBeGreaterThan(20)
  })

  it('sends from the worker the filter of the item this thread receives', async () => {
    pool = createAnalysePool({ topics: config.topics, tagger, workers: 1 })
    for (let seed = 20; seed < 26; seed++) {
      const { items, words } = await pool.analyse(input(seed, { wordFilters: true }))
      expect(items.length).toBeGreaterThan(0)
      expect(words).toEqual(items.map(wordsOf))
    }
  })
})

describe('a poll', { timeout: 30_000 }, () => {
  /** Test deps whose store says it keeps word filters (or not), and records what it is given. */
  const depsWith = (keeps: boolean) => {
    const fake = fakeFetch()
    const deps = createTestDeps(testConfig({ sources: [source] }), fake)
    const saves: IngestResult[] = []
    const inner = deps.store
    deps.store = {
      ...inner,
      ...(keeps && { keepsWordFilters: true }),
      saveIngest: (r) => {
        saves.push(r)
        return inner.saveIngest(r)
      },
    }
    return { fake, deps, saves }
  }

  it('gives a store that keeps them the filter of every item it saves, with the item it was made of', async () => {
    const { fake, deps, saves } = depsWith(true)
    fake.set(source.url, { body: randomFeed(40, 40) })
    expect((await refreshSource(source, deps)).outcome).toBe('ok')
    const [save] = saves
    expect(save?.items.length).toBeGreaterThan(20)
    for (const item of save?.items ?? []) {
      const given = save?.wordFilters?.get(item.id)
      expect(given).toBeDefined()
      expect(sameSearchFields(given?.of as Item, item)).toBe(true)
      expect(given?.filter).toBe(wordsOf(item))
    }
  })

  it('asks for none for a store that does not keep them', async () => {
    const { fake, deps, saves } = depsWith(false)
    fake.set(source.url, { body: randomFeed(41, 10) })
    await refreshSource(source, deps)
    expect(saves).toHaveLength(1)
    expect(saves[0]?.wordFilters).toBeUndefined()
  })
})
