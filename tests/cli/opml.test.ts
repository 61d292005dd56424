import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { type Opml, parseOpml } from 'feedsmith'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderSourcesOpml } from '../../src/cli/export-opml.js'
import { opmlCandidates } from '../../src/cli/opml.js'
import { loadConfig } from '../../src/config/load.js'
import { ParseError } from '../../src/model/errors.js'
import { runCli } from '../helpers/cli.js'

const FIXTURES = resolve(import.meta.dirname, '../fixtures/opml')
const SHIPPED = resolve(import.meta.dirname, '../../config/topicwire.yaml')

const run = runCli

/** Comments, aligned comments, anchors, aliases and `${VAR}`: a re-render would change them. */
const HEAD = `# Sources for the test
server:
  port: 8080                          # aligned comment
  admin_token: \${ADMIN_TOKEN:-}       # empty: disabled
fetch: { every: 15m }

sources:
  # Pakistan
  - id: ledger
    title: The Daily Ledger
    url: https://ledger.example/feed
    tags: &pk [pakistan]
  - id: frontier
    url: https://frontier.example/rss.xml
    tags: *pk
`
const TAIL = `
# ------------------------------------------------------------------ topics
topics:
  talks:
    match: &talks { any: [Istanbul, "peace talks"] }   # anchored rule
  more-talks:
    match: *talks
`

let dir: string
let n = 0
const configCopy = async (text = HEAD + TAIL) => {
  const file = join(dir, `config-${n++}.yaml`)
  await writeFile(file, text)
  return file
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'topicwire-opml-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('topicwire import-opml', () => {
  it('adds the new feeds, keeps the rest of the file byte for byte, skips duplicates', async () => {
    const file = await configCopy()
    const r = await run(['import-opml', join(FIXTURES, 'subscriptions.opml'), '--config', file])
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(r.out).toContain(
      `${file}: added 4 sources, skipped 3 already present: The Daily Ledger (as "ledger"), Frontier Post (as "frontier"), Frontier Post (copy) (as "frontier"), skipped 1 without an http(s) URL: Not http (ftp://files.example/feed.xml)`,
    )
    const text = await readFile(file, 'utf8')
    expect(text.startsWith(HEAD)).toBe(true)
    expect(text.endsWith(TAIL)).toBe(true)

    const config = await loadConfig(file, {})
    const added = config.sources.slice(2).map((s) => [s.id, s.title, s.url, s.tags])
    expect(added).toEqual([
      ['awaz-urdu', 'Awaz Urdu', 'https://awaz.example/urdu/feed', ['pakistan-news', 'urdu']],
      [
        'kabul-wire',
        'Kabul Wire',
        'https://kabulwire.example/rss?lang=en&section=news',
        ['kabul-region'],
      ],
      ['daily-ledger', 'Daily Ledger', 'https://other-ledger.example/feed', ['kabul-region']],
      [
        'top-level-no-folder',
        'Top level, no folder',
        'https://toplevel.example/atom.xml',
        ['world', 'english'],
      ],
    ])
    const ids = config.sources.map((s) => s.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(config.topics.map((t) => t.id)).toEqual(['talks', 'more-talks'])
  })

  it('adds nothing the second time and leaves the file alone', async () => {
    const file = await configCopy()
    await run(['import-opml', join(FIXTURES, 'subscriptions.opml'), '--config', file])
    const once = await readFile(file)
    const r = await run(['import-opml', join(FIXTURES, 'subscriptions.opml'), '--config', file])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/added 0 sources, skipped 7 already present/)
    expect(await readFile(file)).toEqual(once)
  })

  it.each([
    ['not-opml.opml', /not-opml\.opml is not a valid OPML file/],
    ['no-feeds.opml', /no-feeds\.opml has no feeds: no <outline> carries an xmlUrl/],
    ['missing.opml', /cannot read the OPML file .*missing\.opml: it does not exist/],
  ])('exits 1 for %s, naming the file, and leaves the YAML untouched', async (name, message) => {
    const file = await configCopy()
    const before = await readFile(file)
    const r = await run(['import-opml', join(FIXTURES, name), '--config', file])
    expect(r.code).toBe(1)
    expect(r.err).toMatch(message)
    expect(await readFile(file)).toEqual(before)
  })

  it('exits 1 for an invalid configuration and does not write it', async () => {
    const file = await configCopy('sources:\n  - url: ledger.example/feed   # no scheme\n')
    const before = await readFile(file)
    const r = await run(['import-opml', join(FIXTURES, 'subscriptions.opml'), '--config', file])
    expect(r.code).toBe(1)
    expect(r.err).toContain(`${file}:2:10: "url" must be an absolute http(s) URL`)
    expect(r.err).toContain(`${file} was not changed.`)
    expect(await readFile(file)).toEqual(before)
  })

  it('exits 2 without the OPML file argument', async () => {
    const r = await run(['import-opml'])
    expect(r.code).toBe(2)
    expect(r.err).toContain('"import-opml" needs the OPML file')
  })
})

