/** The HTML index page (`GET /`): feeds, topics with charts, latest items, source health, autodiscovery. */
import type { FeedFormat, PollOutcome, PollRecord } from '../model/types.js'
import { httpHref } from '../util/url.js'
import { escapePageText } from './escape.js'
import { INDEX_CSS } from './html-style.js'
import { formatUtc } from './html-text.js'
import {
  type DayCount,
  POLL_LABELS,
  renderDayChart,
  renderSparkline,
  summarizePolls,
} from './svg-chart.js'

/** A source's health as the page shows it (the same words as `/api/sources`). */
export type SourceStatus = 'ok' | 'failing' | 'gone' | 'pending' | 'disabled'

/** A named feed from `feeds:`. */
export interface IndexFeed {
  id: string
  title: string
  description?: string
  /** Items the feed serves now (at most its limit). */
  itemCount: number
  /** The topics it is made of (`{ id, title }`); empty: any topic. */
  topics: { id: string; title: string }[]
}

/** A topic with its chart. */
export interface IndexTopic {
  id: string
  title: string
  /** Stored items tagged with it (reports: one outlet's item each). */
  itemCount: number
  /** Stories among them: what its collapsed feed lists, each report of one story counted once. */
  storyCount: number
  /** Items per day, oldest first (usually the last 30 days). */
  chart: DayCount[]
  /** Said under the chart, e.g. why it does not end today. */
  chartNote?: string
}

/** One of the latest items. */
export interface IndexItem {
  id: string
  /** Plain text from the internet: escaped when rendered. */
  title: string
  url?: string
  sourceId: string
  sourceTitle: string
  publishedAt: string
  topics: { id: string; title: string }[]
  language?: string
}

/** A configured source with its health. */
export interface IndexSource {
  id: string
  title: string
  url: string
  status: SourceStatus
  lastFetchAt?: string
  lastSuccessAt?: string
  lastStatus?: number
  /** The last error sentence (shown while the source is failing). */
  lastError?: string
  failures: number
  itemCount: number
  /** Recent polls, oldest first; empty when none were recorded. */
  history: readonly PollRecord[]
}

/** Everything the index page shows; built by the route from the store and the configuration. */
export interface IndexPage {
  title: string
  /** Absolute, without a trailing slash. */
  baseUrl: string
  /** `server.feed_token`, when set: every link to our own routes carries `?token=`. */
  token?: string
  totalItems: number
  feeds: IndexFeed[]
  topics: IndexTopic[]
  latest: IndexItem[]
  sources: IndexSource[]
}

const FORMATS: { ext: FeedFormat; label: string; type: string }[] = [
  { ext: 'rss', label: 'RSS', type: 'application/rss+xml' },
  { ext: 'atom', label: 'Atom', type: 'application/atom+xml' },
  { ext: 'json', label: 'JSON Feed', type: 'application/feed+json' },
]

/**
 * Renders the whole page (pure): valid HTML5, no script, one inline stylesheet (INDEX_CSS), every
 * value from the store or the configuration escaped, every link to our own routes absolute and
 * carrying the feed token when one is configured.
 * @example c.html(renderIndexPage(await buildIndexPage(deps)))
 */
export const renderIndexPage = (page: IndexPage): string => {
  const link = linker(page.baseUrl, page.token)
  const alternates = [
    ...page.feeds.map((f) => ({ path: `/feeds/${f.id}`, title: f.title })),
    ...page.topics.map((t) => ({ path: `/topics/${t.id}`, title: t.title })),
  ].flatMap(({ path, title }) =>
    FORMATS.filter((f) => f.ext !== 'json').map(
      (f) =>
        `<link rel="alternate" type="${f.type}" title="${escapePageText(`${title} (${f.label})`)}" href="${escapePageText(link(path, f.ext))}">`,
    ),
  )
  const title = escapePageText(page.title)
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    '<meta name="referrer" content="same-origin">',
    `<title>${title}</title>`,
    `<meta name="description" content="${title}: topic feeds aggregated from ${page.sources.length} news sources">`,
    '<link rel="icon" href="data:,">',
    ...alternates,
    `<style>${INDEX_CSS}</style>`,
    '</head>',
    '<body>',
    renderHeader(page, link),
    '<main>',
    renderTopics(page.topics, link),
    renderFeeds(page.feeds, link),
    renderLatest(page.latest),
    renderSources(page.sources, link),
    '</main>',
    renderFooter(link),
    '</body>',
    '</html>',
    '',
  ].join('\n')
}

