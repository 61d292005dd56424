/** URL helpers: resolve relative references and reduce article URLs to one canonical identity. */

/**
 * Resolves `href` against `base`; returns an absolute URL string, or `undefined` when `href` is
 * empty or neither it nor the pair makes a valid URL. Any scheme is returned as written: callers
 * that publish links filter schemes themselves.
 * @example resolveUrl('/news/1', 'https://example.org/feed.xml') // 'https://example.org/news/1'
 */
export const resolveUrl = (href: string | undefined, base: string): string | undefined => {
  const h = href?.trim()
  if (!h) return undefined
  // Most links of a feed are absolute already: no URL object (their parse was most of the cost).
  if (isPlainHttpUrl(h)) return h
  try {
    return new URL(h, base).href
  } catch {
    try {
      return new URL(h).href
    } catch {
      return undefined
    }
  }
}

/**
 * An absolute http(s) URL as the URL parser writes it: lower-case scheme and host (letters,
 * digits, hyphens and dots, the last label starting with a letter, so no IPv4 address), no user,
 * no port, a path, and path, query and fragment only of characters the parser leaves as they are.
 * Linear: the labels are delimited by dots, the parts by `?` and `#`, which their classes exclude.
 */
const PLAIN_HTTP_URL =
  /^https?:\/\/(?:[a-z0-9-]+\.)*[a-z][a-z0-9-]*\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*(?:\?[A-Za-z0-9\-._~!$&()*+,;=:@/?%]*)?(?:#[A-Za-z0-9\-._~!$&'()*+,;=:@/?%#]*)?$/

/**
 * Whether `new URL(h).href === h` can be told without the parser: a {@link PLAIN_HTTP_URL} with no
 * dot segment to remove (`/.`, `%2e`) and no IDNA label (`xn--`) to check. False says nothing.
 */
export const isPlainHttpUrl = (h: string): boolean =>
  PLAIN_HTTP_URL.test(h) && !h.includes('/.') && !PERCENT_DOT.test(h) && !h.includes('xn--')

const PERCENT_DOT = /%2e/i

/** Query parameters that only track the click, never select the content. */
const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'msclkid',
  'yclid',
  'igshid',
  'ref',
  'ref_src',
  'ref_url',
  'cmpid',
  'ocid',
  'ito',
  'smid',
  'spm',
  '_ga',
  '_gl',
  'ns_mchannel',
  'ns_source',
  'ns_campaign',
  'ns_linkname',
  'ns_fee',
  'at_medium',
  'at_campaign',
  'at_custom1',
  'at_custom2',
  'at_custom3',
  'at_custom4',
  'wt.mc_id',
  'xtor',
])

/** Parameters that only ask for the AMP rendering of the same article. */
const isAmpParam = (key: string, value: string): boolean =>
  (key === 'amp' && ['', '1', 'true', 'yes'].includes(value.toLowerCase())) ||
  (key === 'outputtype' && value.toLowerCase() === 'amp')

const isTrackingParam = (key: string): boolean =>
  key.startsWith('utm_') ||
  key.startsWith('mc_') ||
  key.startsWith('__twitter') ||
  TRACKING_PARAMS.has(key)

/**
 * A Google AMP cache address (`https://www-dawn-com.cdn.ampproject.org/c/s/www.dawn.com/news/1`)
 * as the publisher's own URL, or undefined when it is not one.
 */
const fromAmpCache = (u: URL): string | undefined => {
  if (!u.hostname.endsWith('.cdn.ampproject.org')) return undefined
  const m = /^\/[a-z]\/(s\/)?(.+)$/.exec(u.pathname)
  if (!m) return undefined
  return `${m[1] ? 'https' : 'http'}://${m[2]}${u.search}`
}

/**
 * The identity of an article URL, for deduplication and clustering (never shown to readers):
 * https for http, lower-case host without `www.`/`m.`/`amp.`, no default port, no fragment, no
 * tracking parameters (`utm_*`, `mc_*`, `fbclid`, `gclid`, `ref`…), sorted query, AMP variants
 * folded (`/amp`, `.amp`, `.amp.html`, `amp.` host, `?amp=1`, `outputType=amp`, Google AMP cache
 * addresses), no trailing slash except the root. A string that is not an http(s) URL is returned trimmed and otherwise unchanged.
 * @example canonicalUrl('HTTP://www.Example.org/a/amp/?utm_source=x&b=2&a=1#top') // 'https://example.org/a?a=1&b=2'
 */
export const canonicalUrl = (url: string): string => {
  const raw = url.trim()
  return plainCanonical(raw) ?? canonicalOfParsed(raw)
}

