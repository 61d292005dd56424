import { describe, expect, it } from 'vitest'
import { addSourcesToText } from '../../src/config/edit.js'
import { parseConfigText } from '../../src/config/load.js'
import { ConfigError } from '../../src/model/errors.js'

/** Comments, aligned values, anchors and a flow map: everything a re-render would change. */
const BEFORE = `# My configuration
server:
  port: 8080                          # aligned comment
  base_url: http://localhost:8080
storage: { driver: lowdb, path: data/db.json }

sources:
  # Pakistan
  - id: ledger
    title: The Daily Ledger
    url: https://ledger.example/feed
    tags: &pk [pakistan]              # reused below
  - url: https://frontier.example/rss.xml
    tags: *pk
`
const AFTER = `
# ---- topics
topics:
  talks:
    title: Talks
    match: &talks { any: [Istanbul, "peace talks"] }
  more-talks:
    match: *talks
`
const TEXT = BEFORE + AFTER

describe('addSourcesToText', () => {
  it('adds new sources after the last one and leaves every other byte as written', () => {
    const r = addSourcesToText(TEXT, 'c.yaml', [
      { url: 'https://kabul.example/rss', title: 'Kabul Wire', tags: ['afghanistan', 'news'] },
      { url: 'https://awaz.example/feed', tags: [] },
    ])
    expect(r.added.map((s) => s.id)).toEqual(['kabul-wire', 'awaz-example'])
    expect(r.text.startsWith(BEFORE)).toBe(true)
    expect(r.text.endsWith(AFTER)).toBe(true)
    expect(r.text.slice(BEFORE.length, r.text.length - AFTER.length)).toBe(
      `  - id: kabul-wire
    title: Kabul Wire
    url: https://kabul.example/rss
    tags: [afghanistan, news]
  - id: awaz-example
    title: awaz.example
    url: https://awaz.example/feed
`,
    )
    const config = parseConfigText(r.text, 'c.yaml')
    expect(config.sources.map((s) => s.id)).toEqual([
      'ledger',
      'frontier-example',
      'kabul-wire',
      'awaz-example',
    ])
    expect(config.topics.map((t) => t.id)).toEqual(['talks', 'more-talks'])
  })

  it.each([
    ['the same URL', 'https://ledger.example/feed', 'ledger'],
    [
      'http, www, a trailing slash and tracking',
      'http://www.ledger.example/feed/?utm_source=x',
      'ledger',
    ],
    ['a source written without an id', 'https://frontier.example/rss.xml', 'frontier-example'],
  ])('skips a source already configured: %s', (_, url, existingId) => {
    const r = addSourcesToText(TEXT, 'c.yaml', [{ url, title: 'Again', tags: [] }])
    expect(r.added).toEqual([])
    expect(r.text).toBe(TEXT)
    expect(r.skipped).toEqual([
      { candidate: { url, title: 'Again', tags: [] }, reason: 'already-present', existingId },
    ])
  })

  it('skips a URL listed twice in the import and one that is not http(s)', () => {
    const r = addSourcesToText(TEXT, 'c.yaml', [
      { url: 'https://a.example/feed', title: 'A', tags: [] },
      { url: 'https://A.example/feed#x', title: 'A again', tags: [] },
      { url: 'feed.xml', title: 'Relative', tags: [] },
    ])
    expect(r.added.map((s) => s.id)).toEqual(['a'])
    expect(r.skipped.map((s) => [s.candidate.title, s.reason])).toEqual([
      ['A again', 'duplicate-in-import'],
      ['Relative', 'invalid-url'],
    ])
  })

  it('makes ids unique against every configured id', () => {
    const r = addSourcesToText(TEXT, 'c.yaml', [
      { url: 'https://b.example/1', title: 'Ledger', tags: [] },
      { url: 'https://b.example/2', title: 'Ledger', tags: [] },
      { url: 'https://b.example/3', title: 'frontier.example', tags: [] },
    ])
    expect(r.added.map((s) => s.id)).toEqual(['ledger-2', 'ledger-3', 'frontier-example-2'])
    const ids = parseConfigText(r.text, 'c.yaml').sources.map((s) => s.id)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('writes ${ and YAML-special characters so they read back as given', () => {
    const title = `Cost: \${PRICE} # not a comment, "quoted" & [bracketed]`
    const url = 'https://c.example/feed?q=a:b&x=#frag'
    const r = addSourcesToText(TEXT, 'c.yaml', [{ url, title, tags: ['a-b'] }])
    const added = parseConfigText(r.text, 'c.yaml').sources.at(-1)
    expect(added).toMatchObject({ title, url, tags: ['a-b'] })
  })

  it('turns an empty flow list into a block list, keeping the comment on its line', () => {
    const text = 'server: { port: 9000 }\nsources: []   # none yet\ntopics: {}\n'
    const r = addSourcesToText(text, 'c.yaml', [{ url: 'https://d.example/f', tags: [] }])
    expect(r.text).toBe(
      'server: { port: 9000 }\nsources: # none yet\n  - id: d-example\n    title: d.example\n    url: https://d.example/f\ntopics: {}\n',
    )
  })

  it('adds to a flow list with items through the Document API', () => {
    const text = 'sources: [{ url: "https://e.example/f" }]\n'
    const r = addSourcesToText(text, 'c.yaml', [{ url: 'https://f.example/f', tags: [] }])
    expect(parseConfigText(r.text, 'c.yaml').sources.map((s) => s.url)).toEqual([
      'https://e.example/f',
      'https://f.example/f',
    ])
  })

  it('keeps a file without a final newline valid', () => {
    const text = 'sources:\n  - url: https://g.example/f'
    const r = addSourcesToText(text, 'c.yaml', [{ url: 'https://h.example/f', tags: [] }])
    expect(r.text).toBe(
      `${text}\n  - id: h-example\n    title: h.example\n    url: https://h.example/f\n`,
    )
  })

  it('refuses an invalid configuration with its ConfigError', () => {
    expect(() =>
      addSourcesToText('sources:\n  - url: nope\n', 'bad.yaml', [
        { url: 'https://i.example', tags: [] },
      ]),
    ).toThrow(ConfigError)
  })
})
