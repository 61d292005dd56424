/** Feed file extensions (`.rss`, `.atom`, `.json`, `.xml`) and `Accept` negotiation of the feed format. */
import type { FeedFormat } from '../model/types.js'
import { dict } from '../util/dict.js'

/**
 * Splits a route segment into a name and a feed extension. `.xml` is served as RSS. Another
 * extension (`.html`) is reported in `unknownExt` so the route can answer 404.
 * @example splitNameExt('pakistan-afghanistan.atom') // { name: 'pakistan-afghanistan', ext: 'atom' }
 */
export const splitNameExt = (
  segment: string,
): { name: string; ext?: FeedFormat; unknownExt?: string } => {
  const dot = segment.lastIndexOf('.')
  if (dot < 0) return { name: segment }
  const name = segment.slice(0, dot)
  const suffix = segment.slice(dot + 1)
  const ext = EXTENSIONS[suffix.toLowerCase()]
  return ext ? { name, ext } : { name, unknownExt: suffix }
}

/**
 * The format to serve: the extension when there is one, else the best `Accept` match (q-values,
 * exact types before wildcards, then header order), else RSS. Never 406: readers get RSS.
 * @example negotiateFormat(undefined, 'application/atom+xml, application/rss+xml;q=0.5') // 'atom'
 */
export const negotiateFormat = (
  ext: FeedFormat | undefined,
  accept: string | undefined,
): FeedFormat => {
  if (ext) return ext
  if (!accept) return 'rss'
  const ranges = parseAccept(accept)
  let best: (Match & { format: FeedFormat }) | undefined
  for (const format of FORMAT_PREFERENCE) {
    const match = bestRange(format, ranges)
    if (!match || match.q <= 0) continue
    const candidate = { format, ...match }
    if (!best || better(candidate, best)) best = candidate
  }
  return best?.format ?? 'rss'
}

// --- Internal helpers ---

const EXTENSIONS: Record<string, FeedFormat> = dict({
  rss: 'rss',
  xml: 'rss',
  atom: 'atom',
  json: 'json',
})

const FORMAT_PREFERENCE: readonly FeedFormat[] = ['rss', 'atom', 'json']

/** Media types each format answers, with a specificity (2 exact, 1 generic XML/JSON). */
const MEDIA_TYPES: Record<FeedFormat, Record<string, number>> = {
  rss: { 'application/rss+xml': 2, 'application/xml': 1, 'text/xml': 1 },
  atom: { 'application/atom+xml': 2 },
  json: { 'application/feed+json': 2, 'application/json': 1 },
}

interface AcceptRange {
  type: string
  q: number
  order: number
}

/** How well a format matches: the q-value, specificity of the range and its place in the header. */
interface Match {
  q: number
  specificity: number
  order: number
}

const parseAccept = (accept: string): AcceptRange[] =>
  accept.split(',').flatMap((part, order) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase())
    if (!/^[\w.+*-]+\/[\w.+*-]+$/.test(type)) return []
    let q = 1
    for (const p of params) {
      const m = /^q\s*=\s*([01](?:\.\d{0,3})?)$/.exec(p)
      if (m) q = Math.min(1, Number(m[1]))
    }
    return [{ type, q, order }]
  })

/** The most specific range matching a format (RFC 9110 §12.5.1): exact, then `type/*`, then `*\/*`. */
const bestRange = (format: FeedFormat, ranges: readonly AcceptRange[]): Match | undefined => {
  let best: Match | undefined
  for (const r of ranges) {
    let specificity = MEDIA_TYPES[format][r.type] ?? 0
    if (!specificity && r.type === '*/*') specificity = -2
    if (!specificity && r.type.endsWith('/*')) {
      const major = r.type.slice(0, -2)
      if (Object.keys(MEDIA_TYPES[format]).some((t) => t.startsWith(`${major}/`))) specificity = -1
    }
    if (!specificity) continue
    if (!best || specificity > best.specificity) best = { q: r.q, specificity, order: r.order }
  }
  return best
}

const better = (a: Match, b: Match): boolean => {
  if (a.q !== b.q) return a.q > b.q
  if (a.specificity !== b.specificity) return a.specificity > b.specificity
  return a.order < b.order
}
