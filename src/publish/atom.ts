/** Atom 1.0 rendering of a FeedDocument: `feed` writes the feed head, the entries are ours. */
import { Feed } from 'feed'
import type { DocItem, FeedDocument } from './document.js'

const I1 = '    '
const I2 = I1 + I1
const I3 = I2 + I1

/**
 * Renders Atom 1.0 (RFC 4287; pure, deterministic).
 *
 * `feed` v6 writes the `<feed>` head (id, title, updated, generator, author, alternate and self
 * links, subtitle). Its entries cannot be used as they are: it marks plain-text titles as
 * `type="html"`, requires an alternate link, derives enclosure types from file extensions, has no
 * `<source>`, and leaves `<` unescaped in attributes. So entries are written here, each with
 * `<id>` = the item id, `<published>`, `<updated>` (= updated ?? published), topic categories
 * (`term` = topic id, `label` = title, `scheme` = `…/topics`), enclosure links and an
 * `<source>` (id, title, self link, updated, author = the source's name) saying where it came
 * from; that source author also satisfies RFC 4287's author rule for entries without one. A feed
 * without entries gets a feed-level `<author>` (its title) instead.
 */
export const renderAtom = (doc: FeedDocument): string => {
  const head = new Feed({
    id: text(doc.id),
    title: text(doc.title),
    description: text(doc.description),
    link: doc.homeUrl,
    updated: new Date(doc.updated),
    // `feed` escapes `&` in the generator itself.
    generator: doc.generator,
    // Atom needs an author for an entry-less feed; entries name theirs through <source>.
    ...(doc.items.length === 0 ? { author: { name: text(doc.title) } } : {}),
    feedLinks: { atom: doc.selfUrls.atom },
  }).atom1()
  const extra: string[] = []
  if (doc.nextUrls) extra.push(`${I1}<link rel="next" href="${escAttr(doc.nextUrls.atom)}"/>`)
  for (const item of doc.items) extra.push(renderEntry(item, doc.categoryScheme))
  const end = head.lastIndexOf('</feed>')
  const body = `${head.slice(0, end)}${extra.map((e) => `${e}\n`).join('')}${head.slice(end)}`
  return `${doc.language ? setRootLang(body, doc.language) : body}\n`
}

// --- Internal helpers ---

const renderEntry = (item: DocItem, scheme: string): string => {
  const lines: string[] = [
    `${I2}<id>${esc(item.id)}</id>`,
    `${I2}<title>${esc(item.title)}</title>`,
  ]
  if (item.url) lines.push(`${I2}<link rel="alternate" href="${escAttr(item.url)}"/>`)
  const updated = rfc3339(item.updated ?? item.published)
  lines.push(`${I2}<published>${rfc3339(item.published)}</published>`)
  lines.push(`${I2}<updated>${updated}</updated>`)
  if (item.author) lines.push(`${I2}<author><name>${esc(item.author)}</name></author>`)
  for (const c of item.categories) {
    lines.push(
      `${I2}<category term="${escAttr(c.term)}" scheme="${escAttr(scheme)}" label="${escAttr(c.label)}"/>`,
    )
  }
  if (item.summary) lines.push(`${I2}<summary>${esc(item.summary)}</summary>`)
  if (item.contentHtml) {
    lines.push(`${I2}<content type="html">${esc(item.contentHtml)}</content>`)
  } else if (!item.url) {
    // An entry needs content or an alternate link (RFC 4287 §4.1.2).
    lines.push(`${I2}<content>${esc(item.summary ?? item.title)}</content>`)
  }
  // Other outlets' reports of the same story (collapsed feeds): RFC 4287 "related" links.
  for (const o of item.alsoReportedBy ?? []) {
    lines.push(
      `${I2}<link rel="related" href="${escAttr(o.url)}" title="${escAttr(`${o.source.title}: ${o.title}`)}"/>`,
    )
  }
  for (const e of item.enclosures) {
    const type = e.type ? ` type="${escAttr(e.type)}"` : ''
    const length = e.length ? ` length="${e.length}"` : ''
    lines.push(`${I2}<link rel="enclosure" href="${escAttr(e.url)}"${type}${length}/>`)
  }
  lines.push(
    `${I2}<source>`,
    `${I3}<id>${esc(item.source.url)}</id>`,
    `${I3}<title>${esc(item.source.title)}</title>`,
    `${I3}<link rel="self" href="${escAttr(item.source.url)}"/>`,
    `${I3}<updated>${updated}</updated>`,
    `${I3}<author><name>${esc(item.source.title)}</name></author>`,
    `${I2}</source>`,
  )
  const lang = item.language ? ` xml:lang="${escAttr(item.language)}"` : ''
  return `${I1}<entry${lang}>\n${lines.join('\n')}\n${I1}</entry>`
}

const rfc3339 = (iso: string): string => new Date(iso).toISOString()

/** XML character data. */
const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** XML attribute value in double quotes. */
const escAttr = (s: string): string => esc(s).replace(/"/g, '&quot;')

/** Text for xml-js (under `feed`): it un-escapes `&amp;` first, so `&` is escaped here once. */
const text = (s: string): string => s.replace(/&/g, '&amp;')

/** Adds `xml:lang` to the root `<feed>` start tag (the first one: it precedes all content). */
const setRootLang = (xml: string, lang: string): string =>
  xml.replace(
    /<feed\b([^>]*)>/,
    (_m, attrs: string) => `<feed${attrs} xml:lang="${escAttr(lang)}">`,
  )
