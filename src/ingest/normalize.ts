/** ParsedFeed → complete Items: stable ids, absolute URLs, plain text, dates, sanitised HTML. */
import type { Enclosure, Item, Source } from '../model/types.js'
import { sha256HexOfPieces, stableUuid } from '../util/hash.js'
import { canonicalUrl, resolveUrl } from '../util/url.js'
import { rememberCutSummary } from './cut-summary.js'
import { findReusedGuids } from './dedupe.js'
import { parseFeedDate } from './parse/dates.js'
import type { ParsedEntry, ParsedFeed } from './parse/types.js'
import { htmlToText, sanitizeHtml, sanitizeHtmlAndText } from './sanitize.js'

/** Longest summary kept, in characters (cut at a word boundary, with an ellipsis). */
export const SUMMARY_MAX = 600

/**
 * What one item may hold. A field past its cap is cut (said in the source's "recovered from")
 * before any HTML work, so a 9 MB title costs no more than a long one and is neither stored nor
 * served whole. `*Html` caps apply to the markup as the feed sent it.
 */
export const ITEM_CAPS = {
  /** Characters of a title's text (cut at a word boundary). */
  title: 500,
  /** Characters of title markup read at all. */
  titleHtml: 8_192,
  /** Characters of summary markup read for the summary's text. */
  summaryHtml: 65_536,
  /** Characters of content markup sanitised, and of the sanitised HTML kept. */
  contentHtml: 262_144,
  /** Characters of an author's name. */
  author: 300,
  categories: 50,
  /** Characters of one category. */
  category: 200,
  enclosures: 20,
  /** Characters of a link, guid or enclosure URL; a longer link or enclosure is dropped. */
  url: 4_096,
} as const

type CappedField =
  | 'title'
  | 'summary'
  | 'content'
  | 'author'
  | 'categories'
  | 'enclosures'
  | 'link'
  | 'guid'
/** Dates further than this in the future are the source's clock or timezone error. */
const FUTURE_TOLERANCE_MS = 10 * 60_000
const TITLE_FROM_SUMMARY_MAX = 80

const isWeb = (url: string | undefined): url is string => !!url && /^https?:\/\//i.test(url)

/** What {@link truncate} keeps of a text longer than `max`, before the `…`. */
const cutHead = (text: string, max: number): string => {
  const cut = text.slice(0, max - 1)
  const space = cut.lastIndexOf(' ')
  return trimTrailingPunctuation(space > max * 0.6 ? cut.slice(0, space) : cut)
}

/** A character {@link trimTrailingPunctuation} removes from the end. */
const TRAILING = /[\s,;:.–-]/

/**
 * `text.replace(/[\s,;:.–-]+$/, '')`, reading from the end: the regex tried a match at every
 * space of the text (a cut summary is 600 characters) to find the run at its end.
 */
export const trimTrailingPunctuation = (text: string): string => {
  let end = text.length
  while (end > 0 && TRAILING.test(text[end - 1] as string)) end--
  return end === text.length ? text : text.slice(0, end)
}

/** Cuts text to `max` characters at a word boundary, adding `…` when something was cut. */
const truncate = (text: string, max: number): string =>
  text.length <= max ? text : `${cutHead(text, max)}…`

/** Trimmed, deduplicated (case-insensitively, first spelling kept) plain-text categories. */
const cleanCategories = (raw: string[]): string[] => {
  const seen = new Set<string>()
  const out: string[] = []
  for (const c of raw) {
    if (out.length === ITEM_CAPS.categories) break
    const text = truncate(htmlToText(c.slice(0, ITEM_CAPS.category * 4)), ITEM_CAPS.category)
    const key = text.toLowerCase()
    if (!text || seen.has(key)) continue
    seen.add(key)
    out.push(text)
  }
  return out
}

