/** analyseFeed: entries seen by the last poll skip the parser, and what is left reads exactly as a whole parse would. */
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import {
  type AnalysedFeed,
  type AnalyseInput,
  analyseFeed,
  MAX_ENTRIES,
} from '../../src/ingest/analyse.js'
import { splitEntries } from '../../src/ingest/parse/xml-split.js'
import { FetchError, ParseError } from '../../src/model/errors.js'
import { createTagger } from '../../src/runtime.js'
import { CORPUS_DIR, corpusPresent, filesBelow } from '../helpers/corpus.js'
import { makeSource, testConfig } from '../helpers/runtime.js'

const tagger = createTagger(testConfig())
const source = makeSource({ id: 'dawn' })
const URL_ = 'https://feeds.example.org/pk.xml'

const analyse = (xml: string | Buffer, over: Partial<AnalyseInput> = {}): Promise<AnalysedFeed> =>
  analyseFeed(
    {
      body: typeof xml === 'string' ? Buffer.from(xml) : xml,
      source,
      feedUrl: URL_,
      fetchedAt: '2026-03-20T12:00:00.000Z',
      ...over,
    },
    tagger,
  )

const item = (n: number, extra = '') =>
  `<item><title>Pakistan and Afghanistan item ${n}</title><link>/story/${n}</link>` +
  `<guid isPermaLink="false">g-${n}</guid><pubDate>Thu, 19 Mar 2026 0${n % 10}:00:00 GMT</pubDate>` +
  `<description>Talks in Kabul, part ${n}${extra}</description></item>`

const rss = (
  items: string[],
  channel = '<lastBuildDate>Thu, 19 Mar 2026 10:00:00 GMT</lastBuildDate>',
) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>PK</title>` +
  `<link>https://pk.example.org/</link>${channel}\n${items.join('\n')}\n</channel></rss>`

const titles = (r: AnalysedFeed) => r.items.map((i) => i.title)

