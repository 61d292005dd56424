/** The adapter from rss-parser output (plus our raw `tw:*` fields) to ParsedFeed / ParsedEntry. */
import type { Enclosure } from '../../model/types.js'
import { resolveUrl } from '../../util/url.js'
import type { ParsedEntry, ParsedFeed } from './types.js'
import {
  allTexts,
  attrOf,
  decodeBase64Text,
  escapeHtml,
  firstText,
  hasChildren,
  isRecord,
  markupOf,
  nodesOf,
  textOf,
} from './xml-nodes.js'

type Kind = 'rss' | 'rdf' | 'atom'
type Raw = Record<string, unknown>

/** What entries inherit from the feed. */
export interface FeedContext {
  /** Absolute `xml:base` of the document, when it declared one. */
  base?: string
  /** Atom feed-level author, inherited by entries without one. */
  author?: string
}

/** The item's `tw:<name>` field, by its whole key (a constant: no key joined per entry and field). */
const field = (raw: Raw, key: `tw:${string}`): unknown => raw[key]

/** Resolves against `base` when there is one; otherwise keeps the reference as written. */
const against = (href: string | undefined, base: string | undefined): string | undefined => {
  const h = href?.trim()
  if (!h) return undefined
  return base ? (resolveUrl(h, base) ?? h) : h
}

/** The `xml:base` of a node resolved against the enclosing base (or the document URL). */
const baseOf = (node: unknown, outer: string | undefined, url: string): string | undefined => {
  const b = attrOf(node, 'xml:base')
  return b ? (resolveUrl(b, outer ?? url) ?? outer) : outer
}

/**
 * A `type` attribute as a bare media type: parameters (`text/html; charset=utf-8`) say nothing
 * about what the element is, and would hide a suffix such as `+xml`.
 */
const mediaType = (node: unknown): string | undefined =>
  attrOf(node, 'type')?.split(';')[0]?.trim().toLowerCase()

/** What a text construct or content element holds, from its `type` and (Atom 0.3) `mode`. */
const contentKind = (node: unknown, kind: Kind, fallback: 'text' | 'html'): Shape => {
  const type = mediaType(node) ?? ''
  const mode = attrOf(node, 'mode')?.toLowerCase()
  if (mode === 'base64' || type === 'application/octet-stream') return 'base64'
  if (type === 'xhtml' || type.includes('xhtml')) return 'xhtml'
  if (type.includes('html') || mode === 'escaped') return 'html'
  if (type === 'text' || type === 'text/plain') return kind === 'atom' ? 'text' : 'html'
  if (type && !/^text\/|\+xml$|\/xml$/.test(type)) return 'binary'
  return kind === 'atom' ? fallback : 'html'
}
type Shape = 'text' | 'html' | 'xhtml' | 'base64' | 'binary'

/**
 * A text construct or content element as HTML: Atom plain text is escaped, HTML kept, xhtml and
 * naked markup serialised, base64 decoded. RSS text is HTML by convention (titles routinely carry
 * entities). `fallback` is what an Atom element without `type` holds.
 */
const asHtml = (node: unknown, kind: Kind, fallback: 'text' | 'html'): string | undefined => {
  if (node === undefined) return undefined
  const shape = contentKind(node, kind, fallback)
  if (shape === 'binary') return undefined
  const text = textOf(node)?.trim()
  if (shape === 'base64') return text ? decodeBase64Text(text)?.trim() || undefined : undefined
  if (hasChildren(node)) return markupOf(node).trim() || undefined
  if (!text) return undefined
  return shape === 'text' ? escapeHtml(text) : text
}

/** Atom content: out-of-line content (`src`) is not ours to fetch. */
const atomContent = (node: unknown): string | undefined =>
  attrOf(node, 'src') && !textOf(node)?.trim() ? undefined : asHtml(node, 'atom', 'text')

/** `jane@example.org (Jane Doe)` → `Jane Doe`; other forms as written. */
const personName = (node: unknown): string | undefined => {
  const name =
    isRecord(node) && node.name !== undefined ? firstText(node.name) : textOf(node)?.trim()
  if (!name) return undefined
  const m = name.match(/^\S+@\S+\s*\((.+)\)$/)
  return (m?.[1] ?? name).trim() || undefined
}

const lengthOf = (v: string | undefined): number | undefined => {
  const n = v === undefined ? Number.NaN : Number(v)
  return Number.isFinite(n) && n >= 0 ? n : undefined
}

const enclosure = (url: string | undefined, type?: string, length?: string): Enclosure[] => {
  if (!url) return []
  const len = lengthOf(length)
  return [{ url, ...(type ? { type } : {}), ...(len === undefined ? {} : { length: len }) }]
}

/** Atom links with their effective relation. */
const atomLinks = (v: unknown, base: string | undefined) =>
  nodesOf(v).map((n) => ({
    rel: (attrOf(n, 'rel') ?? 'alternate').toLowerCase(),
    type: attrOf(n, 'type')?.toLowerCase(),
    href: against(attrOf(n, 'href'), base),
    length: attrOf(n, 'length'),
  }))