const feedOutlines = (xml: string): Opml.Outline<string>[] => {
  const flat: Opml.Outline<string>[] = []
  const walk = (os: Opml.Outline<string>[]) => {
    for (const o of os) {
      if (o.xmlUrl) flat.push(o)
      walk(o.outlines ?? [])
    }
  }
  walk(parseOpml(xml).body?.outlines ?? [])
  return flat
}

describe('topicwire export-opml', () => {
  it('prints every configured source once as an rss outline', async () => {
    const r = await run(['export-opml', '--config', SHIPPED])
    expect(r.code).toBe(0)
    const config = await loadConfig(SHIPPED, {})
    const outlines = feedOutlines(r.out)
    expect(outlines.map((o) => o.xmlUrl)).toEqual(config.sources.map((s) => s.url))
    expect(outlines.map((o) => o.title)).toEqual(config.sources.map((s) => s.title))
    expect(outlines.every((o) => o.type === 'rss')).toBe(true)
  })

  it('round-trips: importing the export into an empty list gives the same sources', async () => {
    const from = await configCopy()
    const exported = await run(['export-opml', '--config', from])
    const opml = join(dir, 'exported.opml')
    await writeFile(opml, exported.out)
    const to = await configCopy('sources: []\n')
    const r = await run(['import-opml', opml, '--config', to])
    expect(r.code).toBe(0)
    const pick = (c: Awaited<ReturnType<typeof loadConfig>>) =>
      c.sources.map((s) => [s.title, s.url, s.tags])
    expect(pick(await loadConfig(to, {}))).toEqual(pick(await loadConfig(from, {})))
  })

  it('writes the sources of a file whose topics only a tagging command would refuse', async () => {
    // A rule that does not compile and a model file that is not there: check fails on both;
    // export-opml never compiles rules or reads models (their YAML is still checked).
    const file = await configCopy(
      `sources:\n  - { id: ledger, url: https://ledger.example/feed }\ntopics:\n  t:\n    match: { any: [Torkham, "/(unclosed/"] }\n    model: { file: missing.json }\n`,
    )
    const check = await run(['check', '--config', file])
    expect(check.code).toBe(1)
    expect(check.err).toMatch(/regular expression \/\(unclosed\//)
    expect(check.err).toMatch(/missing\.json cannot be read/)
    const r = await run(['export-opml', '--config', file])
    expect(r.code).toBe(0)
    expect(feedOutlines(r.out).map((o) => o.xmlUrl)).toEqual(['https://ledger.example/feed'])
    const shapeWrong = await configCopy(
      'sources: []\ntopics:\n  t:\n    match: { any: [Torkham], anyy: [x] }\n',
    )
    const bad = await run(['export-opml', '--config', shapeWrong])
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(/anyy/)
  })

  it('fails with the configuration errors for an invalid file', async () => {
    const file = await configCopy('sources: nope\n')
    const r = await run(['export-opml', '--config', file])
    expect(r.code).toBe(1)
    expect(r.err).toContain(file)
  })
})

describe('renderSourcesOpml and opmlCandidates', () => {
  it('escapes titles and URLs, and says so when there are no sources', async () => {
    const xml = await renderSourcesOpml(
      [
        {
          id: 'a',
          title: 'A & <B>',
          url: 'https://a.example/f?x=1&y=2',
          tags: [],
          priority: 0,
          enabled: true,
        },
      ],
      'T',
    )
    expect(opmlCandidates(xml, 'x.opml')).toEqual([
      { url: 'https://a.example/f?x=1&y=2', title: 'A & <B>', tags: [] },
    ])
    const empty = await renderSourcesOpml([], 'T')
    expect(() => opmlCandidates(empty, 'empty.opml')).toThrow(ParseError)
  })
})
