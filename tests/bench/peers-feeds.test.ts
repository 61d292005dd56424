import { describe, expect, it } from 'vitest'
import { feedStories, feedXml } from '../../bench/peers.bench.js'

const items = (xml: string): string[] => xml.match(/<item>.*?<\/item>/gs) ?? []
const titleOf = (item: string): string => /<title>(.*?)<\/title>/.exec(item)?.[1] ?? ''

describe('the peers benchmark feeds', () => {
  it('are the same bytes on every call, ~80 KB of 50 items with ~1 KB of HTML with links each', () => {
    const xml = feedXml(7)
    expect(feedXml(7)).toBe(xml)
    expect(feedXml(8)).not.toBe(xml)
    expect(Buffer.byteLength(xml)).toBeGreaterThan(70_000)
    expect(Buffer.byteLength(xml)).toBeLessThan(90_000)
    const list = items(xml)
    expect(list).toHaveLength(50)
    for (const item of list) {
      const description = /<description><!\[CDATA\[(.*?)\]\]>/s.exec(item)?.[1] ?? ''
      expect(description.length).toBeGreaterThan(800)
      expect(description.length).toBeLessThan(1_600)
      expect(description.match(/<a href=/g)).toHaveLength(2)
    }
  })

  it('report stories that several outlets cover in the same hour, each headline at its place', () => {
    const feeds = Array.from({ length: 100 }, (_, f) => ({
      stories: feedStories(f),
      titles: items(feedXml(f)).map(titleOf),
    }))
    const reports = new Map<string, { feed: number; title: string }[]>()
    feeds.forEach(({ stories, titles }, feed) => {
      expect(stories).toHaveLength(titles.length)
      stories.forEach((story, i) => {
        reports.set(story, [...(reports.get(story) ?? []), { feed, title: titles[i]! }])
      })
    })
    const shared = [...reports.values()].filter((r) => r.length > 1)
    const inShared = shared.reduce((n, r) => n + r.length, 0)
    // news-dev: 62% of its story set's items are in stories of several items; 100 outlets get
    // part of the way there (1,000 get 62%).
    expect(inShared / 5_000).toBeGreaterThan(0.3)
    expect(inShared / 5_000).toBeLessThan(0.8)
    // Each report of a story is another outlet's, and the story's place starts every headline.
    for (const r of shared) {
      expect(new Set(r.map((x) => x.feed)).size).toBe(r.length)
      const place = r[0]!.title.split(' ')[0]
      for (const x of r) expect(x.title.split(' ')[0]).toBe(place)
    }
    // Some headlines are at the real places the benchmark's topics match.
    const titles = feeds.flatMap((f) => f.titles)
    expect(titles.filter((t) => /\b(?:Torkham|Chaman)\b/.test(t)).length).toBeGreaterThan(50)
  })

  it('draw from a vocabulary that keeps growing, not a few thousand words that all become common', () => {
    const words = new Set<string>()
    let tokens = 0
    for (let f = 0; f < 40; f++)
      for (const w of feedXml(f)
        .replace(/<[^>]*>/g, ' ')
        .toLowerCase()
        .match(/[a-z]+/g) ?? []) {
        words.add(w)
        tokens++
      }
    // The first generator had 4,000 words in all; real news has ~8,000 distinct content words
    // in its first 40,000.
    expect(tokens).toBeGreaterThan(200_000)
    expect(words.size).toBeGreaterThan(20_000)
  })
})