// --- Internal helpers ---

/** Builds absolute links to our own routes, with the feed token when there is one. */
type Link = (path: string, ext?: FeedFormat) => string

const linker =
  (baseUrl: string, token?: string): Link =>
  (path, ext) => {
    const base = baseUrl.replace(/\/+$/, '')
    const q = token ? `?token=${encodeURIComponent(token)}` : ''
    return `${base}${path}${ext ? `.${ext}` : ''}${q}`
  }

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/** "16 stories · 18 reports": the feed lists stories, the store holds each outlet's report. */
const storiesAndReports = (stories: number, reports: number): string =>
  `${stories} ${stories === 1 ? 'story' : 'stories'} · ${plural(reports, 'report')}`

const time = (iso: string): string =>
  `<time datetime="${escapePageText(iso)}">${escapePageText(formatUtc(iso))}</time>`

const subscribeList = (path: string, title: string, link: Link): string =>
  `<ul class="subscribe" aria-label="${escapePageText(`Subscribe to ${title}`)}">${FORMATS.map(
    (f) =>
      `<li><a href="${escapePageText(link(path, f.ext))}" type="${f.type}">${f.label}</a></li>`,
  ).join('')}</ul>`

const topicChips = (topics: readonly { id: string; title: string }[]): string =>
  topics
    .map(
      (t) => `<a class="chip" href="#topic-${escapePageText(t.id)}">${escapePageText(t.title)}</a>`,
    )
    .join('')

const renderHeader = (page: IndexPage, link: Link): string => {
  const ok = page.sources.filter((s) => s.status === 'ok').length
  const failing = page.sources.filter((s) => s.status === 'failing' || s.status === 'gone').length
  // ISO 8601 UTC strings sort as times.
  const lastPoll = page.sources
    .flatMap((s) => (s.lastFetchAt ? [s.lastFetchAt] : []))
    .sort()
    .at(-1)
  const health = [`${ok} ok`, failing > 0 ? `${failing} failing` : ''].filter(Boolean).join(', ')
  return [
    '<header>',
    `<h1>${escapePageText(page.title)}</h1>`,
    `<p class="muted">${plural(page.sources.length, 'source')} (${health}) · ${plural(page.totalItems, 'item')} stored${lastPoll ? ` · last poll ${time(lastPoll)}` : ''}</p>`,
    '<nav aria-label="Sections"><a href="#topics">Topics</a><a href="#feeds">Feeds</a><a href="#latest">Latest items</a><a href="#sources">Sources</a>',
    `<a href="${escapePageText(link('/opml'))}" type="text/x-opml">Import all feeds (OPML)</a></nav>`,
    '</header>',
  ].join('\n')
}

const renderTopics = (topics: readonly IndexTopic[], link: Link): string => {
  const cards = topics.map((t) => {
    const path = `/topics/${t.id}`
    return [
      `<article class="card topic" id="topic-${escapePageText(t.id)}">`,
      `<h3>${escapePageText(t.title)}</h3>`,
      `<p class="muted"><span class="count">${storiesAndReports(t.storyCount, t.itemCount)}</span></p>`,
      subscribeList(path, t.title, link),
      renderDayChart(t.chart, `${t.title}: items per day`),
      t.chartNote ? `<p class="muted">${escapePageText(t.chartNote)}</p>` : '',
      '</article>',
    ].join('')
  })
  const body = cards.length ? `<div class="grid">${cards.join('\n')}</div>` : empty('No topics.')
  return `<section id="topics"><h2>Topics</h2>\n${body}\n</section>`
}

