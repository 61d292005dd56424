/** RSS 2.0 rendering of a FeedDocument with `feed` (jpmonette/feed v6), made valid for the W3C validator. */
import { type Extension, Feed, type Item as FeedItem } from 'feed'
import type { Enclosure } from '../model/types.js'
import type { DocItem, FeedDocument } from './document.js'
import { escapeHtml } from './escape.js'

/** Re-exported for callers that look for it next to the renderer; it lives in feed.ts. */

const DC_NS = 'http://purl.org/dc/elements/1.1/'

/**
 * Renders RSS 2.0 (pure, deterministic).
 *
 * How `feed`'s output is steered to stay valid:
 * - names go in `dc:creator` (RSS `<author>` must be an e-mail address);
 * - `<guid isPermaLink="false">urn:uuid:…</guid>`, `<atom:link rel="self">`, `rel="next"`;
 * - topics as `<category domain="…/topics">Title</category>`, the source as `<source url>`;
 * - the first enclosure only (RSS allows one), with `length="0"` when unknown;
 * - the title is escaped text (not CDATA: xml-js splits only the first `]]>`), the summary is
 *   HTML-escaped into `<description>`, and `content:encoded` carries the sanitised HTML.
 * xml-js (under `feed`) turns `&amp;` back into `&` before escaping text and does not escape
 * `&`/`<` in attributes, so every value is pre-escaped here to come out exactly once escaped.
 */
export const renderRss = (doc: FeedDocument): string => {
  const feed = new Feed({
    id: doc.id,
    title: text(doc.title),
    description: text(doc.description),
    link: doc.homeUrl,
    updated: new Date(doc.updated),
    generator: text(doc.generator),
    feedLinks: { rss: doc.selfUrls.rss },
    ...(doc.language ? { language: text(doc.language) } : {}),
  })
  if (doc.nextUrls) {
    // Replaces the self link `feed` writes, in place, with self + next.
    feed.addExtension({
      name: 'atom:link',
      objects: [
        { _attributes: { href: attr(doc.selfUrls.rss), rel: 'self', type: 'application/rss+xml' } },
        { _attributes: { href: attr(doc.nextUrls.rss), rel: 'next', type: 'application/rss+xml' } },
      ] as unknown as Record<string, unknown>,
    })
  }
  for (const item of doc.items) feed.addItem(toFeedItem(item, doc.categoryScheme))
  return `${ensureNamespace(feed.rss2(), 'dc', DC_NS)}\n`
}

// --- Internal helpers ---

const toFeedItem = (item: DocItem, scheme: string): FeedItem => {
  const extensions: Extension[] = [
    // Overrides `feed`'s CDATA title (same position in the element).
    { name: 'title', objects: { _text: text(item.title) } },
  ]
  if (item.author) extensions.push({ name: 'dc:creator', objects: { _text: text(item.author) } })
  extensions.push({
    name: 'source',
    objects: { _attributes: { url: attr(item.source.url) }, _text: text(item.source.title) },
  })
  const description = item.summary ? escapeHtml(item.summary) : item.contentHtml
  const out: FeedItem = {
    title: item.title,
    link: item.url ?? '',
    guid: item.id,
    date: new Date(item.updated ?? item.published),
    published: new Date(item.published),
    category: item.categories.map((c) => ({ name: text(c.label), domain: attr(scheme) })),
    extensions,
  }
  if (description) out.description = cdata(description)
  // With a summary, the full HTML goes to content:encoded; without one it is the description.
  if (item.summary && item.contentHtml) out.content = cdata(item.contentHtml)
  const enclosure = item.enclosures[0]
  if (enclosure) out.enclosure = rssEnclosure(enclosure)
  return out
}

const rssEnclosure = (e: Enclosure): Enclosure => ({
  url: e.url,
  type: attr(e.type ?? 'application/octet-stream'),
  length: e.length !== undefined && Number.isSafeInteger(e.length) && e.length > 0 ? e.length : 0,
})

/** Text for xml-js: it un-escapes `&amp;` first, so escaping `&` here survives exactly once. */
const text = (s: string): string => s.replace(/&/g, '&amp;')

/** Attribute for xml-js: it escapes only `"`. */
const attr = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** CDATA body: xml-js splits only the first `]]>`; `]]&gt;` means the same in HTML text. */
const cdata = (html: string): string => html.replace(/]]>/g, ']]&gt;')

/** Declares `xmlns:prefix` on the root `<rss>` element when `feed` did not. */
const ensureNamespace = (xml: string, prefix: string, uri: string): string => {
  // The root start tag precedes all user content, so the first match is the real one.
  const m = /<rss\b[^>]*>/.exec(xml)
  if (!m || m[0].includes(`xmlns:${prefix}=`)) return xml
  const tag = m[0].replace(/>$/, ` xmlns:${prefix}="${uri}">`)
  return xml.slice(0, m.index) + tag + xml.slice(m.index + m[0].length)
}
