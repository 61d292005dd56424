/** Sample items, sources and topics shared by the publish tests (our own text, no corpus copy). */
import type { Item, Source, Topic } from '../../src/model/types.js'
import type { FeedDocument } from '../../src/publish/document.js'
import { buildFeedDocument, type FeedContext, type FeedInput } from '../../src/publish/feed.js'

export const BASE_URL = 'http://localhost:8080'

export const sampleSources: Source[] = [
  {
    id: 'dawn',
    title: 'Dawn',
    url: 'https://www.dawn.com/feeds/home',
    tags: ['pakistan'],
    language: 'en',
    priority: 10,
    enabled: true,
  },
  {
    id: 'bbc-urdu',
    title: 'BBC اردو',
    url: 'https://feeds.bbci.co.uk/urdu/rss.xml',
    tags: ['pakistan', 'urdu'],
    language: 'ur',
    priority: 0,
    enabled: true,
  },
  {
    id: 'tests-and-more',
    title: 'Tests & <More>',
    url: 'https://example.org/feed?a=1&b=2',
    tags: [],
    priority: 0,
    enabled: true,
  },
]

export const sampleTopics: Topic[] = [
  {
    id: 'pakistan-afghanistan',
    title: 'Pakistan–Afghanistan relations',
    match: { any: ['Pakistan'] },
    in: ['title'],
  },
  {
    id: 'border-trade',
    title: 'Border crossings & trade <Torkham>',
    match: { any: ['Torkham'] },
    in: ['title'],
  },
]

const base = {
  guid: undefined,
  categories: [],
  enclosures: [],
  contentHash: 'h0',
  topics: [],
} satisfies Partial<Item>

/** Four items: HTML content, `&`/`<`, Urdu, enclosures, 2 topics, a removed source, no URL. */
export const sampleItems: Item[] = [
  {
    ...base,
    id: '1b4e28ba-2fa1-51d2-883f-0016d3cca427',
    sourceId: 'dawn',
    url: 'https://www.dawn.com/news/1001?ref=rss&utm=x',
    title: 'Torkham reopens: "trade & transit" <resumes> after talks',
    summary: 'Trucks & traders queue at the border; officials say <more> crossings follow.',
    contentHtml:
      '<p>Trucks &amp; traders queued at <b>Torkham</b> as the crossing reopened.</p>' +
      '<p><a href="https://www.dawn.com/news/1001?a=1&amp;b=2">Read more</a></p>',
    author: 'Staff Reporter',
    language: 'en',
    enclosures: [
      { url: 'https://images.dawn.com/torkham.jpg', type: 'image/jpeg', length: 48213 },
      { url: 'https://images.dawn.com/map.png', type: 'image/png' },
    ],
    publishedAt: '2025-07-01T08:00:00.000Z',
    updatedAt: '2025-07-01T10:30:00.000Z',
    fetchedAt: '2025-07-01T10:31:00.000Z',
    contentHash: 'c1',
    topics: ['border-trade', 'pakistan-afghanistan'],
    clusterId: '1b4e28ba-2fa1-51d2-883f-0016d3cca427',
  },
  {
    ...base,
    id: '6fa459ea-ee8a-5ca4-894e-db77e160355e',
    sourceId: 'bbc-urdu',
    url: 'https://www.bbc.com/urdu/articles/c0001',
    title: 'پاکستان اور افغانستان کے درمیان طورخم سرحد دوبارہ کھل گئی',
    summary: 'طورخم سرحد پر تجارت بحال ہو گئی ہے۔',
    contentHtml: '<p dir="rtl">طورخم سرحد پر تجارت بحال ہو گئی ہے۔</p>',
    language: 'ur',
    enclosures: [{ url: 'https://www.bbc.com/urdu/audio/c0001.mp3', type: 'audio/mpeg' }],
    publishedAt: '2025-06-30T21:15:00.000Z',
    fetchedAt: '2025-06-30T21:20:00.000Z',
    contentHash: 'c2',
    topics: ['pakistan-afghanistan'],
    clusterId: '6fa459ea-ee8a-5ca4-894e-db77e160355e',
  },
  {
    ...base,
    id: '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    sourceId: 'tests-and-more',
    url: 'https://example.org/posts/xss?x=<y>&z="q"',
    title: '<script>alert("x")</script> & ]]> ]]> Türkiye — naïve café',
    summary: 'Use &amp; in XML; <b>not bold</b>.',
    contentHtml: '<p>a ]]> b ]]> c &amp; d</p>',
    author: 'Ann <ann@example.org> & Bob',
    enclosures: [
      { url: 'https://example.org/v.mp4', type: 'video/mp4', length: 1000 },
      { url: 'javascript:alert(1)', type: 'text/html' },
      { url: 'https://example.org/file.bin', type: 'not a mime type' },
    ],
    publishedAt: '2025-06-29T12:00:00.000Z',
    fetchedAt: '2025-06-29T12:05:00.000Z',
    contentHash: 'c3',
    topics: [],
    clusterId: '886313e1-3b8a-5372-9b90-0c9aee199e5d',
  },
  {
    ...base,
    id: 'a6f1c8e2-0d4b-5e7a-9c3d-2b1e0f9a8d7c',
    sourceId: 'removed-source',
    title: 'An item without a link\u0000 or content\u0007',
    summary: 'Only a summary here.',
    publishedAt: '2025-06-28T06:00:00.000Z',
    fetchedAt: '2025-06-28T06:01:00.000Z',
    contentHash: 'c4',
    topics: ['pakistan-afghanistan'],
    clusterId: 'a6f1c8e2-0d4b-5e7a-9c3d-2b1e0f9a8d7c',
  },
]

export const sampleContext: FeedContext = {
  baseUrl: BASE_URL,
  sources: sampleSources,
  topics: sampleTopics,
}

export const sampleInput: FeedInput = {
  id: 'tag:localhost,2025:topics/pakistan-afghanistan',
  title: 'Pakistan–Afghanistan relations & <more>',
  description: 'Items tagged "Pakistan–Afghanistan relations" from all sources',
  path: '/topics/pakistan-afghanistan',
  query: 'since=7d&q=%22transit+trade%22',
}

/** The document every renderer test renders. */
export const sampleDocument = (): FeedDocument =>
  buildFeedDocument(sampleInput, sampleItems, sampleContext)
