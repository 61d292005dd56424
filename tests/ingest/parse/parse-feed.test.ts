import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { decodeBody } from '../../../src/ingest/parse/decode.js'
import { parseFeed } from '../../../src/ingest/parse/parse-feed.js'
import type { ParsedFeed } from '../../../src/ingest/parse/types.js'
import { ParseError } from '../../../src/model/errors.js'

const FIXTURES = new URL('../../fixtures/feeds/', import.meta.url)
const URL_ = 'https://feeds.example/feed'
const fixture = (name: string): Promise<ParsedFeed> =>
  parseFeed(decodeBody(readFileSync(new URL(name, FIXTURES))).text, `https://feeds.example/${name}`)
const rss = (items: string, channel = '<title>T</title>'): string =>
  `<?xml version="1.0"?><rss version="2.0"><channel>${channel}${items}</channel></rss>`
const atom = (entries: string, head = '<title>T</title>'): string =>
  `<feed xmlns="http://www.w3.org/2005/Atom">${head}${entries}</feed>`

const parseError = async (text: string): Promise<ParseError> => {
  const err = await parseFeed(text, URL_).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ParseError)
  return err as ParseError
}

describe('parseFeed on our fixtures', () => {
  it.each([
    ['pk-daily.rss', 'rss', 'Pakistan Daily Ledger — Top Stories', 8, []],
    ['kabul-wire.atom', 'atom', 'Kabul Wire — English Service', 7, []],
    ['region-digest.rdf', 'rdf', 'Region Digest: South and Central Asia', 6, []],
    ['wire-service.json', 'json', 'Frontier Wire Service', 6, []],
    ['urdu-service.rss', 'rss', 'سرحد نیوز اردو', 4, []],
    ['legacy.atom03', 'atom', 'Peshawar Frontier Post &mdash; Archive Feed', 6, []],
    ['cp1251.rss', 'rss', 'Обзор Центральной Азии', 3, []],
    ['duplicate-guids.rss', 'rss', 'Chaman Border Post', 6, []],
    [
      'broken-ampersand.rss',
      'rss',
      'Balochistan Trade & Transit Monitor',
      4,
      ['invalid control characters', 'unescaped ampersands'],
    ],
  ])('%s → %s, %j, %i entries', async (name, format, title, count, recovered) => {
    const feed = await fixture(name)
    expect(feed.format).toBe(format)
    expect(feed.title).toBe(title)
    expect(feed.entries).toHaveLength(count)
    expect(feed.recovered).toEqual(recovered)
  })

  it('reads RSS 2.0 guid, dc:creator, categories, content:encoded and the enclosure', async () => {
    const feed = await fixture('pk-daily.rss')
    expect(feed).toMatchObject({
      link: 'https://www.pkdaily.example/',
      language: 'en-PK',
      description: 'News from Islamabad, Karachi, Lahore and Peshawar, updated through the day.',
    })
    const [talks, torkham] = feed.entries
    expect(talks).toMatchObject({
      guid: 'pkdaily-2026-031001',
      link: 'https://www.pkdaily.example/news/2026/03/10/istanbul-talks-resume',
      author: 'Ayesha Rauf',
      categories: ['Pakistan', 'Afghanistan', 'Diplomacy'],
      published: 'Tue, 10 Mar 2026 17:55:00 +0500',
      enclosures: [],
    })
    expect(talks?.summary).toMatch(/^Delegations from Islamabad and Kabul met/)
    expect(talks?.contentHtml).toContain('<img src="/media/2026/03/istanbul-talks.jpg"')
    expect(torkham?.enclosures).toEqual([
      {
        url: 'https://media.pkdaily.example/audio/2026/03/torkham-briefing.mp3',
        type: 'audio/mpeg',
        length: 4821733,
      },
    ])
  })

  it('resolves Atom links against xml:base and keeps html, text and xhtml apart', async () => {
    const feed = await fixture('kabul-wire.atom')
    expect(feed.link).toBe('https://kabulwire.example/en/')
    expect(feed.language).toBe('en')
    expect(feed.description).toBe('Afghanistan &amp; the region, from our newsroom in Kabul')
    const [talks, chaman, quake, , , chabahar] = feed.entries
    expect(talks).toMatchObject({
      guid: 'tag:kabulwire.example,2026:news-48112',
      link: 'https://kabulwire.example/en/news/2026/03/10/istanbul-talks-constructive',
      title: 'Islamic Emirate calls Istanbul talks with Pakistan <em>constructive</em>',
      author: 'Abdul Wahid Sharifi',
      categories: ['Politics', 'Pakistan'],
      published: '2026-03-10T14:35:00+04:30',
      updated: '2026-03-10T15:05:00+04:30',
      base: 'https://kabulwire.example/en/',
    })
    expect(talks?.summary).toContain('was "constructive"')
    expect(chaman?.summary).toContain('through <b>Chaman</b>')
    expect(quake?.contentHtml).toMatch(/^<div><p>Aid agencies reached six villages/)
    expect(chabahar?.enclosures).toEqual([
      {
        url: 'https://kabulwire.example/media/2026/03/chabahar-port.jpg',
        type: 'image/jpeg',
        length: 184220,
      },
    ])
  })

  it('reads RSS 1.0 dc:date, dc:creator and dc:subject, and rdf:about as the guid', async () => {
    const [first] = (await fixture('region-digest.rdf')).entries
    expect(first).toMatchObject({
      guid: 'https://regiondigest.example/2026/03/10/doha-mediation',
      link: 'https://regiondigest.example/2026/03/10/doha-mediation',
      published: '2026-03-10T09:00:00Z',
      author: 'Digest Desk',
      categories: ['Diplomacy'],
    })
  })

  it('reads Atom 0.3 issued/modified and escaped-mode titles', async () => {
    const feed = await fixture('legacy.atom03')
    expect(feed.description).toBe('Stories from Khyber Pakhtunkhwa and across the border')
    expect(feed.entries[0]).toMatchObject({
      link: 'https://frontierpost.example/2026/03/09/jirga-torkham-trade-corridor',
      published: '2026-03-09T11:30:00+05:00',
      updated: '2026-03-09T11:45:00+05:00',
      author: 'Frontier Post Desk',
    })
    expect(feed.entries[0]?.contentHtml).toMatch(/^<p>A 40-member tribal jirga/)
  })

  it('reads JSON Feed 1.1 authors, tags, attachments and content_text', async () => {
    const feed = await fixture('wire-service.json')
    expect(feed).toMatchObject({ link: 'https://frontierwire.example/', language: 'en' })
    const [, talks, clashes] = feed.entries
    expect(talks).toMatchObject({
      guid: 'fw-2026-0310-0131',
      author: 'Selin Aydın, Imran Wazir',
      published: '2026-03-10T13:05:00Z',
      updated: '2026-03-10T15:40:00Z',
      categories: ['Diplomacy', 'Pakistan', 'Afghanistan'],
    })
    expect(talks?.contentHtml).toMatch(/^<p>ISTANBUL — Turkish and Qatari mediators/)
    expect(clashes?.enclosures).toEqual([
      {
        url: 'https://frontierwire.example/img/2026/03/kurram.jpg',
        type: 'image/jpeg',
        length: 241876,
      },
    ])
  })

  it('reads JSON Feed 1.0 (author object, numeric id) and escapes plain-text fields', async () => {
    const feed = await parseFeed(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1',
        title: 'Q&A <live>',
        items: [{ id: 42, url: 'https://e.org/1', title: 'A < B', author: { name: 'Desk' } }],
      }),
      URL_,
    )
    expect(feed).toMatchObject({ format: 'json', title: 'Q&amp;A &lt;live&gt;' })
    expect(feed.entries[0]).toMatchObject({ guid: '42', title: 'A &lt; B', author: 'Desk' })
  })
})

