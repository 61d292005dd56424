import { describe, expect, it } from 'vitest'
import type { PollOutcome, PollRecord } from '../../src/model/types.js'
import { escapePageText } from '../../src/publish/escape.js'
import { type IndexPage, renderIndexPage } from '../../src/publish/html.js'
import { formatUtc } from '../../src/publish/html-text.js'
import {
  CHART_COLOURS,
  chartDays,
  type DayCount,
  POLL_COLOURS,
  renderDayChart,
  renderSparkline,
  summarizePolls,
} from '../../src/publish/svg-chart.js'
import { httpHref } from '../../src/util/url.js'

const HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'

const days = (counts: number[], end = '2026-03-10T12:00:00Z'): DayCount[] =>
  chartDays(new Date(end), counts.length).map((day, i) => ({ day, count: counts[i] ?? 0 }))

const page = (over: Partial<IndexPage> = {}): IndexPage => ({
  title: 'topicwire',
  baseUrl: 'http://news.example:8080',
  totalItems: 3,
  feeds: [
    {
      id: 'pak-afghan',
      title: 'Pak–Afghan <all>',
      description: 'Everything & more',
      itemCount: 2,
      topics: [{ id: 'border', title: 'Border & trade' }],
    },
  ],
  topics: [
    { id: 'border', title: 'Border & trade', itemCount: 2, storyCount: 1, chart: days([0, 3, 1]) },
    { id: 'talks', title: 'Talks', itemCount: 0, storyCount: 0, chart: days([0, 0, 0]) },
  ],
  latest: [
    {
      id: 'a',
      title: HOSTILE,
      url: 'javascript:alert(3)',
      sourceId: 'dawn',
      sourceTitle: 'Dawn <b>',
      publishedAt: '2026-03-10T09:05:00.000Z',
      topics: [{ id: 'border', title: 'Border & trade' }],
      language: 'en" onmouseover="x',
    },
    {
      id: 'b',
      title: 'Torkham reopens',
      url: 'https://news.example.org/torkham?a=1&b=2',
      sourceId: 'tolo',
      sourceTitle: 'TOLOnews',
      publishedAt: '2026-03-09T08:00:00.000Z',
      topics: [],
      language: 'ur',
    },
  ],
  sources: [
    {
      id: 'dawn',
      title: 'Dawn <b>',
      url: 'https://www.dawn.com/feeds/home',
      status: 'failing',
      lastFetchAt: '2026-03-10T12:00:00.000Z',
      lastSuccessAt: '2026-03-09T12:00:00.000Z',
      lastStatus: 503,
      lastError: `HTTP 503 from upstream ${HOSTILE}`,
      failures: 3,
      itemCount: 1,
      history: [],
    },
    {
      id: 'tolo',
      title: 'TOLOnews',
      url: 'javascript:alert(4)',
      status: 'ok',
      failures: 0,
      itemCount: 1,
      history: [{ at: '2026-03-10T12:00:00.000Z', outcome: 'not-modified', status: 304 }],
    },
  ],
  ...over,
})

const hrefs = (html: string): string[] =>
  [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1] ?? '')