const cleanEnclosures = (raw: Enclosure[], base: string): Enclosure[] => {
  const seen = new Set<string>()
  const out: Enclosure[] = []
  for (const e of raw) {
    if (out.length === ITEM_CAPS.enclosures) break
    if (e.url.length > ITEM_CAPS.url) continue
    const url = resolveUrl(e.url, base)
    if (!isWeb(url) || seen.has(url)) continue
    seen.add(url)
    out.push({
      url,
      ...(e.type?.trim() ? { type: e.type.trim() } : {}),
      ...(e.length === undefined ? {} : { length: e.length }),
    })
  }
  return out
}

/**
 * Sanitised content of at most ITEM_CAPS.contentHtml characters. The markup is cut before
 * sanitising (the cost follows the input); absolute URLs and closed tags can make the result
 * longer than what went in, and then a proportionally shorter piece is sanitised once more.
 */
const cappedHtml = (raw: string, base: string): string => {
  const cap = ITEM_CAPS.contentHtml
  const html = sanitizeHtml(raw.slice(0, cap), base)
  if (html.length <= cap) return html
  const shorter = sanitizeHtml(raw.slice(0, Math.floor((cap * cap * 0.9) / html.length)), base)
  return shorter.length <= cap ? shorter : ''
}

/** Markup read whole both for the summary's text and as content, uncut by either cap. */
const SHARED_MAX = Math.min(ITEM_CAPS.summaryHtml, ITEM_CAPS.contentHtml)

/** HTML with markup, as opposed to plain text that merely sits in an HTML field. */
const hasMarkup = (html: string): boolean => /<[a-z][^>]*>/i.test(html)

/** The entry's date as written, read as an ISO string when possible (a stable id input). */
const rawDate = (e: ParsedEntry, tz: string | undefined): string => {
  const raw = e.published ?? e.updated ?? ''
  return parseFeedDate(raw, tz)?.toISOString() ?? raw.trim()
}

interface Draft {
  entry: ParsedEntry
  url?: string
  canonical?: string
  title: string
  /** The title was cut to ITEM_CAPS. */
  titleCut: boolean
  key: string
}

const draft = (entry: ParsedEntry, linkBase: string, source: Source): Draft => {
  const link = entry.link && entry.link.length <= ITEM_CAPS.url ? entry.link : undefined
  const url = resolveUrl(link, entry.base ?? linkBase)
  const web = isWeb(url) ? url : undefined
  const canonical = web ? canonicalUrl(web) : undefined
  const raw = entry.title ?? ''
  const text = htmlToText(raw.slice(0, ITEM_CAPS.titleHtml))
  const title = truncate(text, ITEM_CAPS.title)
  return {
    entry,
    ...(web ? { url: web, canonical } : {}),
    title,
    titleCut: raw.length > ITEM_CAPS.titleHtml || title !== text,
    key: canonical ?? `${title}|${rawDate(entry, source.timezone)}`,
  }
}

const titleFor = (title: string, summary: string | undefined): string =>
  title || (summary ? truncate(summary, TITLE_FROM_SUMMARY_MAX) : '(untitled)')

/** The entry's date (published, else updated, else fetchedAt) and whether it had to be clamped. */
const publishedAt = (
  e: ParsedEntry,
  source: Source,
  fetchedAt: Date,
): { iso: string; clamped: boolean } => {
  const date =
    parseFeedDate(e.published ?? '', source.timezone) ??
    parseFeedDate(e.updated ?? '', source.timezone) ??
    fetchedAt
  return date.getTime() > fetchedAt.getTime() + FUTURE_TOLERANCE_MS
    ? { iso: fetchedAt.toISOString(), clamped: true }
    : { iso: date.toISOString(), clamped: false }
}

/** Items of one feed plus what normalisation had to correct. */
export interface NormalizedFeed {
  items: Item[]
  /** Entries dated more than ten minutes after the fetch, whose date was clamped to the fetch time. */
  futureDates: number
  /** Per field, how many items had it cut to its cap (see ITEM_CAPS). */
  capped: Partial<Record<CappedField, number>>
}