describe('analyseFeed: skipping entries seen before', () => {
  it('parses only the new entries of a new version, which read as in a whole parse', async () => {
    const first = await analyse(rss([item(3), item(2), item(1)]))
    expect([...first.entries.keys()].every((k) => k.startsWith('raw:'))).toBe(true)
    const next = rss(
      [item(5), item(4), item(3), item(2), item(1)],
      '<lastBuildDate>Thu, 19 Mar 2026 11:00:00 GMT</lastBuildDate>',
    )
    const partial = await analyse(next, { previous: first.entries })
    expect(titles(partial)).toEqual([
      'Pakistan and Afghanistan item 5',
      'Pakistan and Afghanistan item 4',
    ])
    expect(partial.skipped).toBe(3)
    expect(partial.entries.size).toBe(5)
    const whole = await analyse(next)
    expect(partial.items).toEqual(whole.items.slice(0, 2))
    expect(partial.items[0]).toMatchObject({
      url: 'https://pk.example.org/story/5',
      topics: ['pakistan-afghanistan'],
    })
  })

  it('skips entries seen before in RSS 1.1, whose items sit inside the root <Channel>', async () => {
    const rss11 = (ns: number[]) =>
      '<Channel xmlns="http://purl.org/net/rss1.1#" ' +
      'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><title>PK 1.1</title>' +
      '<link>https://pk.example.org/</link><items rdf:parseType="Collection">' +
      ns.map((n) => item(n).replace(/<guid[^<]*<\/guid>/, '')).join('') +
      '</items></Channel>'
    const first = await analyse(rss11([2, 1]))
    expect(titles(first)).toEqual([
      'Pakistan and Afghanistan item 2',
      'Pakistan and Afghanistan item 1',
    ])
    expect([...first.entries.keys()].every((k) => k.startsWith('raw:'))).toBe(true)
    const partial = await analyse(rss11([3, 2, 1]), { previous: first.entries })
    expect(titles(partial)).toEqual(['Pakistan and Afghanistan item 3'])
    expect(partial.skipped).toBe(2)
    expect(partial.items[0]?.url).toBe('https://pk.example.org/story/3')
  })

  it('reads an edited entry again', async () => {
    const first = await analyse(rss([item(2), item(1)]))
    const partial = await analyse(rss([item(2), item(1, ' (updated)')]), {
      previous: first.entries,
    })
    expect(partial.items.map((i) => i.summary)).toEqual(['Talks in Kabul, part 1 (updated)'])
  })

  it('reads every entry again when what they are read against changes', async () => {
    const first = await analyse(rss([item(2), item(1)]))
    const previous = first.entries
    // Relative links resolve against the channel link; xml:base and namespaces live in the tags.
    const moved = rss([item(2), item(1)]).replace(
      'https://pk.example.org/',
      'https://pk.example.net/',
    )
    expect((await analyse(moved, { previous })).skipped).toBe(0)
    const based = rss([item(2), item(1)]).replace(
      '<channel>',
      '<channel xml:base="https://x.example/">',
    )
    expect((await analyse(based, { previous })).skipped).toBe(0)
    expect(
      (
        await analyse(rss([item(2), item(1)]), {
          previous,
          feedUrl: 'https://elsewhere.example/',
        })
      ).skipped,
    ).toBe(0)
    const zoned = makeSource({ id: 'dawn', timezone: 'Asia/Karachi' })
    expect((await analyse(rss([item(2), item(1)]), { previous, source: zoned })).skipped).toBe(0)
    expect((await analyse(rss([item(2), item(1)]), { previous })).skipped).toBe(2)
  })

  it('reads the whole document when a new entry shares an id, guid or URL with a skipped one', async () => {
    const first = await analyse(rss([item(2), item(1)]))
    // A new story under a guid already used: both ids depend on each other (findReusedGuids).
    const reused = rss([item(3).replace('g-3', 'g-1'), item(2), item(1)])
    const whole = await analyse(reused)
    const again = await analyse(reused, { previous: first.entries })
    expect(again.skipped).toBe(0)
    expect(again.items).toEqual(whole.items)
    expect(again.items).toHaveLength(3)
    // A second entry with a known URL is a duplicate of the first, as a whole read says.
    const sameUrl = rss([item(3).replace('/story/3', '/story/1'), item(2), item(1)])
    const read = await analyse(sameUrl, { previous: first.entries })
    expect(read.items).toEqual(await analyse(sameUrl).then((r) => r.items))
    expect(read.items.map((i) => i.guid)).toEqual(['g-3', 'g-2'])
  })

  it('is not misled by entry tags inside CDATA and comments', async () => {
    const tricky = rss([
      '<!-- <item><title>commented out</title></item> -->',
      item(2, ' <![CDATA[ </item><item> ]]>'),
      item(1),
    ])
    const split = splitEntries(tricky, 'rss')
    expect(split?.entries).toHaveLength(2)
    const first = await analyse(tricky)
    expect(first.items).toHaveLength(2)
    const next = await analyse(tricky.replace(item(1), `${item(0)}\n${item(1)}`), {
      previous: first.entries,
    })
    expect(titles(next)).toEqual(['Pakistan and Afghanistan item 0'])
  })

  it('skips Atom entries, and falls back to a whole parse for prefixed entry elements', async () => {
    const entry = (n: number) =>
      `<entry><id>urn:e:${n}</id><title>Afghan refugees ${n}</title><updated>2026-03-19T0${n}:00:00Z</updated>` +
      `<link href="/e/${n}"/><summary>Pakistan ${n}</summary></entry>`
    const atom = (ns: number[]) =>
      `<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:f</id><updated>2026-03-19T09:00:00Z</updated>` +
      `<link href="https://a.example/"/>${ns.map(entry).join('')}</feed>`
    const first = await analyse(atom([2, 1]))
    const next = await analyse(atom([3, 2, 1]), { previous: first.entries })
    expect(next).toMatchObject({ skipped: 2 })
    expect(next.items.map((i) => i.url)).toEqual(['https://a.example/e/3'])

    const prefixed = atom([2, 1])
      .replace('<feed xmlns=', '<a:feed xmlns:a=')
      .replace(/<(\/?)(entry|title|id|updated|link|summary)\b/g, '<$1a:$2')
      .replace('</feed>', '</a:feed>')
    expect(splitEntries(prefixed, 'atom')).toBeUndefined()
    const read = await analyse(prefixed)
    expect(read.items).toHaveLength(2)
    expect((await analyse(prefixed, { previous: read.entries })).skipped).toBe(2)
  })

  it("takes an entry inside another entry's <source> as part of it, not a second entry", async () => {
    const entry = (n: number, source = '') =>
      `<entry><id>urn:p:${n}</id><title>Planet ${n}</title><link href="/p/${n}"/>` +
      `<updated>2026-03-19T0${n}:00:00Z</updated>${source}</entry>`
    const copied =
      '<source><id>urn:origin</id><title>Origin</title><link href="https://o.example/"/>' +
      '<entry><id>urn:o:9</id><title>Inner</title><link href="https://o.example/9"/></entry>' +
      '<source/></source>'
    const planet = (ns: number[]) =>
      `<feed xmlns="http://www.w3.org/2005/Atom"><title>Planet</title><id>urn:planet</id>` +
      `<link href="https://p.example/"/>${ns.map((n) => entry(n, n === 1 ? copied : '')).join('')}</feed>`
    const split = splitEntries(planet([2, 1]), 'atom')
    expect(split?.entries.map((e) => planet([2, 1]).slice(e.start, e.end))).toEqual([
      entry(2),
      entry(1, copied),
    ])
    const first = await analyse(planet([2, 1]))
    expect(titles(first)).toEqual(['Planet 2', 'Planet 1'])
    expect(first.items[1]?.url).toBe('https://p.example/p/1')
    const next = await analyse(planet([3, 2, 1]), { previous: first.entries })
    expect(next.skipped).toBe(2)
    expect(titles(next)).toEqual(['Planet 3'])

    // The same in RSS, and a <source> that is never closed makes the split give up.
    const rssDoc = rss([
      item(2),
      item(1, '').replace(
        '</item>',
        `<source url="https://o.example/rss"><item><title>Inner</title></item>Origin</source></item>`,
      ),
    ])
    expect(splitEntries(rssDoc, 'rss')?.entries).toHaveLength(2)
    expect(titles(await analyse(rssDoc))).toEqual([
      'Pakistan and Afghanistan item 2',
      'Pakistan and Afghanistan item 1',
    ])
    expect(splitEntries(planet([2, 1]).replace('<source/></source>', ''), 'atom')).toBeUndefined()
  })

  it('keeps the feed-level facts when every entry is skipped', async () => {
    const doc = rss([item(1)], '<ttl>90</ttl>')
    const first = await analyse(doc)
    const again = await analyse(doc, { previous: first.entries })
    expect(again).toEqual({
      items: [],
      entries: first.entries,
      skipped: 1,
      ttlMinutes: 90,
      recovered: [],
    })
  })
})