describe('renderIndexPage', () => {
  const html = renderIndexPage(page())

  it('is an HTML5 document readable on a phone, with no script', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true)
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">')
    expect(html).toContain('<meta charset="utf-8">')
    expect(html).toMatch(/<style>[^<]*prefers-color-scheme:dark[^<]*<\/style>/)
    expect(html).not.toMatch(/<(script|img|iframe)\b/i)
    expect(html).not.toMatch(/<[^>]*\son\w+=/i)
    expect(html.trimEnd().endsWith('</html>')).toBe(true)
  })

  it('escapes titles, source names and error sentences from the internet', () => {
    expect(html).toContain(
      '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;',
    )
    expect(html).toContain('Dawn &lt;b&gt;')
    expect(html).toContain('Pak–Afghan &lt;all&gt;')
    expect(html).toContain('HTTP 503 from upstream &lt;script&gt;')
    expect(html).not.toContain('<b>')
  })

  it('never links a javascript: URL and drops a malformed language tag', () => {
    expect(hrefs(html).filter((h) => !/^(https?:|#|data:,$)/.test(h))).toEqual([])
    expect(html).not.toContain('onmouseover')
    expect(html).toContain('<span class="title" dir="auto">&lt;script&gt;')
    expect(html).toContain(
      '<a class="title" href="https://news.example.org/torkham?a=1&amp;b=2" rel="noreferrer" dir="auto" lang="ur">',
    )
  })

  it('has RSS and Atom autodiscovery tags with absolute hrefs for every feed and topic', () => {
    const tags = [
      ...html.matchAll(/<link rel="alternate" type="([^"]+)" title="([^"]*)" href="([^"]+)">/g),
    ]
    expect(tags.map((m) => [m[1], m[3]])).toEqual([
      ['application/rss+xml', 'http://news.example:8080/feeds/pak-afghan.rss'],
      ['application/atom+xml', 'http://news.example:8080/feeds/pak-afghan.atom'],
      ['application/rss+xml', 'http://news.example:8080/topics/border.rss'],
      ['application/atom+xml', 'http://news.example:8080/topics/border.atom'],
      ['application/rss+xml', 'http://news.example:8080/topics/talks.rss'],
      ['application/atom+xml', 'http://news.example:8080/topics/talks.atom'],
    ])
    expect(tags[0]?.[2]).toBe('Pak–Afghan &lt;all&gt; (RSS)')
  })

  it('offers RSS, Atom and JSON Feed subscribe links with item counts', () => {
    for (const path of ['/feeds/pak-afghan', '/topics/border', '/topics/talks']) {
      for (const ext of ['rss', 'atom', 'json']) {
        expect(hrefs(html)).toContain(`http://news.example:8080${path}.${ext}`)
      }
    }
    expect(html).toMatch(/id="topic-border".*<span class="count">1 story · 2 reports<\/span>/)
    expect(html).toMatch(/id="topic-talks".*<span class="count">0 stories · 0 reports<\/span>/)
  })

  it('shows source health: status, last success, the error sentence and failures', () => {
    expect(html).toContain('<span class="badge failing">failing</span>')
    expect(html).toContain('3 failures in a row: HTTP 503 from upstream')
    expect(html).toContain(
      'last success <time datetime="2026-03-09T12:00:00.000Z">9 Mar 2026, 12:00 UTC</time>',
    )
    expect(html).toContain('no success yet')
    expect(html).toContain('no polls recorded yet')
    expect(html).toContain('last 1 poll: 1 unchanged (304)')
  })

  it('adds the feed token to every link to our own routes, and only to those', () => {
    const withToken = renderIndexPage(page({ token: 's3cret&x' }))
    const own = hrefs(withToken).filter((h) => h.startsWith('http://news.example:8080'))
    expect(own.length).toBeGreaterThan(10)
    for (const h of own) expect(h).toMatch(/\?token=s3cret%26x$/)
    expect(withToken).toContain('href="https://news.example.org/torkham?a=1&amp;b=2"')
    expect(withToken).toContain('href="https://www.dawn.com/feeds/home"')
  })

  it('renders empty sections with a sentence instead of nothing', () => {
    const empty = renderIndexPage(
      page({ feeds: [], topics: [], latest: [], sources: [], totalItems: 0 }),
    )
    expect(empty).toContain('No items yet')
    expect(empty).toContain('No named feeds are configured')
    expect(empty).not.toContain('<link rel="alternate"')
  })
})

describe('renderDayChart', () => {
  const bars = (svg: string) => [...svg.matchAll(/<rect class="bar( \w+)?"[^>]*height="(\d+)"/g)]

  it('draws one bar per day with a tooltip, and labels the busiest day', () => {
    const counts = Array.from({ length: 30 }, (_, i) => (i === 20 ? 9 : i % 3))
    const svg = renderDayChart(days(counts), 'Border: items per day')
    expect(bars(svg)).toHaveLength(30)
    expect(svg.match(/<title>/g)).toHaveLength(31)
    const peak = chartDays(new Date('2026-03-10T12:00:00Z'), 30)[20]
    expect(peak).toBe('2026-03-01')
    expect(svg).toContain('<title>1 Mar 2026: 9 items</title>')
    expect(svg).toMatch(/<text class="peak-label"[^>]*>9 items on 1 Mar<\/text>/)
    expect(svg.match(/class="bar peak"/g)).toHaveLength(1)
    expect(svg).toContain(`fill="${CHART_COLOURS.peak}"`)
    const total = counts.reduce((a, b) => a + b, 0)
    expect(svg).toContain(`aria-label="Border: items per day: ${total} items in 30 days"`)
  })

  it('scales bars to the busiest day and draws empty days as stubs', () => {
    const svg = renderDayChart(days([0, 2, 4]), 'x')
    expect(bars(svg).map((m) => [m[1]?.trim() ?? '', Number(m[2])])).toEqual([
      ['zero', 1],
      ['', 22],
      ['peak', 44],
    ])
  })

  it('labels the latest of equally busy days', () => {
    const svg = renderDayChart(days([5, 1, 5, 0]), 'x')
    expect(svg).toMatch(/>5 items on 9 Mar</)
  })

  it('says so when the window is empty, with no peak', () => {
    const svg = renderDayChart(days([0, 0, 0]), 'x')
    expect(svg).not.toContain('peak')
    expect(svg).toContain('no items on these days')
  })

  it('escapes its label', () => {
    expect(renderDayChart(days([1]), '<x>&')).toContain(
      'aria-label="&lt;x&gt;&amp;: 1 item in 1 day"',
    )
  })
})