describe('parseFeed refuses documents that are not feeds', () => {
  it.each([
    [
      'an HTML page',
      readFileSync(new URL('not-a-feed.html', FIXTURES), 'utf8'),
      'not a feed: the document is an HTML page (<html>)',
    ],
    ['an empty document', '', 'not a feed: the document is empty'],
    ['whitespace', ' \n\t ', 'not a feed: the document is empty'],
    [
      'random JSON',
      '{"status":"ok","data":[1,2]}',
      'not a feed: the document is JSON without a jsonfeed.org version (keys: status, data)',
    ],
    ['a JSON array', '[{"title":"x"}]', 'not a feed: the document is JSON but not an object'],
    [
      'invalid JSON',
      '{"version": "https://jsonfeed.org/version/1.1",',
      'not a feed: the document is invalid JSON',
    ],
    [
      'another XML root',
      '<?xml version="1.0"?><catalog><book/></catalog>',
      'not a feed: the XML root element <catalog> is not RSS, RDF or Atom',
    ],
    [
      'a Channel Definition Format document',
      '<?xml version="1.0"?><CHANNEL HREF="https://e.org/"><TITLE>CDF</TITLE></CHANNEL>',
      'not a feed: the root element <CHANNEL> is a Channel Definition Format document, not a feed',
    ],
    [
      'an OPML file',
      '<opml version="2.0"><body/></opml>',
      'not a feed: the document is an OPML outline',
    ],
    [
      'plain text',
      'Service Unavailable',
      'not a feed: the document is neither XML nor JSON (it starts with "Service Unavailable")',
    ],
    [
      'gzip bytes',
      '\u001f\u2039\b\u0000\u0000',
      'not a feed: the document is compressed (gzip) data',
    ],
  ])('%s', async (_case, text, message) => {
    expect((await parseError(text)).message).toContain(message)
  })

  it('names the XML error with its line when even lenient parsing fails', async () => {
    const err = await parseError('<rss version="2.0"')
    expect(err.message).toBe('unreadable RSS XML: Unexpected end (line 1, column 18)')
  })
})