const renderFeeds = (feeds: readonly IndexFeed[], link: Link): string => {
  const cards = feeds.map((f) =>
    [
      `<article class="card feed" id="feed-${escapePageText(f.id)}">`,
      `<h3>${escapePageText(f.title)}</h3>`,
      f.description ? `<p>${escapePageText(f.description)}</p>` : '',
      `<p class="muted"><span class="count">${plural(f.itemCount, 'item')}</span>${f.topics.length ? ` · ${topicChips(f.topics)}` : ' · every topic'}</p>`,
      subscribeList(`/feeds/${f.id}`, f.title, link),
      '</article>',
    ].join(''),
  )
  const body = cards.length
    ? `<div class="grid">${cards.join('\n')}</div>`
    : empty('No named feeds are configured (add them under feeds: in the YAML file).')
  return `<section id="feeds"><h2>Feeds</h2>\n${body}\n</section>`
}

const renderLatest = (items: readonly IndexItem[]): string => {
  const rows = items.map((i) => {
    const href = httpHref(i.url)
    const lang = i.language && /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i.test(i.language) ? i.language : ''
    const attrs = `dir="auto"${lang ? ` lang="${escapePageText(lang)}"` : ''}`
    const title = href
      ? `<a class="title" href="${escapePageText(href)}" rel="noreferrer" ${attrs}>${escapePageText(i.title)}</a>`
      : `<span class="title" ${attrs}>${escapePageText(i.title)}</span>`
    const chips = i.topics.length ? ` · ${topicChips(i.topics)}` : ''
    const source = `<a href="#source-${escapePageText(i.sourceId)}">${escapePageText(i.sourceTitle)}</a>`
    return `<li>${title}<div class="meta">${source} · ${time(i.publishedAt)}${chips}</div></li>`
  })
  const body = rows.length
    ? `<ol class="items">\n${rows.join('\n')}\n</ol>`
    : empty('No items yet: the first poll may still be running.')
  return `<section id="latest"><h2>Latest items</h2>\n${body}\n</section>`
}

const LEGEND: PollOutcome[] = ['ok', 'not-modified', 'error', 'retry-later', 'gone']

const renderSources = (sources: readonly IndexSource[], link: Link): string => {
  const legend = `<p class="legend" aria-hidden="true">${LEGEND.map(
    (o) => `<span><span class="sw ${o}"></span>${POLL_LABELS[o]}</span>`,
  ).join('')}</p>`
  const cards = sources.map((s) => {
    const origin = httpHref(s.url)
    const success = s.lastSuccessAt ? `last success ${time(s.lastSuccessAt)}` : 'no success yet'
    const status = s.lastStatus !== undefined ? ` · HTTP ${s.lastStatus}` : ''
    const problem =
      s.status === 'gone'
        ? '<p class="error">The source answered 410 Gone: polling stopped.</p>'
        : s.failures > 0
          ? `<p class="error">${plural(s.failures, 'failure')} in a row${s.lastError ? `: ${escapePageText(s.lastError)}` : ''}</p>`
          : ''
    return [
      `<article class="card source" id="source-${escapePageText(s.id)}">`,
      `<h3>${escapePageText(s.title)}<span class="badge ${s.status}">${s.status}</span></h3>`,
      `<p class="muted">${plural(s.itemCount, 'item')} · ${success}${status}</p>`,
      problem,
      renderSparkline(s.history, `${s.title}: recent polls`),
      s.history.length ? `<p class="muted">${escapePageText(summarizePolls(s.history))}</p>` : '',
      `<p class="muted"><a href="${escapePageText(link(`/sources/${s.id}`, 'rss'))}" type="application/rss+xml">RSS of this source</a>`,
      origin ? ` · <a href="${escapePageText(origin)}" rel="noreferrer">original feed</a>` : '',
      '</p></article>',
    ].join('')
  })
  const body = cards.length
    ? `${legend}<div class="grid">${cards.join('\n')}</div>`
    : empty('No sources are configured.')
  return `<section id="sources"><h2>Sources</h2>\n${body}\n</section>`
}

const renderFooter = (link: Link): string => {
  const api = ['items', 'sources', 'topics', 'feeds']
    .map((p) => `<a href="${escapePageText(link(`/api/${p}`))}">/api/${p}</a>`)
    .join(' · ')
  return `<footer><p>Subscribe to everything at once: <a href="${escapePageText(link('/opml'))}" type="text/x-opml">OPML</a>. JSON: ${api}.</p><p>Served by topicwire.</p></footer>`
}

const empty = (text: string): string => `<p class="muted">${escapePageText(text)}</p>`