describe('chartDays', () => {
  it('gives the UTC days ending with the given one, oldest first', () => {
    expect(chartDays(new Date('2026-03-01T23:59:59Z'), 3)).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
    ])
    expect(chartDays(new Date('2026-03-01T00:00:00Z'))).toHaveLength(30)
  })
})

describe('renderSparkline', () => {
  const poll = (outcome: PollOutcome, over: Partial<PollRecord> = {}): PollRecord => ({
    at: '2026-03-10T12:00:00.000Z',
    outcome,
    ...over,
  })

  it.each(Object.entries(POLL_COLOURS) as [PollOutcome, string][])(
    'colours a %s poll %s',
    (outcome, colour) => {
      const svg = renderSparkline([poll(outcome)], 'Dawn')
      expect(svg).toMatch(new RegExp(`<rect class="poll ${outcome}"[^>]*fill="${colour}"`))
    },
  )

  it('uses a distinct colour per outcome', () => {
    expect(new Set(Object.values(POLL_COLOURS)).size).toBe(Object.keys(POLL_COLOURS).length)
  })

  it('keeps the newest polls, newest on the right, with tooltips', () => {
    const history = Array.from({ length: 40 }, (_, i) =>
      poll(i === 39 ? 'error' : 'not-modified', {
        at: new Date(Date.UTC(2026, 2, 1, i)).toISOString(),
        status: i === 39 ? 503 : 304,
      }),
    )
    const svg = renderSparkline(history, 'Dawn')
    const rects = [...svg.matchAll(/<rect class="poll ([\w-]+)" x="(\d+)"/g)]
    expect(rects).toHaveLength(30)
    expect(rects.at(-1)?.[1]).toBe('error')
    expect(Number(rects.at(-1)?.[2])).toBeGreaterThan(Number(rects[0]?.[2]))
    expect(svg).toContain('<title>2 Mar 2026, 15:00 UTC: error (HTTP 503)</title>')
    expect(svg).toContain('aria-label="Dawn: last 30 polls: 29 unchanged (304), 1 error"')
  })

  it('draws an ok poll that stored changes taller than one that did not', () => {
    const svg = renderSparkline([poll('ok', { changed: 3 }), poll('ok', { changed: 0 })], 'x')
    const heights = [...svg.matchAll(/class="poll ok"[^>]*height="(\d+)"/g)].map((m) =>
      Number(m[1]),
    )
    expect(heights[0]).toBeGreaterThan(heights[1] ?? 0)
    expect(svg).toContain('ok (3 new or updated)')
  })

  it('renders a note for an empty history', () => {
    expect(renderSparkline([], 'x')).toBe(
      '<span class="muted spark-empty">no polls recorded yet</span>',
    )
    expect(summarizePolls([])).toBe('no polls recorded yet')
  })
})

describe('html text helpers', () => {
  it.each([
    ['<a href="x">&\'', '&lt;a href=&quot;x&quot;&gt;&amp;&#39;'],
    ['bell\u0007 and nul\u0000', 'bell and nul'],
    ['اردو', 'اردو'],
  ])('escapes %j', (input, out) => {
    expect(escapePageText(input)).toBe(out)
  })

  it.each([
    ['https://a.example/x?y=1', 'https://a.example/x?y=1'],
    ['http://a.example', 'http://a.example/'],
    ['javascript:alert(1)', undefined],
    ['data:text/html,hi', undefined],
    ['/relative', undefined],
    [undefined, undefined],
  ])('httpHref(%j) = %j', (input, out) => {
    expect(httpHref(input)).toBe(out)
  })

  it('formats UTC dates without a locale', () => {
    expect(formatUtc('2026-03-10T09:05:00.000Z')).toBe('10 Mar 2026, 09:05 UTC')
    expect(formatUtc('not a date')).toBe('not a date')
  })
})
