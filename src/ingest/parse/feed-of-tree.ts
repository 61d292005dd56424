/** The feed and its entries found in an xml2js-shaped tree the way rss-parser 3 finds them, with our raw `tw:*` fields. */
import { createRequire } from 'node:module'

type Raw = Record<string, unknown>
type Loose = Record<PropertyKey, unknown>

/**
 * `v[k]` with JavaScript's own semantics (a string's methods, a TypeError on undefined): rss-parser
 * reads the tree that way, and where it throws, so must this, for the same documents to fail.
 */
const at = (v: unknown, k: PropertyKey): unknown => (v as Loose)[k]

/** `tw:<name>`, made once per name rather than once per entry and field. */
const twNames = new Map<string, string>()
const twName = (name: string): string => {
  let tw = twNames.get(name)
  if (tw === undefined) {
    tw = `tw:${name}`
    twNames.set(name, tw)
  }
  return tw
}

/** The `tw:<name>` of each name of a list of fields, by the list (made once per list, not per entry). */
const twLists = new WeakMap<readonly string[], readonly string[]>()
const twNamesOf = (names: readonly string[]): readonly string[] => {
  let tws = twLists.get(names)
  if (tws === undefined) {
    tws = names.map(twName)
    twLists.set(names, tws)
  }
  return tws
}

/** rss-parser's copyFromXML for `[name, 'tw:' + name, { keepArray: true }]`. */
const copyFields = (xml: unknown, names: readonly string[], dest: Raw): void => {
  const tws = twNamesOf(names)
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string
    const to = tws[i] as string
    const value = at(xml, name)
    if (value !== undefined) dest[to] = value
    const kept = dest[to]
    if (kept && typeof at(kept, '_') === 'string') dest[to] = at(kept, '_')
  }
}

/** xml2js's Builder as rss-parser loads it, for the one check below. */
let builder: { buildObject: (content: unknown) => string } | undefined
const buildOnce = (content: unknown): void => {
  if (!builder) {
    const require = createRequire(import.meta.url)
    const xml2js = createRequire(require.resolve('rss-parser'))('xml2js') as {
      Builder: new (opts: object) => { buildObject: (content: unknown) => string }
    }
    builder = new xml2js.Builder({
      headless: true,
      explicitRoot: true,
      rootName: 'div',
      renderOpts: { pretty: false },
    })
  }
  builder.buildObject(content)
}

/**
 * rss-parser's getContent, for its failures only: an element with child elements and no text is
 * serialised by xml2js's Builder, which throws on some trees (and then the whole parse failed).
 * The serialisation itself is never used (xml-entry.ts reads the elements).
 */
const contentCheck = (content: unknown): void => {
  if (typeof at(content, '_') !== 'string' && typeof content === 'object') buildOnce(content)
}

/** rss-parser's getLink, for its failures only: it reads `links[i].$.rel` unguarded. */
const linkCheck = (links: unknown, rel: string, fallback: number): void => {
  if (!links) return
  const n = at(links, 'length') as number
  for (let i = 0; i < n; ++i) if (at(at(at(links, i), '$'), 'rel') === rel) return
  const f = at(links, fallback)
  if (f) at(f, '$')
}

/** rss-parser's Atom dates, for their failures only (`new Date(x).toISOString()` throws). */
const atomDateCheck = (entry: unknown): void => {
  let found = false
  for (const name of ['published', 'updated']) {
    if (found) return
    const d = at(entry, name)
    if (d && at(d, 'length') && at(at(d, 0), 'length')) {
      new Date(at(d, 0) as string).toISOString()
      found = true
    }
  }
}

/**
 * One Atom entry's item: its `tw:*` fields, after the checks where rss-parser's reading of the
 * entry throws (then this throws alike).
 */
export const atomItem = (entry: unknown, itemFields: readonly string[]): Raw => {
  const item: Raw = {}
  copyFields(entry, itemFields, item)
  atomItemCheck(entry)
  return item
}