const PRESENT = corpusPresent()
describe.skipIf(!PRESENT)('analyseFeed on the corpus: a partial read equals the whole read', () => {
  it('gives every entry not seen before exactly the item a whole read gives it', async () => {
    const FEEDS = join(CORPUS_DIR, 'feeds')
    const stats = { files: 0, raw: 0, partial: 0, whole: 0, items: 0 }
    for (const file of filesBelow(FEEDS)) {
      const feedUrl = `https://corpus.example/${relative(FEEDS, file)}`
      const body = readFileSync(file)
      let whole: AnalysedFeed
      try {
        whole = await analyse(body, { feedUrl })
      } catch (error) {
        if (error instanceof ParseError) continue
        throw new Error(`${file}: ${String(error)}`, { cause: error })
      }
      stats.files++
      const keys = [...whole.entries.keys()]
      if (keys.length < 2) continue
      if (keys[0]?.startsWith('raw:')) stats.raw++
      const previous = new Map([...whole.entries].filter((_, i) => i % 2 === 0))
      const partial = await analyse(body, { feedUrl, previous })
      expect(partial.entries, file).toEqual(whole.entries)
      if (partial.skipped === 0) {
        // A new entry clashed with a skipped one: the document was read whole.
        expect(partial.items, file).toEqual(whole.items)
        stats.whole++
        continue
      }
      expect(partial.skipped, file).toBe(previous.size)
      const byId = new Map(whole.items.map((i) => [i.id, i]))
      for (const it of partial.items) expect(it, `${file}: ${it.id}`).toEqual(byId.get(it.id))
      stats.partial++
      stats.items += partial.items.length
      const all = await analyse(body, { feedUrl, previous: whole.entries })
      expect(all.items, file).toEqual([])
      expect(all.skipped, file).toBe(keys.length)
    }
    console.info(
      `analyse on the corpus: ${stats.files} feeds, ${stats.raw} keyed by raw entries; with half their entries seen, ${stats.partial} read in part (${stats.items} items compared), ${stats.whole} whole`,
    )
    // Most corpus files hold one entry; of the ~234 XML feeds with two or more, 226 split (the
    // rest carry a DOCTYPE or prefixed entry elements and are read whole).
    expect(stats.raw).toBeGreaterThanOrEqual(220)
    expect(stats.partial).toBeGreaterThanOrEqual(200)
    expect(stats.items).toBeGreaterThan(2_000)
  }, 120_000)
})

