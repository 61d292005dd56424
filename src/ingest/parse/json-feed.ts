/** JSON Feed 1.0 / 1.1 object → ParsedFeed (read directly, no library). */
import { ParseError } from '../../model/errors.js'
import type { Enclosure } from '../../model/types.js'
import type { ParsedEntry, ParsedFeed } from './types.js'
import { escapeHtml, isRecord, str } from './xml-nodes.js'

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.flatMap((x) => (typeof x === 'string' && x.trim() ? [x.trim()] : [])) : []

/** `authors` (1.1) or `author` (1.0): the names, joined. */
const authorOf = (item: Record<string, unknown>): string | undefined => {
  const list = Array.isArray(item.authors) ? item.authors : item.author ? [item.author] : []
  const names = list.flatMap((a) => (isRecord(a) && str(a.name) ? [String(a.name).trim()] : []))
  return names.length ? names.join(', ') : undefined
}

const attachments = (v: unknown): Enclosure[] =>
  (Array.isArray(v) ? v : []).flatMap((a) => {
    if (!isRecord(a)) return []
    const url = str(a.url)?.trim()
    if (!url) return []
    const type = str(a.mime_type)?.trim()
    const size =
      typeof a.size_in_bytes === 'number' && a.size_in_bytes >= 0 ? a.size_in_bytes : undefined
    return [{ url, ...(type ? { type } : {}), ...(size === undefined ? {} : { length: size }) }]
  })

const plain = (v: unknown): string | undefined => {
  const s = str(v)?.trim()
  return s ? escapeHtml(s) : undefined
}

/** Plain text (already escaped) as HTML paragraphs: blank lines split paragraphs, newlines break. */
const paragraphs = (text: string): string =>
  text
    .split(/\n\s*\n/)
    .map((p) => `<p>${p.trim().replace(/\n/g, '<br>')}</p>`)
    .join('')

const toEntry = (item: Record<string, unknown>): ParsedEntry => {
  const text = plain(item.content_text)
  const entry: ParsedEntry = {
    categories: strings(item.tags),
    enclosures: attachments(item.attachments),
  }
  const guid = str(item.id)?.trim()
  const link = str(item.url)?.trim() ?? str(item.external_url)?.trim()
  const title = plain(item.title)
  const summary = plain(item.summary)
  const contentHtml = str(item.content_html)?.trim() ?? (text ? paragraphs(text) : undefined)
  const author = authorOf(item)
  const published = str(item.date_published)?.trim()
  const updated = str(item.date_modified)?.trim()
  if (guid) entry.guid = guid
  if (link) entry.link = link
  if (title) entry.title = title
  if (summary) entry.summary = summary
  if (contentHtml) entry.contentHtml = contentHtml
  if (author) entry.author = author
  if (published) entry.published = published
  if (updated) entry.updated = updated
  return entry
}

/**
 * Reads a JSON Feed (version 1 or 1.1) already parsed by `JSON.parse`. Plain-text fields are
 * HTML-escaped so that every ParsedEntry text field is HTML. Throws `ParseError` when `items`
 * is missing.
 */
export const parseJsonFeed = (feed: Record<string, unknown>, _url: string): ParsedFeed => {
  if (!Array.isArray(feed.items))
    throw new ParseError('not a feed: the JSON Feed has no "items" array')
  const title = plain(feed.title)
  const link = str(feed.home_page_url)?.trim()
  const description = plain(feed.description)
  const language = str(feed.language)?.trim()
  return {
    format: 'json',
    ...(title ? { title } : {}),
    ...(link ? { link } : {}),
    ...(description ? { description } : {}),
    ...(language ? { language } : {}),
    entries: feed.items.filter(isRecord).map(toEntry),
    recovered: [],
  }
}
