/** ParsedFeed → complete Items: stable ids, absolute URLs, plain text, dates, sanitised HTML. */
import type { Enclosure, Item, Source } from '../model/types.js'
import { sha256Hex, stableUuid } from '../util/hash.js'
import { canonicalUrl, resolveUrl } from '../util/url.js'
import { findReusedGuids } from './dedupe.js'
import { parseFeedDate } from './parse/dates.js'
import type { ParsedEntry, ParsedFeed } from './parse/types.js'
import { htmlToText, sanitizeHtml } from './sanitize.js'

/** Longest summary kept, in characters (cut at a word boundary, with an ellipsis). */
export const SUMMARY_MAX = 600
/** Dates further than this in the future are the source's clock or timezone error. */
const FUTURE_TOLERANCE_MS = 10 * 60_000
const TITLE_FROM_SUMMARY_MAX = 80

const isWeb = (url: string | undefined): url is string => !!url && /^https?:\/\//i.test(url)

/** Cuts text to `max` characters at a word boundary, adding `…` when something was cut. */
const truncate = (text: string, max: number): string => {
  if (text.length <= max) return text
  const cut = text.slice(0, max - 1)
  const space = cut.lastIndexOf(' ')
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:.–-]+$/, '')}…`
}

/** Trimmed, deduplicated (case-insensitively, first spelling kept) plain-text categories. */
const cleanCategories = (raw: string[]): string[] => {
  const seen = new Set<string>()
  const out: string[] = []
  for (const c of raw) {
    const text = htmlToText(c)
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
  key: string
}

const draft = (entry: ParsedEntry, linkBase: string, source: Source): Draft => {
  const url = resolveUrl(entry.link, entry.base ?? linkBase)
  const web = isWeb(url) ? url : undefined
  const canonical = web ? canonicalUrl(web) : undefined
  const title = htmlToText(entry.title ?? '')
  return {
    entry,
    ...(web ? { url: web, canonical } : {}),
    title,
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
  const feedLink = resolveUrl(feed.link, feedUrl)
  const linkBase = isWeb(feedLink) ? feedLink : feedUrl
  const language = (source.language ?? feed.language)?.trim().toLowerCase() || undefined
  const drafts = feed.entries.map((e) => draft(e, linkBase, source))
  const reused = findReusedGuids(drafts.map((d) => ({ guid: d.entry.guid?.trim(), key: d.key })))
  const items = drafts.map((d) => {
    const e = d.entry
    const date = publishedAt(e, source, fetchedAt)
    if (date.clamped) futureDates++
    const guid = e.guid?.trim() || undefined
    const identity = guid
      ? reused.has(guid)
        ? [source.id, guid, d.key]
        : [source.id, guid]
      : [source.id, d.key]
    const id = stableUuid(identity)
    const summaryText = htmlToText(e.summary ?? e.contentHtml ?? '')
    const summary = summaryText ? truncate(summaryText, SUMMARY_MAX) : undefined
    const title = titleFor(d.title, summary)
    const rawContent = e.contentHtml ?? (e.summary && hasMarkup(e.summary) ? e.summary : undefined)
    const contentBase = e.base ?? d.url ?? linkBase
    const contentHtml = rawContent ? sanitizeHtml(rawContent, contentBase) || undefined : undefined
    const author = e.author ? htmlToText(e.author) || undefined : undefined
    const categories = cleanCategories(e.categories)
    const enclosures = cleanEnclosures(e.enclosures, e.base ?? linkBase)
    const contentHash = sha256Hex(
      [
        title,
        summary ?? '',
        contentHtml ?? '',
        d.url ?? '',
        categories.join('\u001e'),
        enclosures.map((x) => `${x.url} ${x.type ?? ''} ${x.length ?? ''}`).join('\u001e'),
      ].join('\u001f'),
    )
    const item: Item = {
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
      fetchedAt: fetchedAt.toISOString(),
      contentHash,
      topics: [],
      clusterId: id,
    }
    return item
  })
  return { items, futureDates }
}
