/** A JSON Feed 1.1 checker for the tests (feedparser 6 does not read JSON Feed). */

// JSON Feed 1.1 structure: https://www.jsonfeed.org/version/1.1/

const words = (text: string): Set<string> => new Set(text.trim().split(/\s+/))
const FEED_KEYS = words(`version title home_page_url feed_url description user_comment next_url
  icon favicon authors author language expired hubs items`)
const ITEM_KEYS = words(`id url external_url title content_html content_text summary image
  banner_image date_published date_modified authors author tags language attachments`)
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Problems of a JSON Feed 1.1 document, empty when valid: required members and their types,
 * absolute http(s) URLs, RFC 3339 dates, one of content_html/content_text per item, unique item
 * ids, well-formed authors, tags and attachments, and only `_`-prefixed extension keys.
 */
export const validateJsonFeed = (doc: unknown): string[] => {
  const problems: string[] = []
  const fail = (where: string, what: string) => problems.push(`${where}: ${what}`)
  const str = (where: string, v: unknown, required = false) => {
    if (v === undefined) {
      if (required) fail(where, 'is required')
    } else if (typeof v !== 'string' || v === '') fail(where, 'must be a non-empty string')
  }
  const url = (where: string, v: unknown) => {
    if (v === undefined) return
    str(where, v)
    if (typeof v === 'string' && !/^https?:\/\/[^\s]+$/.test(v))
      fail(where, `not an absolute URL: ${v}`)
  }
  const keys = (where: string, o: Record<string, unknown>, known: Set<string>) => {
    for (const k of Object.keys(o)) {
      if (!known.has(k) && !k.startsWith('_')) fail(where, `unknown member "${k}"`)
    }
  }
  const authors = (where: string, v: unknown) => {
    if (v === undefined) return
    if (!Array.isArray(v) || v.length === 0) return fail(where, 'must be a non-empty array')
    for (const [i, a] of v.entries()) {
      if (!isObject(a) || !['name', 'url', 'avatar'].some((k) => a[k] !== undefined)) {
        fail(`${where}[${i}]`, 'needs a name, url or avatar')
      }
    }
  }
  if (!isObject(doc)) return ['document: not a JSON object']
  if (doc.version !== 'https://jsonfeed.org/version/1.1')
    fail('version', `is ${String(doc.version)}`)
  str('title', doc.title, true)
  for (const k of ['home_page_url', 'feed_url', 'next_url', 'icon', 'favicon']) url(k, doc[k])
  str('description', doc.description)
  str('language', doc.language)
  authors('authors', doc.authors)
  keys('feed', doc, FEED_KEYS)
  if (!Array.isArray(doc.items)) return [...problems, 'items: must be an array']
  const seen = new Set<string>()
  for (const [i, item] of doc.items.entries()) {
    const at = `items[${i}]`
    if (!isObject(item)) {
      fail(at, 'not an object')
      continue
    }
    str(`${at}.id`, item.id, true)
    if (typeof item.id === 'string') {
      if (seen.has(item.id)) fail(`${at}.id`, `duplicate ${item.id}`)
      seen.add(item.id)
    }
    for (const k of ['url', 'external_url', 'image', 'banner_image']) url(`${at}.${k}`, item[k])
    for (const k of ['title', 'summary', 'language', 'content_html', 'content_text']) {
      str(`${at}.${k}`, item[k])
    }
    if (item.content_html === undefined && item.content_text === undefined) {
      fail(at, 'needs content_html or content_text')
    }
    for (const k of ['date_published', 'date_modified']) {
      const d = item[k]
      if (d !== undefined && (typeof d !== 'string' || !RFC3339.test(d)))
        fail(`${at}.${k}`, 'not RFC 3339')
    }
    authors(`${at}.authors`, item.authors)
    const tags = item.tags
    if (tags !== undefined && (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string'))) {
      fail(`${at}.tags`, 'must be an array of strings')
    }
    const attachments = item.attachments
    if (attachments !== undefined) {
      if (!Array.isArray(attachments)) fail(`${at}.attachments`, 'must be an array')
      else {
        for (const [j, a] of attachments.entries()) {
          if (!isObject(a)) fail(`${at}.attachments[${j}]`, 'not an object')
          else {
            url(`${at}.attachments[${j}].url`, a.url ?? '')
            str(`${at}.attachments[${j}].mime_type`, a.mime_type, true)
            if (a.size_in_bytes !== undefined && typeof a.size_in_bytes !== 'number') {
              fail(`${at}.attachments[${j}].size_in_bytes`, 'must be a number')
            }
          }
        }
      }
    }
    keys(at, item, ITEM_KEYS)
  }
  return problems
}