/**
 * The checks of {@link atomItem} alone: they read the entry's `link`, `published`, `updated`,
 * `author`, `content` and `summary` ({@link ATOM_CHECKED}) and nothing else.
 */
export const atomItemCheck = (entry: unknown): void => {
  const links = at(entry, 'link')
  if (links && at(links, 'length')) linkCheck(links, 'alternate', 0)
  atomDateCheck(entry)
  const author = at(entry, 'author')
  if (author && at(author, 'length')) at(at(author, 0), 'name')
  for (const name of ['content', 'summary']) {
    const c = at(entry, name)
    if (c && at(c, 'length')) contentCheck(at(c, 0))
  }
}

/** What {@link atomItemCheck} reads of an entry. */
export const ATOM_CHECKED: readonly string[] = [
  'link',
  'published',
  'updated',
  'author',
  'content',
  'summary',
]

const atomFeed = (root: unknown, feedFields: readonly string[], itemFields: readonly string[]) => {
  const feed: Raw = {}
  copyFields(root, feedFields, feed)
  const link = at(root, 'link')
  if (link) {
    linkCheck(link, 'alternate', 0)
    linkCheck(link, 'self', 1)
  }
  const entries = (at(root, 'entry') || []) as unknown[]
  feed.items = entries.map((entry) => atomItem(entry, itemFields))
  return feed
}

/** One RSS item's item, as {@link atomItem} (rss-parser's one check: the description). */
export const rssItem = (xmlItem: unknown, itemFields: readonly string[]): Raw => {
  const item: Raw = {}
  copyFields(xmlItem, itemFields, item)
  rssItemCheck(xmlItem)
  return item
}

/** The check of {@link rssItem} alone: it reads the item's `description` ({@link RSS_CHECKED}). */
export const rssItemCheck = (xmlItem: unknown): void => {
  const description = at(xmlItem, 'description')
  if (description) contentCheck(at(description, 0))
}

/** What {@link rssItemCheck} reads of an item. */
export const RSS_CHECKED: readonly string[] = ['description']

const rssFeed = (
  channel: unknown,
  items: unknown,
  feedFields: readonly string[],
  itemFields: readonly string[],
) => {
  const feed: Raw = {}
  copyFields(channel, feedFields, feed)
  feed.items = ((items || []) as unknown[]).map((xmlItem) => rssItem(xmlItem, itemFields))
  return feed
}

/**
 * What `new Parser({ defaultRSS: 2, customFields }).parseString(xml)` of rss-parser 3.13 resolves
 * to, as far as we read it: the feed's `tw:<name>` fields (the elements of `feedFields`, as lists)
 * and `items`, each with its `tw:<name>` fields — from the tree xml-tree.ts built. Where rss-parser
 * fails on a tree (no feed root; a few shapes its own readers trip on), this throws the same error;
 * what rss-parser computed for itself (snippets, ISO dates, iTunes fields) is not computed.
 * @example feedOfTree(readXmlTree(xml, options), ['title'], ['title', 'link']).items.length
 */
export const feedOfTree = (
  result: unknown,
  feedFields: readonly string[],
  itemFields: readonly string[],
): Raw => {
  if (!result) throw new Error('Unable to parse XML.')
  // The tree has one key, its root element's name (xml2js's explicitRoot).
  const feed = at(result, 'feed')
  if (feed) return atomFeed(feed, feedFields, itemFields)
  // RSS 0.9x, 2.0 and any other version (rss-parser's defaultRSS: 2) read their channel alike.
  const rss = at(result, 'rss')
  if (rss) {
    const channel = at(at(rss, 'channel'), 0)
    return rssFeed(channel, at(channel, 'item'), feedFields, itemFields)
  }
  const rdf = at(result, 'rdf:RDF')
  if (rdf) return rssFeed(at(at(rdf, 'channel'), 0), at(rdf, 'item'), feedFields, itemFields)
  throw new Error('Feed not recognized as RSS 1 or 2.')
}
