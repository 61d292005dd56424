/** xml2js options for rss-parser: canonical element names, and nodes shaped so it cannot crash. */

import { dict } from '../../util/dict.js'
import { RSS11_NAMESPACE, rootElementName, type XmlFormat } from './detect.js'
import { isRecord, nodesOf } from './xml-nodes.js'

/** Canonical prefixes for the namespaces we read, so `<a:feed>` or `<dcx:creator>` still match. */
const NAMESPACES: Readonly<Record<string, string>> = dict({
  'http://www.w3.org/2005/Atom': 'atom',
  'http://purl.org/atom/ns#': 'atom',
  'http://purl.org/rss/1.0/': '',
  [RSS11_NAMESPACE]: '',
  'http://my.netscape.com/rdf/simple/0.9/': '',
  'http://backend.userland.com/rss2': '',
  'http://blogs.law.harvard.edu/tech/rss': '',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#': 'rdf',
  'http://purl.org/dc/elements/1.1/': 'dc',
  'http://purl.org/dc/terms/': 'dcterms',
  'http://purl.org/rss/1.0/modules/content/': 'content',
  'http://search.yahoo.com/mrss/': 'media',
  'http://search.yahoo.com/mrss': 'media',
  'http://www.itunes.com/dtds/podcast-1.0.dtd': 'itunes',
})

/** A namespace declaration (`xmlns:dc="…"`) read where `lastIndex` says. */
const DECLARATION = /xmlns:([\w.-]+)\s*=\s*["']([^"']*)["']/y

/**
 * `head.matchAll(/xmlns:([\w.-]+)\s*=\s*["']([^"']*)["']/g)`, each match tried only where
 * `indexOf` finds `xmlns:` (where every match starts): the global regex tried one at every
 * character of the 20,000 searched, ~1 µs an item on the peers feeds, which declare no prefix.
 */
export const declarations = function* (head: string): Generator<RegExpExecArray> {
  let at = head.indexOf('xmlns:')
  while (at >= 0) {
    DECLARATION.lastIndex = at
    const m = DECLARATION.exec(head)
    if (m) yield m
    at = head.indexOf('xmlns:', m ? DECLARATION.lastIndex : at + 1)
  }
}

/**
 * A tag-name processor mapping the prefixes this document declares onto our canonical ones
 * (Atom elements lose their prefix inside an Atom document); `undefined` when nothing needs it.
 */
const prefixMapper = (xml: string, format: XmlFormat): ((name: string) => string) | undefined => {
  const map = new Map<string, string>()
  const atomRoot = format === 'atom' || format === 'atom-entry'
  for (const m of declarations(xml.slice(0, 20_000))) {
    const prefix = (m[1] ?? '').toLowerCase()
    let canonical = NAMESPACES[(m[2] ?? '').trim()]
    if (canonical === undefined) continue
    if (canonical === 'atom' && atomRoot) canonical = ''
    if (canonical !== prefix) map.set(prefix, canonical)
  }
  const root = rootElementName(xml)?.toLowerCase()
  // An RDF root written without its prefix (`<rdf>`, `<RDF xmlns="…rdf-syntax-ns#">`), or an RSS
  // 1.1 `<Channel>` (its prefix, if any, maps to none): read as `rdf:RDF`.
  const rootPrefix = root?.includes(':') ? root.slice(0, root.indexOf(':')) : undefined
  const bareRdf =
    format === 'rdf' && root && (rootPrefix === undefined || map.get(rootPrefix) === '')
      ? root
      : undefined
  if (map.size === 0 && !bareRdf) return undefined
  return (name: string): string => {
    if (name === bareRdf) return 'rdf:RDF'
    const i = name.indexOf(':')
    if (i < 0) return name
    const canonical = map.get(name.slice(0, i))
    if (canonical === undefined) return name
    return canonical ? `${canonical}:${name.slice(i + 1)}` : name.slice(i + 1)
  }
}

/**
 * An xml2js validator that shapes a few nodes so rss-parser cannot trip on them: empty entries
 * become objects, Atom dates are wrapped so it does not call `new Date(x).toISOString()` on
 * unparseable text (that throws), attribute-less Atom links get an `href` (it reads `link.$.rel`
 * unguarded), and RSS/RDF roots get the channel and items where rss-parser looks for them.
 */
export const defuse = (xpath: string, _current: unknown, value: unknown): unknown => {
  if (xpath === '/rss') return withChannel(value)
  if (xpath === '/rdf:RDF') return liftRdfItems(withChannel(fromRss11(value)))
  // Called for every element: suffix tests, cheaper than the regular expressions they replace.
  // An empty <entry/> or <item/> is '' to xml2js, and ''.link is String.prototype.link.
  if (typeof value === 'string' && (xpath.endsWith('/entry') || xpath.endsWith('/item'))) return {}
  if (
    typeof value === 'string' &&
    (xpath.endsWith('/entry/published') || xpath.endsWith('/entry/updated'))
  )
    return { _: value }
  if (xpath.endsWith('/feed/link') || xpath.endsWith('/entry/link')) return linkWithHref(value)
  return value
}