/** The fields of an entry past their caps in ITEM_CAPS (what `normalizeFeed` cuts). */
const overCaps = (e: ParsedEntry): CappedField[] => {
  const over: CappedField[] = []
  if ((e.summary?.length ?? 0) > ITEM_CAPS.summaryHtml) over.push('summary')
  if (((e.contentHtml ?? e.summary)?.length ?? 0) > ITEM_CAPS.contentHtml) over.push('content')
  if ((e.author?.length ?? 0) > ITEM_CAPS.author) over.push('author')
  if (
    e.categories.length > ITEM_CAPS.categories ||
    e.categories.some((c) => c.length > ITEM_CAPS.category)
  )
    over.push('categories')
  if (
    e.enclosures.length > ITEM_CAPS.enclosures ||
    e.enclosures.some((x) => x.url.length > ITEM_CAPS.url)
  )
    over.push('enclosures')
  if ((e.link?.length ?? 0) > ITEM_CAPS.url) over.push('link')
  if ((e.guid?.length ?? 0) > ITEM_CAPS.url) over.push('guid')
  return over
}

/** The health note for fields cut to their caps ("recovered from: …"), or undefined when none. */
export const cappedNote = (capped: NormalizedFeed['capped']): string | undefined => {
  const parts = Object.entries(capped).map(
    ([field, n]) => `${field} in ${n} item${n === 1 ? '' : 's'}`,
  )
  return parts.length ? `item fields cut to their size caps: ${parts.join(', ')}` : undefined
}

/** The health note for clamped future dates ("recovered from: …"), or undefined when none. */
export const futureDatesNote = (n: number): string | undefined =>
  n === 0
    ? undefined
    : `${n} future date${n === 1 ? '' : 's'} clamped to the fetch time (more than 10 minutes ahead)`

/**
 * Builds complete Items from a parsed feed (pure). Ids are `stableUuid([source.id, guid ??
 * canonicalUrl ?? title|date])`, or `[source.id, guid, canonicalUrl ?? title|date]` for a guid the
 * feed reuses for different stories (see `findReusedGuids`). URLs are made absolute against the
 * entry's xml:base, the feed's link, then `feedUrl`; `publishedAt` falls back to `updated` and then
 * `fetchedAt`, and is clamped to `fetchedAt` when more than ten minutes in the future.
 * @example normalizeEntries(await parseFeed(text, url), source, clock.now(), url)
 */
export const normalizeEntries = (
  feed: ParsedFeed,
  source: Source,
  fetchedAt: Date,
  feedUrl: string,
): Item[] => normalizeFeed(feed, source, fetchedAt, feedUrl).items

/**
 * {@link normalizeEntries}, also counting the entries whose date lay in the future and was clamped
 * (the source's health flags them with {@link futureDatesNote}).
 */
