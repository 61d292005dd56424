/** HTTP validators (ETag, Last-Modified) computed from items before rendering, and the 304 decision. */
import { createHash } from 'node:crypto'
import type { AppConfig, Item } from '../model/types.js'
import { intervalMs } from '../util/every.js'

/** What a feed response is validated by. */
export interface Validators {
  /** Strong entity tag, quoted: `"…"` (27 base64url characters inside). */
  etag: string
  /** HTTP date (IMF-fixdate). */
  lastModified: string
}

/** Last-Modified of an empty list: the Unix epoch, so an empty feed still validates. */
export const EPOCH_HTTP_DATE = 'Thu, 01 Jan 1970 00:00:00 GMT'

/**
 * Validators for a list of items, without rendering (pure).
 *
 * The ETag is sha256 over `key` and, per item in order, its id, contentHash (else
 * updatedAt ?? publishedAt), topics and clusterId: everything stored that changes the body. It
 * is strong, so `key` must name everything else that does: route, query, format (each
 * representation needs its own tag) and a version of the configuration (topic and source titles
 * appear in the output).
 *
 * Last-Modified is the newest of every item's `updatedAt ?? publishedAt` and `fetchedAt`,
 * clamped to `opts.now` when given (a source dating items in the future must not push it ahead
 * of the server clock). For an empty list it is `opts.emptyAt` (which then takes part in the
 * ETag, as it is in the body too), or the epoch without one.
 * @example computeValidators(page.items, `${c.req.path}?${query}|${configVersion}`)
 */
export const computeValidators = (
  items: readonly Item[],
  key: string,
  opts: { now?: Date; emptyAt?: string } = {},
): Validators => {
  const hash = createHash('sha256').update(key)
  let newest = Number.NEGATIVE_INFINITY
  if (items.length === 0 && opts.emptyAt !== undefined) {
    hash.update(`\nempty|${opts.emptyAt}`)
    newest = Date.parse(opts.emptyAt)
  }
  for (const item of items) {
    const change = item.contentHash || (item.updatedAt ?? item.publishedAt)
    hash.update(`\n${item.id}|${change}|${item.topics.join(',')}|${item.clusterId}`)
    for (const date of [item.updatedAt ?? item.publishedAt, item.fetchedAt]) {
      const t = Date.parse(date)
      if (t > newest) newest = t
    }
  }
  const etag = `"${hash.digest().subarray(0, 20).toString('base64url')}"`
  if (opts.now && newest > opts.now.getTime()) newest = opts.now.getTime()
  const lastModified = Number.isFinite(newest) ? new Date(newest).toUTCString() : EPOCH_HTTP_DATE
  return { etag, lastModified }
}

/**
 * Whether a GET/HEAD can be answered with 304 (RFC 9110 §13.1). `If-None-Match` takes
 * precedence: `*` matches, and a list matches when one member equals the ETag under weak
 * comparison (`W/` ignored). Only without it is `If-Modified-Since` used, at second precision; a
 * malformed date is ignored (full response).
 * @example isNotModified({ ifNoneMatch: c.req.header('if-none-match') }, validators)
 */
export const isNotModified = (
  req: { ifNoneMatch?: string | undefined; ifModifiedSince?: string | undefined },
  v: Validators,
): boolean => {
  // Fast paths: a reader sends back exactly what it was given.
  if (req.ifNoneMatch === v.etag) return true
  if (req.ifNoneMatch === undefined && req.ifModifiedSince === v.lastModified) return true
  const inm = req.ifNoneMatch?.trim()
  if (inm) {
    if (inm === '*') return true
    const ours = opaqueTag(v.etag)
    // Members are split on commas: our tags are base64url and never contain one.
    return inm.split(',').some((member) => opaqueTag(member) === ours)
  }
  const ims = req.ifModifiedSince ? parseHttpDate(req.ifModifiedSince) : undefined
  const lastModified = parseHttpDate(v.lastModified)
  if (ims === undefined || lastModified === undefined) return false
  return Math.floor(lastModified / 1000) <= Math.floor(ims / 1000)
}

/**
 * Milliseconds of an HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, the obsolete RFC 850 form or
 * asctime, always GMT; undefined for anything else.
 */
export const parseHttpDate = (text: string): number | undefined => {
  const s = text.trim()
  for (const re of HTTP_DATE_FORMATS) {
    const g = re.exec(s)?.groups
    if (!g) continue
    const month = MONTHS.indexOf(g.mon ?? '')
    const day = Number(g.day)
    // rfc850's two-digit year: the most recent past year with those digits (pivot 1970).
    const year =
      g.yy !== undefined ? Number(g.yy) + (Number(g.yy) >= 70 ? 1900 : 2000) : Number(g.year)
    const [h, m, sec] = [Number(g.h), Number(g.m), Number(g.s)]
    const t = Date.UTC(year, month, day, h, m, sec)
    const valid = month >= 0 && new Date(t).getUTCDate() === day && h < 24 && m < 60 && sec < 60
    return valid ? t : undefined
  }
  return undefined
}

/**
 * `Cache-Control: max-age` for a feed, in seconds: readers must not cache longer than we poll
 * (SPEC §4), so it is the shortest poll interval among the enabled sources the feed can show
 * (`sourceIds`; all enabled sources when undefined), or `fetch.every` when none is enabled.
 * The shortest rather than the global interval: a feed with one fast source changes that often.
 * @example maxAgeSeconds(config, ['dawn'], clock.now()) // 600 with `every: 10m` on dawn
 */
export const maxAgeSeconds = (
  config: AppConfig,
  sourceIds: readonly string[] | undefined,
  now: Date,
): number => {
  const wanted = sourceIds ? new Set(sourceIds) : undefined
  let shortest = Number.POSITIVE_INFINITY
  for (const s of config.sources) {
    if (!s.enabled || (wanted && !wanted.has(s.id))) continue
    shortest = Math.min(shortest, intervalMs(s.every ?? config.fetch.every, now))
  }
  if (!Number.isFinite(shortest)) shortest = intervalMs(config.fetch.every, now)
  return Math.max(1, Math.floor(shortest / 1000))
}

// --- Internal helpers ---

const TIME = '(?<h>\\d{2}):(?<m>\\d{2}):(?<s>\\d{2})'
const MON = '(?<mon>[A-Z][a-z]{2})'

/** IMF-fixdate, RFC 850, asctime (RFC 9110 §5.6.7). */
const HTTP_DATE_FORMATS: readonly RegExp[] = [
  new RegExp(
    `^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (?<day>\\d{2}) ${MON} (?<year>\\d{4}) ${TIME} GMT$`,
  ),
  new RegExp(
    `^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (?<day>\\d{2})-${MON}-(?<yy>\\d{2}) ${TIME} GMT$`,
  ),
  new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MON} (?<day>[ \\d]\\d) ${TIME} (?<year>\\d{4})$`),
]

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/**
 * The opaque part of an entity tag: without `W/` and the quotes (bare tokens tolerated), what
 * weak comparison (RFC 9110 §8.8.3.2) compares.
 * @example opaqueTag('W/"abc"') // 'abc'
 */
export const opaqueTag = (tag: string): string =>
  tag
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1')