/**
 * Whether {@link defuse} may change a value at `xpath`: false where it returns every value as it
 * is (xml-direct.ts then need not call it for each field of each entry). Kept beside it: each of
 * its tests of the xpath is here.
 */
export const defuseReads = (xpath: string): boolean =>
  xpath === '/rss' ||
  xpath === '/rdf:RDF' ||
  xpath.endsWith('/entry') ||
  xpath.endsWith('/item') ||
  xpath.endsWith('/entry/published') ||
  xpath.endsWith('/entry/updated') ||
  xpath.endsWith('/feed/link') ||
  xpath.endsWith('/entry/link')

/** An Atom link written as `<link>url</link>` (with or without other attributes) gets its href. */
const linkWithHref = (value: unknown): unknown => {
  if (typeof value === 'string') return { $: { href: value.trim() } }
  if (!isRecord(value)) return value
  const attrs = isRecord(value.$) ? value.$ : {}
  if (typeof attrs.href === 'string') return value
  return { ...value, $: { ...attrs, href: typeof value._ === 'string' ? value._.trim() : '' } }
}

/**
 * An RSS root without `<channel>` (empty documents, items straight under `<rss>`) gets one, so
 * that it reads as an empty feed or as its items instead of crashing rss-parser.
 */
const withChannel = (root: unknown): unknown => {
  const r = isRecord(root) ? root : {}
  if (r.channel !== undefined) return inheritBase(r)
  const { item, ...rest } = r
  return { ...rest, channel: [item === undefined ? {} : { item }], ...(item ? { item } : {}) }
}

/** The root's xml:base is copied onto the channel, the only level rss-parser lets us read. */
const inheritBase = (root: Record<string, unknown>): Record<string, unknown> => {
  const base = isRecord(root.$) ? root.$['xml:base'] : undefined
  const [first, ...others] = nodesOf(root.channel)
  if (typeof base !== 'string' || !isRecord(first)) return root
  const attrs = isRecord(first.$) ? first.$ : {}
  if (typeof attrs['xml:base'] === 'string') return root
  return { ...root, channel: [{ ...first, $: { ...attrs, 'xml:base': base } }, ...others] }
}

/**
 * An RSS 1.1 root is the channel itself, its items inside `<items>`: reshaped as RSS 1.0 (a
 * channel beside its items), which is how rss-parser and we read it.
 */
const fromRss11 = (root: unknown): unknown => {
  if (!isRecord(root) || root.channel !== undefined || root.item !== undefined) return root
  const { $: attrs, items, ...channel } = root
  const item = nodesOf(items).flatMap((list) => (isRecord(list) ? nodesOf(list.item) : []))
  return {
    ...(attrs === undefined ? {} : { $: attrs }),
    channel: [{ ...channel, ...(isRecord(attrs) ? { $: attrs } : {}) }],
    ...(item.length ? { item } : {}),
  }
}

/** RSS 1.0 items belong beside the channel; some feeds nest them inside it. */
const liftRdfItems = (root: unknown): unknown => {
  if (!isRecord(root) || root.item !== undefined) return root
  const channel = nodesOf(root.channel)[0]
  return isRecord(channel) && channel.item !== undefined ? { ...root, item: channel.item } : root
}

/**
 * Element and attribute names are matched case-insensitively (as feedparser does: `<Title>` is a
 * title, and lenient sax upper-cases everything): lower-cased, then the camelCase names rss-parser
 * and we look up are restored.
 */
const CAMEL: Readonly<Record<string, string>> = dict({
  pubdate: 'pubDate',
  lastbuilddate: 'lastBuildDate',
  managingeditor: 'managingEditor',
  webmaster: 'webMaster',
  skiphours: 'skipHours',
  skipdays: 'skipDays',
  textinput: 'textInput',
  'rdf:rdf': 'rdf:RDF',
  ispermalink: 'isPermaLink',
  filesize: 'fileSize',
})
const restoreCase = (name: string): string => {
  const lower = name.toLowerCase()
  return CAMEL[lower] ?? lower
}

/** Atom documents that say `<item>` for `<entry>` (feedparser reads them too). */
const atomItems = (name: string): string => (name === 'item' ? 'entry' : name)

/** The xml2js options we set; rss-parser hands them to `new xml2js.Parser()`. */
export interface Xml2jsOptions {
  strict: boolean
  validator: (xpath: string, current: unknown, value: unknown) => unknown
  tagNameProcessors: ((name: string) => string)[]
  attrNameProcessors: ((name: string) => string)[]
}

/**
 * The xml2js options rss-parser runs with: strict or lenient sax, case-insensitive names with
 * canonical namespace prefixes, and the `defuse` validator.
 */
export const xml2jsOptions = (xml: string, format: XmlFormat, lenient: boolean): Xml2jsOptions => {
  const mapper = prefixMapper(xml, format)
  return {
    strict: !lenient,
    validator: defuse,
    tagNameProcessors: [
      restoreCase,
      ...(mapper ? [mapper] : []),
      ...(format === 'atom' ? [atomItems] : []),
    ],
    attrNameProcessors: [restoreCase],
  }
}
