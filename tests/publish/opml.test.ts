import { describe, expect, it } from 'vitest'
import type { FeedDef } from '../../src/model/types.js'
import { type OpmlInput, renderOpml } from '../../src/publish/opml.js'
import { makeSource, PAK_AFGHAN_TOPIC } from '../helpers/runtime.js'
import { type ParsedOpml, parseOpmlWithPython } from './python-opml.js'

const feed = (over: Partial<FeedDef> & Pick<FeedDef, 'id' | 'title'>): FeedDef => ({
  excludeTopics: [],
  limit: 50,
  ...over,
})

const HOSTILE = 'Trade & "talks" <b>now</b> \u0007'

const input = (over: Partial<OpmlInput> = {}): OpmlInput => ({
  title: 'topicwire feeds',
  baseUrl: 'http://news.example:8080/',
  feeds: [
    feed({ id: 'pak-afghan', title: 'Pak–Afghan', description: 'All sources' }),
    feed({ id: 'hostile', title: HOSTILE }),
  ],
  topics: [PAK_AFGHAN_TOPIC, { ...PAK_AFGHAN_TOPIC, id: 'border-trade', title: 'Border trade' }],
  ...over,
})

const all = (doc: ParsedOpml) => doc.groups.flatMap((g) => g.outlines)

describe('renderOpml', () => {
  it('lists every named feed and topic feed once, as absolute RSS URLs', async () => {
    const doc = parseOpmlWithPython(await renderOpml(input()))
    expect(doc.version).toBe('2.0')
    expect(doc.title).toBe('topicwire feeds')
    expect(doc.groups.map((g) => g.text)).toEqual(['Feeds', 'Topics'])
    const urls = all(doc).map((o) => o.xmlUrl)
    expect(urls).toEqual([
      'http://news.example:8080/feeds/pak-afghan.rss',
      'http://news.example:8080/feeds/hostile.rss',
      'http://news.example:8080/topics/pakistan-afghanistan.rss',
      'http://news.example:8080/topics/border-trade.rss',
    ])
    expect(new Set(urls).size).toBe(urls.length)
    for (const o of all(doc)) {
      expect(o.type).toBe('rss')
      expect(new URL(o.xmlUrl ?? '').protocol).toBe('http:')
      expect(new URL(o.htmlUrl ?? '').origin).toBe('http://news.example:8080')
    }
  })

  it('names each feed and links it to its card on the index page', async () => {
    const [first] = all(parseOpmlWithPython(await renderOpml(input())))
    expect(first).toEqual({
      text: 'Pak–Afghan',
      title: 'Pak–Afghan',
      type: 'rss',
      xmlUrl: 'http://news.example:8080/feeds/pak-afghan.rss',
      htmlUrl: 'http://news.example:8080/#feed-pak-afghan',
      description: 'All sources',
    })
  })

  it('escapes titles so they read back exactly (control characters dropped)', async () => {
    const xml = await renderOpml(input())
    expect(xml).not.toContain('<b>')
    const hostile = all(parseOpmlWithPython(xml)).find((o) => o.xmlUrl?.includes('hostile'))
    expect(hostile?.text).toBe('Trade & "talks" <b>now</b>')
  })

  it('carries the feed token in every URL, encoded', async () => {
    const doc = parseOpmlWithPython(await renderOpml(input({ token: 'a&b c' })))
    for (const o of all(doc)) {
      expect(new URL(o.xmlUrl ?? '').searchParams.get('token')).toBe('a&b c')
      expect(new URL(o.htmlUrl ?? '').searchParams.get('token')).toBe('a&b c')
    }
  })

  it('adds a Sources group only when asked', async () => {
    const sources = [makeSource({ id: 'dawn', title: 'Dawn' }), makeSource({ id: 'tolo' })]
    const doc = parseOpmlWithPython(await renderOpml(input({ sources })))
    expect(doc.groups.map((g) => g.text)).toEqual(['Feeds', 'Topics', 'Sources'])
    expect(doc.groups[2]?.outlines.map((o) => [o.text, o.xmlUrl])).toEqual([
      ['Dawn', 'http://news.example:8080/sources/dawn.rss'],
      ['tolo', 'http://news.example:8080/sources/tolo.rss'],
    ])
  })

  it('stays a valid OPML document with nothing configured', async () => {
    const xml = await renderOpml(input({ feeds: [], topics: [] }))
    const doc = parseOpmlWithPython(xml)
    expect(doc.groups).toEqual([{ text: 'No feeds are configured', outlines: [] }])
    expect(xml).toContain('isComment="true"')
  })
})