/**
 * The alternate link: the last one typed as HTML, else the last untyped one, else any (the last
 * alternate wins, as in feedparser, when a feed lists several).
 */
const alternate = (v: unknown, base: string | undefined): string | undefined => {
  // `includes`, not equality: a type with parameters (`text/html; charset=utf-8`) is still HTML.
  const links = atomLinks(v, base)
    .filter((l) => l.href && l.rel === 'alternate')
    .reverse()
  return (links.find((l) => l.type?.includes('html')) ?? links.find((l) => !l.type) ?? links[0])
    ?.href
}

/** An absolute http(s) URL, usable as a link when a feed only gives an id or guid. */
const isWebUrl = (s: string | undefined): s is string => {
  if (!s || !/^https?:\/\//i.test(s)) return false
  try {
    return Boolean(new URL(s))
  } catch {
    return false
  }
}

const mediaEnclosures = (raw: Raw, base: string | undefined): Enclosure[] => {
  // Most entries have neither: no lists made and flattened for nothing.
  if (field(raw, 'tw:media:content') === undefined && field(raw, 'tw:media:group') === undefined)
    return []
  const groups = nodesOf(field(raw, 'tw:media:group')).flatMap((g) =>
    isRecord(g) ? nodesOf(g['media:content']) : [],
  )
  return [...nodesOf(field(raw, 'tw:media:content')), ...groups].flatMap((n) =>
    enclosure(against(attrOf(n, 'url'), base), attrOf(n, 'type'), attrOf(n, 'fileSize')),
  )
}

/** Feed-level fields and the context entries inherit. */
export const toFeedMeta = (
  out: Raw,
  kind: Kind,
  url: string,
): { fields: Omit<ParsedFeed, 'format' | 'entries' | 'recovered'>; context: FeedContext } => {
  const attrs = { $: field(out, 'tw:$') }
  const base = baseOf(attrs, undefined, url)
  const title =
    asHtml(nodesOf(field(out, 'tw:title'))[0], kind, 'text') ??
    asHtml(nodesOf(field(out, 'tw:dc:title'))[0], kind, 'text')
  const link =
    kind === 'atom'
      ? alternate(field(out, 'tw:link'), base)
      : (against(rssLink(field(out, 'tw:link')), base) ??
        alternate(field(out, 'tw:atom:link'), base))
  const descNode =
    nodesOf(field(out, 'tw:description'))[0] ??
    nodesOf(field(out, 'tw:subtitle'))[0] ??
    nodesOf(field(out, 'tw:tagline'))[0]
  const description = asHtml(descNode, kind, 'text')
  const language =
    firstText(field(out, 'tw:language')) ??
    firstText(field(out, 'tw:dc:language')) ??
    attrOf(attrs, 'xml:lang')
  const author = kind === 'atom' ? personName(nodesOf(field(out, 'tw:author'))[0]) : undefined
  const ttlMinutes = kind === 'atom' ? undefined : ttlOf(firstText(field(out, 'tw:ttl')))
  return {
    fields: {
      ...(title ? { title } : {}),
      ...(link ? { link } : {}),
      ...(description ? { description } : {}),
      ...(language ? { language } : {}),
      ...(ttlMinutes ? { ttlMinutes } : {}),
    },
    context: { ...(base ? { base } : {}), ...(author ? { author } : {}) },
  }
}

/** RSS `<ttl>`: a whole number of minutes above 0 (`60`, ` 30 `); anything else is ignored. */
const ttlOf = (text: string | undefined): number | undefined => {
  const m = /^\d{1,7}$/.exec(text ?? '')
  const n = m ? Number(m[0]) : 0
  return n > 0 ? n : undefined
}

/**
 * An RSS `<link>`: its text, or an `href` attribute when an Atom-style link was used unprefixed.
 * With several, the last wins (as in feedparser and gofeed).
 */
const rssLink = (v: unknown): string | undefined => {
  for (const n of nodesOf(v).reverse()) {
    const rel = attrOf(n, 'rel')
    if (rel && rel !== 'alternate') continue
    const t = textOf(n)?.trim() || attrOf(n, 'href')
    if (t) return t
  }
  return undefined
}

/** An RSS guid (`guidText`, the text of `guidNode`) as the item's link: a permalink that resolves against `base`. */
const guidLink = (
  guidNode: unknown,
  guidText: string | undefined,
  base: string,
): string | undefined => {
  const permalink = attrOf(guidNode, 'isPermaLink')?.toLowerCase()
  const permalinkOk = permalink === 'true' || (permalink === undefined && isWebUrl(guidText))
  return permalinkOk && resolveUrl(guidText, base) !== undefined ? guidText : undefined
}

const rssEntry = (raw: Raw, ctx: FeedContext, url: string): ParsedEntry => {
  const base = baseOf({ $: field(raw, 'tw:$') }, ctx.base, url)
  const guidNode = nodesOf(field(raw, 'tw:guid'))[0]
  const guidText = textOf(guidNode)?.trim() || undefined
  // RSS 1.0 has no guid; rdf:about is the item's identifier.
  const guid = guidText ?? attrOf({ $: field(raw, 'tw:$') }, 'rdf:about')
  // The guid as the link only when the item has none of its own (its checks read a URL).
  const link =
    rssLink(field(raw, 'tw:link')) ??
    alternate(field(raw, 'tw:atom:link'), base) ??
    guidLink(guidNode, guidText, base ?? url)
  return compact({
    guid,
    link: against(link, base),
    title:
      asHtml(nodesOf(field(raw, 'tw:title'))[0], 'rss', 'html') ??
      asHtml(nodesOf(field(raw, 'tw:dc:title'))[0], 'rss', 'html'),
    summary:
      asHtml(nodesOf(field(raw, 'tw:description'))[0], 'rss', 'html') ??
      asHtml(nodesOf(field(raw, 'tw:dc:description'))[0], 'rss', 'html'),
    contentHtml: asHtml(nodesOf(field(raw, 'tw:content:encoded'))[0], 'rss', 'html'),
    author:
      personName(nodesOf(field(raw, 'tw:dc:creator'))[0]) ??
      personName(nodesOf(field(raw, 'tw:author'))[0]),
    categories: [...allTexts(field(raw, 'tw:category')), ...allTexts(field(raw, 'tw:dc:subject'))],
    enclosures: [
      ...nodesOf(field(raw, 'tw:enclosure')).flatMap((n) =>
        enclosure(against(attrOf(n, 'url'), base), attrOf(n, 'type'), attrOf(n, 'length')),
      ),
      ...mediaEnclosures(raw, base),
    ],
    published:
      firstText(field(raw, 'tw:pubDate')) ??
      firstText(field(raw, 'tw:dc:date')) ??
      firstText(field(raw, 'tw:dcterms:issued')) ??
      firstText(field(raw, 'tw:atom:published')) ??
      firstText(field(raw, 'tw:published')),
    updated:
      firstText(field(raw, 'tw:dcterms:modified')) ??
      firstText(field(raw, 'tw:atom:updated')) ??
      firstText(field(raw, 'tw:updated')),
    base,
  })
}

const atomEntry = (raw: Raw, ctx: FeedContext, url: string): ParsedEntry => {
  const base = baseOf({ $: field(raw, 'tw:$') }, ctx.base, url)
  const links = atomLinks(field(raw, 'tw:link'), base)
  const id = firstText(field(raw, 'tw:id'))
  const contentNode = nodesOf(field(raw, 'tw:content'))[0]
  const categories = nodesOf(field(raw, 'tw:category')).flatMap((n) => {
    const term = attrOf(n, 'label') ?? attrOf(n, 'term') ?? textOf(n)?.trim()
    return term ? [term] : []
  })
  return compact({
    guid: id,
    // Like an RSS guid, an id that is a web URL is the best link we have when none is given.
    link: alternate(field(raw, 'tw:link'), base) ?? (isWebUrl(id) ? id : undefined),
    title: asHtml(nodesOf(field(raw, 'tw:title'))[0], 'atom', 'text'),
    summary: asHtml(nodesOf(field(raw, 'tw:summary'))[0], 'atom', 'text'),
    contentHtml: atomContent(contentNode),
    author:
      personName(nodesOf(field(raw, 'tw:author'))[0]) ??
      personName(nodesOf(field(raw, 'tw:dc:creator'))[0]) ??
      ctx.author,
    categories: [...categories, ...allTexts(field(raw, 'tw:dc:subject'))],
    enclosures: [
      ...links
        .filter((l) => l.rel === 'enclosure')
        .flatMap((l) => enclosure(l.href, l.type, l.length)),
      ...mediaEnclosures(raw, base),
    ],
    published:
      firstText(field(raw, 'tw:published')) ??
      firstText(field(raw, 'tw:issued')) ??
      firstText(field(raw, 'tw:created')) ??
      firstText(field(raw, 'tw:dc:date')),
    updated: firstText(field(raw, 'tw:updated')) ?? firstText(field(raw, 'tw:modified')),
    // Relative URLs inside the content resolve against the content's own xml:base first.
    base: baseOf(contentNode, base, url),
  })
}

/** Drops undefined optional fields (the model is built with `exactOptionalPropertyTypes` in mind). */
const compact = (e: ParsedEntry): ParsedEntry => {
  const out: Record<string, unknown> = {}
  for (const k in e) {
    const v = (e as unknown as Record<string, unknown>)[k]
    if (v !== undefined && Object.hasOwn(e, k)) out[k] = v
  }
  return out as unknown as ParsedEntry
}

/** Maps one rss-parser item (with its raw `tw:*` fields) to a ParsedEntry. */
export const toParsedEntry = (raw: Raw, kind: Kind, ctx: FeedContext, url = ''): ParsedEntry =>
  kind === 'atom' ? atomEntry(raw, ctx, url) : rssEntry(raw, ctx, url)