describe('analyseFeed: compressed bodies (fetchFeed leaveEncoded)', () => {
  const doc = rss([1, 2, 3].map((n) => item(n)))
  const plain = () => analyse(doc)

  it.each([
    ['gzip', (b: Buffer) => gzipSync(b)],
    ['deflate', (b: Buffer) => deflateSync(b)],
    ['deflate', (b: Buffer) => deflateRawSync(b)],
    ['br', (b: Buffer) => brotliCompressSync(b)],
  ] as const)('undoes %s first and reads what the plain body gives', async (coding, compress) => {
    const got = await analyse(compress(Buffer.from(doc)), { codings: [coding], maxBytes: 1 << 20 })
    expect(got).toEqual(await plain())
    expect(got.items).toHaveLength(3)
  })

  it.each(['gzip', 'br'])(
    "undoes %s with no maxBytes given (no cap but zlib's own)",
    async (coding) => {
      const wire =
        coding === 'br' ? brotliCompressSync(Buffer.from(doc)) : gzipSync(Buffer.from(doc))
      expect(await analyse(wire, { codings: [coding] })).toEqual(await plain())
    },
  )

  it('undoes stacked codings last one first', async () => {
    const wire = brotliCompressSync(gzipSync(Buffer.from(doc)))
    expect(await analyse(wire, { codings: ['gzip', 'br'], maxBytes: 1 << 20 })).toEqual(
      await plain(),
    )
  })

  it('stops inflating past maxBytes, and says which feed and which limit', async () => {
    // 64 MB of spaces from ~64 KB: inflating it all is what the cap must prevent.
    const bomb = gzipSync(Buffer.concat([Buffer.from(doc), Buffer.alloc(64 << 20, 0x20)]))
    const err = await analyse(bomb, { codings: ['gzip'], maxBytes: 1 << 20 }).catch((e) => e)
    expect(err).toBeInstanceOf(FetchError)
    expect(err).toMatchObject({
      code: 'too-large',
      message: `the answer from ${URL_} is larger than 1 MB (fetch.max_bytes)`,
    })
  })

  it('says when the bytes are not what the coding names', async () => {
    const err = await analyse(doc, { codings: ['gzip'], maxBytes: 1 << 20 }).catch((e) => e)
    expect(err).toBeInstanceOf(FetchError)
    expect(err.code).toBe('fetch')
    expect(err.message).toMatch(
      /^could not decompress the answer from https:\/\/feeds\.example\.org\/pk\.xml: /,
    )
  })
})

describe('analyseFeed under hostile items', () => {
  it('repairs UTF-8 encoded twice and says so in "recovered from"', async () => {
    const once = rss([item(1).replace('item 1', 'ActualitÃ©s de CataluÃ±a')])
    const out = await analyse(once)
    expect(titles(out)).toEqual(['Pakistan and Afghanistan Actualités de Cataluña'])
    expect(out.recovered).toContain('UTF-8 encoded twice (decoded once more)')
  })

  it('says in "recovered from" which fields were cut to their caps', async () => {
    const title = 'Kabul '.repeat(2_000_000) // a 12 MB title
    const out = await analyse(rss([`<item><title>${title}</title><link>/a</link></item>`, item(1)]))
    expect(out.items).toHaveLength(2)
    expect(out.items[0]?.title.length).toBeLessThanOrEqual(500)
    expect(out.recovered).toContain('item fields cut to their size caps: title in 1 item')
  })

  it.each([1_000, 20_000])(
    'reads a description of markup nested %i levels deep, and the items beside it',
    async (depth) => {
      const deep = `${'<div>'.repeat(depth)}buried${'</div>'.repeat(depth)}`
      const out = await analyse(
        rss([
          item(1),
          `<item><title>Deep</title><link>/d</link><description>${deep}</description></item>`,
          item(2),
        ]),
      )
      expect(out.items.map((i) => i.title)).toEqual([
        'Pakistan and Afghanistan item 1',
        'Deep',
        'Pakistan and Afghanistan item 2',
      ])
      expect(out.items[1]?.summary).toBe('buried')
      expect(out.recovered.join('\n')).toMatch(/markup nested deeper than 100 elements/)
    },
  )
})

describe('analyseFeed on a document with too many entries', () => {
  it.each([
    [
      'split into raw entries',
      10_000,
      (n: number) => rss(Array.from({ length: n }, (_, i) => item(i))),
    ],
    [
      'parsed whole (entries that do not split)',
      1_500,
      (n: number) =>
        rss(
          Array.from({ length: n }, (_, i) =>
            item(i).replace(/<\/?item>/g, (t) => t.replace('item', 'rss:item')),
          ),
        ).replace('<rss ', '<rss xmlns:rss="http://purl.org/rss/1.0/" '),
    ],
  ])(
    'reads the first MAX_ENTRIES and says so (%s, %i entries)',
    async (_, n, doc) => {
      const out = await analyse(doc(n))
      expect(out.items).toHaveLength(MAX_ENTRIES)
      expect(out.items[0]?.guid).toBe('g-0')
      expect(out.items.at(-1)?.guid).toBe(`g-${MAX_ENTRIES - 1}`)
      expect(out.entries.size).toBe(MAX_ENTRIES)
      expect(out.recovered).toContain(
        `the document lists ${n} entries: only the first ${MAX_ENTRIES} were read`,
      )
      // The next version, unchanged: every entry read is recognised, none is parsed again.
      const again = await analyse(doc(n), { previous: out.entries })
      expect(again.items).toHaveLength(0)
      expect(again.skipped).toBe(MAX_ENTRIES)
    },
    30_000,
  )
})