describe('parseFeed is safe with hostile XML', () => {
  it('never expands entities declared in a DOCTYPE ("billion laughs")', async () => {
    const lol = Array.from(
      { length: 9 },
      (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`,
    )
    const xml = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">${lol.join('')}]>${rss('<item><title>&lol9;</title></item>')}`
    const feed = await parseFeed(xml, URL_)
    expect(feed.entries[0]?.title?.length ?? 0).toBeLessThan(20)
    expect(feed.recovered).toContain('DOCTYPE entity declarations ignored (not expanded)')
  })

  it('never reads external entities', async () => {
    const xml = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${rss('<item><title>x&xxe;y</title></item>')}`
    const feed = await parseFeed(xml, URL_)
    expect(feed.entries[0]?.title).not.toContain('root:')
  })
})

describe('parseFeed recovers from common breakage', () => {
  it('strips a comment or junk before the XML declaration', async () => {
    const feed = await parseFeed(`<!-- generated -->\n<?xml version="1.0"?>${rss('')}`, URL_)
    expect(feed.recovered).toEqual(['comment before the XML declaration'])
    const junk = await parseFeed(
      `Warning: include(): failed\n<?xml version="1.0"?>${rss('')}`,
      URL_,
    )
    expect(junk.recovered).toEqual(['text before the XML declaration'])
    expect(junk.title).toBe('T')
  })

  it('removes control characters and escapes bare ampersands', async () => {
    const feed = await parseFeed(
      rss('<item><title>Trade & transit\u0001</title><link>https://e.org/?a=1&b=2</link></item>'),
      URL_,
    )
    expect(feed.entries[0]).toMatchObject({
      title: 'Trade & transit',
      link: 'https://e.org/?a=1&b=2',
    })
    expect(feed.recovered).toEqual(['invalid control characters', 'unescaped ampersands'])
  })

  it('leaves ampersands inside CDATA alone', async () => {
    const feed = await parseFeed(
      rss('<item><title>A & B</title><link><![CDATA[https://e.org/?a=1&b=2]]></link></item>'),
      URL_,
    )
    expect(feed.entries[0]?.link).toBe('https://e.org/?a=1&b=2')
  })

  it('reads a truncated document leniently', async () => {
    const feed = await parseFeed(
      rss('<item><title>One</title></item><item><title>Tw').replace(/<\/channel><\/rss>$/, ''),
      URL_,
    )
    expect(feed.entries.map((e) => e.title)).toEqual(['One', 'Tw'])
    expect(feed.recovered.at(-1)).toMatch(/^lenient XML parse/)
  })

  it('reads mismatched tags and unknown entities leniently', async () => {
    const feed = await parseFeed(
      rss('<item><title>A &foo; <b>B</title><link>https://e.org/a</link></item>'),
      URL_,
    )
    expect(feed.entries[0]?.link).toBe('https://e.org/a')
    expect(feed.recovered.some((r) => r.startsWith('lenient XML parse'))).toBe(true)
  })
})

describe('parseFeed copes with odd but valid shapes', () => {
  it('reads an <rss> without a channel as an empty feed', async () => {
    expect((await parseFeed('<rss version="2.0"></rss>', URL_)).entries).toEqual([])
    expect((await parseFeed('<rss/>', URL_)).entries).toEqual([])
  })

  it('narrows titles and guids that carry attributes', async () => {
    const feed = await parseFeed(
      rss('<item><title xml:lang="en">Talks</title><guid isPermaLink="false">g-1</guid></item>'),
      URL_,
    )
    expect(feed.entries[0]).toMatchObject({ title: 'Talks', guid: 'g-1' })
    expect(feed.entries[0]?.link).toBeUndefined()
  })

  it('uses a permalink guid as the link when there is none', async () => {
    const feed = await parseFeed(rss('<item><guid>https://e.org/a</guid></item>'), URL_)
    expect(feed.entries[0]?.link).toBe('https://e.org/a')
  })

  it('survives Atom entries with unparseable dates, bare links and no content', async () => {
    const feed = await parseFeed(
      atom(
        '<entry><title>A</title><published>someday</published><link>https://e.org/a</link></entry><entry/>',
      ),
      URL_,
    )
    expect(feed.entries).toHaveLength(2)
    expect(feed.entries[0]).toMatchObject({ published: 'someday', link: 'https://e.org/a' })
  })

  it('escapes Atom text constructs so that they read back as the same text', async () => {
    const feed = await parseFeed(
      atom(
        '<entry><title>a &lt;b&gt; &amp;amp; c</title><summary type="html">x &lt;b&gt;y&lt;/b&gt;</summary></entry>',
      ),
      URL_,
    )
    expect(feed.entries[0]).toMatchObject({
      title: 'a &lt;b&gt; &amp;amp; c',
      summary: 'x <b>y</b>',
    })
  })

  it('reads xhtml titles and base64 content', async () => {
    const feed = await parseFeed(
      atom(
        '<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Talks <b>resume</b></div></title>' +
          `<content type="html" mode="base64">${Buffer.from('<p>Hello</p>').toString('base64')}</content></entry>`,
      ),
      URL_,
    )
    expect(feed.entries[0]).toMatchObject({
      title: '<div>Talks <b>resume</b></div>',
      contentHtml: '<p>Hello</p>',
    })
  })

  it('reads a prefixed Atom root and upper-case element names', async () => {
    const prefixed = await parseFeed(
      '<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:title>P</a:title><a:entry><a:title>E</a:title></a:entry></a:feed>',
      URL_,
    )
    expect(prefixed).toMatchObject({ format: 'atom', title: 'P', entries: [{ title: 'E' }] })
    const upper = await parseFeed(
      '<rss version="2.0"><channel><TITLE>U</TITLE><Item><Title>I</Title></Item></channel></rss>',
      URL_,
    )
    expect(upper).toMatchObject({ title: 'U', entries: [{ title: 'I' }] })
  })

  it('reads a lone Atom entry document as a one-entry feed', async () => {
    const feed = await parseFeed(
      '<entry xmlns="http://www.w3.org/2005/Atom"><id>urn:x</id><title>Solo</title></entry>',
      URL_,
    )
    expect(feed).toMatchObject({ format: 'atom', entries: [{ guid: 'urn:x', title: 'Solo' }] })
    expect(feed.recovered).toEqual(['Atom entry document read as a one-entry feed'])
  })

  it('reads RSS 0.91 and RSS 0.90 (RDF)', async () => {
    const v091 = await parseFeed(
      '<rss version="0.91"><channel><title>Old</title><item><title>I</title><link>https://e.org/i</link></item></channel></rss>',
      URL_,
    )
    expect(v091).toMatchObject({
      format: 'rss',
      title: 'Old',
      entries: [{ link: 'https://e.org/i' }],
    })
    const v090 = await parseFeed(
      '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>Ninety</title></channel><item><title>I</title><link>https://e.org/i</link></item></rdf:RDF>',
      URL_,
    )
    expect(v090).toMatchObject({
      format: 'rdf',
      title: 'Ninety',
      entries: [{ link: 'https://e.org/i' }],
    })
  })
})

describe("parseFeed with an entry inside another entry's <source>", () => {
  const doc = atom(
    '<entry><id>tag:p,2026:1</id><title>Outer</title><link href="https://p.example/1"/>' +
      '<source><id>tag:o,2026:f</id><title>Origin</title>' +
      '<entry><id>tag:o,2026:9</id><title>Inner</title><link href="https://o.example/9"/></entry>' +
      '</source></entry>' +
      '<entry><id>tag:p,2026:2</id><title>Second</title><link href="https://p.example/2"/></entry>',
  )

  it.each([
    ['well-formed', doc, []],
    ['read leniently', doc.replace('</feed>', '<br></feed>'), [expect.stringMatching(/^lenient/)]],
  ])('counts it as part of the outer entry (%s)', async (_case, text, recovered) => {
    const feed = await parseFeed(text, URL_)
    expect(feed.entries.map((e) => [e.title, e.link])).toEqual([
      ['Outer', 'https://p.example/1'],
      ['Second', 'https://p.example/2'],
    ])
    expect(feed.recovered).toEqual(recovered)
  })
})

describe('parseFeed reads media types with parameters', () => {
  it('takes an Atom link typed text/html with a charset as the alternate link', async () => {
    // The HTML link comes first: were its type not recognised, the last alternate would win.
    const links = (where: string) =>
      `<link rel="alternate" type="text/html; charset=utf-8" href="https://kabul.example/${where}"/>` +
      `<link rel="alternate" type="application/atom+xml" href="https://kabul.example/${where}.atom"/>`
    const feed = await parseFeed(
      atom(
        `<entry><id>tag:k,2026:1</id><title>T1</title>${links('a')}</entry>`,
        `<title>K</title>${links('home')}`,
      ),
      URL_,
    )
    expect(feed.link).toBe('https://kabul.example/home')
    expect(feed.entries[0]?.link).toBe('https://kabul.example/a')
  })

  it('reads Atom content typed application/xml with a charset, not as binary', async () => {
    const feed = await parseFeed(
      atom(
        '<entry><id>tag:k,2026:1</id><title>T1</title>' +
          '<content type="application/xml; charset=utf-8">Trade resumes at Torkham</content></entry>',
      ),
      URL_,
    )
    expect(feed.entries[0]?.contentHtml).toBe('Trade resumes at Torkham')
  })
})

describe('parseFeed reads RSS 1.1 like RSS 1.0', () => {
  const RSS11 = 'http://purl.org/net/rss1.1#'
  const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#'
  const items =
    '<item rdf:about="https://kabul.example/a"><title>Torkham reopens</title>' +
    '<link>https://kabul.example/a</link><dc:date>2026-03-01T10:00:00Z</dc:date>' +
    '<description>Trade resumes</description></item>' +
    '<item rdf:about="https://kabul.example/b"><title>Chaman</title>' +
    '<link>https://kabul.example/b</link></item>'

  it.each([
    ['with RSS 1.1 as the default namespace', 'Channel', `xmlns="${RSS11}"`, ''],
    ['with a prefix', 'r:Channel', `xmlns:r="${RSS11}"`, 'r:'],
  ])('reads a <Channel> root %s', async (_case, root, ns, p) => {
    const doc =
      `<?xml version="1.0" encoding="utf-8"?><${root} ${ns} xmlns:rdf="${RDF}" ` +
      `xmlns:dc="http://purl.org/dc/elements/1.1/" rdf:about="https://kabul.example/rss">` +
      `<${p}title>Kabul Wire</${p}title><${p}link>https://kabul.example/</${p}link>` +
      `<${p}description>News</${p}description>` +
      `<${p}items rdf:parseType="Collection">${p ? items.replace(/<(\/?)(item|title|link|description)\b/g, `<$1${p}$2`) : items}</${p}items></${root}>`
    const feed = await parseFeed(doc, URL_)
    expect(feed).toMatchObject({
      format: 'rdf',
      title: 'Kabul Wire',
      link: 'https://kabul.example/',
    })
    expect(feed.entries.map((e) => [e.title, e.link, e.published])).toEqual([
      ['Torkham reopens', 'https://kabul.example/a', '2026-03-01T10:00:00Z'],
      ['Chaman', 'https://kabul.example/b', undefined],
    ])
    expect(feed.entries[0]?.summary).toBe('Trade resumes')
  })

  it('reads an RSS 1.1 channel without items as an empty feed with its title', async () => {
    const feed = await parseFeed(`<Channel xmlns="${RSS11}"><title>Quiet</title></Channel>`, URL_)
    expect(feed).toMatchObject({ format: 'rdf', title: 'Quiet', entries: [] })
  })
})

describe('parseFeed reads the RSS <ttl>', () => {
  it.each([
    ['<ttl>60</ttl>', 60],
    ['<ttl> 1440 </ttl>', 1440],
    ['<ttl>0</ttl>', undefined],
    ['<ttl>-5</ttl>', undefined],
    ['<ttl>an hour</ttl>', undefined],
    ['<ttl>1.5</ttl>', undefined],
    ['', undefined],
  ])('%s → %s minutes', async (ttl, minutes) => {
    const feed = await parseFeed(
      rss('<item><title>I</title></item>', `<title>T</title>${ttl}`),
      URL_,
    )
    expect(feed.ttlMinutes).toBe(minutes)
    expect(feed.entries).toHaveLength(1)
  })

  it('reads it in RSS 0.91 too, and never from Atom', async () => {
    const v091 = await parseFeed(
      '<rss version="0.91"><channel><title>Old</title><ttl>30</ttl></channel></rss>',
      URL_,
    )
    expect(v091.ttlMinutes).toBe(30)
    const a = await parseFeed(atom('', '<title>T</title><ttl>30</ttl>'), URL_)
    expect(a.ttlMinutes).toBeUndefined()
  })
})

describe('parseFeed never fails with anything but a ParseError', () => {
  const names = [
    'pk-daily.rss',
    'kabul-wire.atom',
    'region-digest.rdf',
    'wire-service.json',
    'legacy.atom03',
  ]
  it.each(names)('on every cut-off prefix of %s', async (name) => {
    const text = decodeBody(readFileSync(new URL(name, FIXTURES))).text
    const step = Math.ceil(text.length / 60)
    let feeds = 0
    for (let end = 0; end < text.length; end += step) {
      const outcome = await parseFeed(text.slice(0, end), URL_).then(
        () => 'feed',
        (e: unknown) => (e instanceof ParseError ? 'parse-error' : e),
      )
      expect(['feed', 'parse-error']).toContain(outcome)
      if (outcome === 'feed') feeds++
    }
    // XML cut off mid-way is still read leniently; JSON cut off is not JSON.
    if (!name.endsWith('.json')) expect(feeds).toBeGreaterThan(40)
  })
})