/**
 * {@link canonicalUrl} of a {@link isPlainHttpUrl} without a query and not on an AMP cache, read
 * as a string; undefined for any other URL. The parser's setters change nothing in such a URL but
 * what canonicalUrl changes.
 */
const plainCanonical = (raw: string): string | undefined => {
  if (!isPlainHttpUrl(raw)) return undefined
  const hash = raw.indexOf('#')
  const url = hash < 0 ? raw : raw.slice(0, hash)
  if (url.includes('?')) return undefined
  const hostStart = url.charCodeAt(4) === 115 ? 8 : 7
  const pathStart = url.indexOf('/', hostStart)
  if (hostStart === 8 && url === raw && isCanonicalAsIs(url, pathStart)) return raw
  const host = url.slice(hostStart, pathStart)
  if (host.endsWith('.cdn.ampproject.org')) return undefined
  const bare = host.replace(/^(?:www\d?|m|amp)\./, '')
  let path = url
    .slice(pathStart)
    .replace(/\/amp\/?$/i, '')
    .replace(/\.amp$/i, '')
    .replace(/\.amp(\.html?)$/i, '$1')
  if (path.length > 1) path = path.replace(/\/+$/, '')
  return `https://${bare.includes('.') ? bare : host}${path || '/'}`
}

/**
 * Whether an https {@link isPlainHttpUrl} without a query or fragment, its path starting at
 * `pathStart`, is its own canonical form, as far as a look at its ends tells: no host prefix to
 * drop (`www`, `m.`, `amp.`), no AMP suffix (no `amp` in the path's last ten characters), no
 * trailing slash, and not on an AMP cache (which ends its host). Most article links are: then
 * plainCanonical gives the link itself, not a copy (four replacements and a join) equal to it, so
 * the item's URL and canonical URL are one string (one comparison by reference in the worker's reply).
 */
const isCanonicalAsIs = (url: string, pathStart: number): boolean => {
  if (url.length > pathStart + 1 && url.charCodeAt(url.length - 1) === 47 /* / */) return false
  if (url.startsWith('www', 8) || url.startsWith('m.', 8) || url.startsWith('amp.', 8)) return false
  if (url.startsWith('.cdn.ampproject.org', pathStart - 19)) return false
  return !url
    .slice(Math.max(pathStart, url.length - 10))
    .toLowerCase()
    .includes('amp')
}

/** {@link canonicalUrl} through the URL parser (any URL). Exported for tests: the oracle of the string path. */
export const canonicalOfParsed = (raw: string): string => {
  let u: URL
  try {
    u = new URL(raw)
  } catch {
    return raw
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return raw
  const cached = fromAmpCache(u)
  if (cached) return canonicalUrl(cached)
  // http and https copies of one article are the same story; the scheme is not part of it.
  u.protocol = 'https:'
  u.port = u.port === '80' || u.port === '443' ? '' : u.port
  u.hash = ''
  u.username = ''
  u.password = ''
  const host = u.hostname.replace(/\.$/, '')
  const bare = host.replace(/^(?:www\d?|m|amp)\./, '')
  u.hostname = bare.includes('.') ? bare : host
  let path = u.pathname
    .replace(/\/amp\/?$/i, '')
    .replace(/\.amp$/i, '')
    .replace(/\.amp(\.html?)$/i, '$1')
  if (path.length > 1) path = path.replace(/\/+$/, '')
  u.pathname = path || '/'
  const kept = [...u.searchParams.entries()].filter(([k, v]) => {
    const key = k.toLowerCase()
    return !isTrackingParam(key) && !isAmpParam(key, v)
  })
  kept.sort(([ak, av], [bk, bv]) => (ak === bk ? cmp(av, bv) : cmp(ak, bk)))
  u.search = kept.length ? new URLSearchParams(kept).toString() : ''
  return u.href
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * The URL when it is an absolute http(s) URL, else undefined: a `javascript:` or `data:` link from
 * a hostile feed never becomes a link we publish.
 * @example httpHref('javascript:alert(1)') // undefined
 */
export const httpHref = (url: string | undefined): string | undefined => {
  if (!url) return undefined
  try {
    const u = new URL(url)
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined
  } catch {
    return undefined
  }
}

/** The URL without user:password, for messages and logs. */
export const displayUrl = (url: string): string => {
  try {
    const u = new URL(url)
    if (!u.username && !u.password) return url
    u.username = ''
    u.password = ''
    return u.href
  } catch {
    return url
  }
}