export const normalizeFeed = (
  feed: ParsedFeed,
  source: Source,
  fetchedAt: Date,
  feedUrl: string,
): NormalizedFeed => {
  let futureDates = 0
  const capped: NormalizedFeed['capped'] = {}
  const feedLink = resolveUrl(feed.link, feedUrl)
  const linkBase = isWeb(feedLink) ? feedLink : feedUrl
  const language = (source.language ?? feed.language)?.trim().toLowerCase() || undefined
  const fetchedIso = fetchedAt.toISOString()
  const drafts = feed.entries.map((e) => draft(e, linkBase, source))
  const reused = findReusedGuids(drafts.map((d) => ({ guid: d.entry.guid?.trim(), key: d.key })))
  const items = drafts.map((d) => {
    const e = d.entry
    for (const field of d.titleCut ? ['title' as const, ...overCaps(e)] : overCaps(e))
      capped[field] = (capped[field] ?? 0) + 1
    const date = publishedAt(e, source, fetchedAt)
    if (date.clamped) futureDates++
    const guid = e.guid?.trim().slice(0, ITEM_CAPS.url) || undefined
    const identity = guid
      ? reused.has(guid)
        ? [source.id, guid, d.key]
        : [source.id, guid]
      : [source.id, d.key]
    const id = stableUuid(identity)
    const summaryHtml = e.summary ?? e.contentHtml ?? ''
    const rawContent = e.contentHtml ?? (e.summary && hasMarkup(e.summary) ? e.summary : undefined)
    const contentBase = e.base ?? d.url ?? linkBase
    let summaryText: string
    let contentHtml: string | undefined
    if (rawContent !== undefined && rawContent === summaryHtml && rawContent.length <= SHARED_MAX) {
      // The same HTML is the content and, as text, the summary (an RSS description): one pass.
      // The summary is cut to SUMMARY_MAX: its text need not be collapsed further (cutHead reads
      // the first SUMMARY_MAX characters of a longer one).
      const both = sanitizeHtmlAndText(rawContent, contentBase, SUMMARY_MAX)
      summaryText = both.text
      contentHtml =
        (both.html.length <= ITEM_CAPS.contentHtml
          ? both.html
          : cappedHtml(rawContent, contentBase)) || undefined
    } else {
      summaryText = htmlToText(summaryHtml.slice(0, ITEM_CAPS.summaryHtml))
      contentHtml = rawContent ? cappedHtml(rawContent, contentBase) || undefined : undefined
    }
    const head = summaryText.length > SUMMARY_MAX ? cutHead(summaryText, SUMMARY_MAX) : undefined
    const summary = head === undefined ? summaryText || undefined : `${head}…`
    const title = titleFor(d.title, summary)
    const author = e.author
      ? truncate(htmlToText(e.author.slice(0, ITEM_CAPS.author * 4)), ITEM_CAPS.author) || undefined
      : undefined
    const categories = cleanCategories(e.categories)
    const enclosures = cleanEnclosures(e.enclosures, e.base ?? linkBase)
    // The hash of [title, summary, contentHtml, url, categories, enclosures].join('\u001f'), with
    // a cut summary as its text and its `…` apart: its text is one byte a character (see
    // sha256HexOfPieces), the joined whole would be two.
    const contentHash = sha256HexOfPieces([
      title,
      '\u001f',
      head ?? summary ?? '',
      head === undefined ? '\u001f' : '\u2026\u001f',
      contentHtml ?? '',
      '\u001f',
      d.url ?? '',
      '\u001f',
      categories.join('\u001e'),
      '\u001f',
      enclosures.map((x) => `${x.url} ${x.type ?? ''} ${x.length ?? ''}`).join('\u001e'),
    ])
    // Every field there (most items): one literal, without an object made per optional field to
    // spread and the properties array its spreads grow; the same keys in the same order.
    const item: Item =
      guid && d.url && summary && contentHtml && author && language
        ? {
            id,
            sourceId: source.id,
            guid,
            url: d.url,
            canonicalUrl: d.canonical,
            title,
            summary,
            contentHtml,
            author,
            language,
            categories,
            enclosures,
            publishedAt: date.iso,
            fetchedAt: fetchedIso,
            contentHash,
            topics: [],
            clusterId: id,
          }
        : {
            id,
            sourceId: source.id,
            ...(guid ? { guid } : {}),
            ...(d.url ? { url: d.url, canonicalUrl: d.canonical } : {}),
            title,
            ...(summary ? { summary } : {}),
            ...(contentHtml ? { contentHtml } : {}),
            ...(author ? { author } : {}),
            ...(language ? { language } : {}),
            categories,
            enclosures,
            publishedAt: date.iso,
            fetchedAt: fetchedIso,
            contentHash,
            topics: [],
            clusterId: id,
          }
    if (head !== undefined && summary !== undefined) rememberCutSummary(item, summary, head)
    return item
  })
  return { items, futureDates, capped }
}
