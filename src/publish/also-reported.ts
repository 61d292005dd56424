/** "Also reported by": the other outlets' reports of a story, for collapsed feeds (pure). */
import type { Item, Source } from '../model/types.js'
import { createLimiter } from '../util/limit.js'
import { httpHref } from '../util/url.js'
import type { AlsoReported, DocItem } from './document.js'
import { escapeHtml, stripInvalidXmlChars } from './escape.js'

/** Story reads in flight at once: a page of 500 must not queue 500 queries on a database pool. */
const STORY_READS = 4

/**
 * Loads the members of every story on a page once (pure apart from `lookup`), a few stories at
 * a time, for `FeedContext.members` and the API's story objects.
 * @param lookup the store's `clusterMembers`
 * @param many the store's `storyMembers`, when it has it: one read for the page
 * @example const members = await loadStoryMembers(page.items, (id) => store.clusterMembers(id))
 */
export const loadStoryMembers = async (
  items: readonly Item[],
  lookup: (clusterId: string) => Promise<readonly Item[]>,
  /** Every member of many stories in one read (the store's `storyMembers`), used when given. */
  many?: (clusterIds: readonly string[]) => Promise<readonly Item[]>,
): Promise<(clusterId: string) => readonly Item[]> => {
  const ids = [...new Set(items.map((i) => i.clusterId))]
  if (many) {
    const byStory = new Map<string, Item[]>(ids.map((id) => [id, []]))
    for (const m of await many(ids)) byStory.get(m.clusterId)?.push(m)
    return (clusterId) => byStory.get(clusterId) ?? []
  }
  const limit = createLimiter(STORY_READS)
  const found = await Promise.all(
    ids.map((id) => limit(async () => [id, await lookup(id)] as const)),
  )
  const byId = new Map(found)
  return (clusterId) => byId.get(clusterId) ?? []
}

/** Characters XML 1.0 forbids are dropped: one stray byte must not break a feed. */
const clean = (text: string): string => stripInvalidXmlChars(text)

/**
 * The other members of `item`'s story as links: preferred sources first (config `priority`), then
 * the earliest, one per URL; the item itself and its own source's other copies are left out.
 */
export const alsoReported = (
  item: Item,
  members: readonly Item[],
  sources: ReadonlyMap<string, Source>,
  base: string,
): AlsoReported[] => {
  const priority = (m: Item): number => sources.get(m.sourceId)?.priority ?? 0
  const others = members
    .filter(
      (m) => m.id !== item.id && m.clusterId === item.clusterId && m.sourceId !== item.sourceId,
    )
    .sort(
      (a, b) =>
        priority(b) - priority(a) ||
        Date.parse(a.publishedAt) - Date.parse(b.publishedAt) ||
        (a.id < b.id ? -1 : 1),
    )
  const seen = new Set<string>()
  const out: AlsoReported[] = []
  for (const m of others) {
    const source = sources.get(m.sourceId)
    const url =
      httpHref(m.url) ??
      httpHref(source?.url) ??
      `${base}/sources/${encodeURIComponent(m.sourceId)}.rss`
    if (seen.has(url)) continue
    seen.add(url)
    out.push({
      source: { id: m.sourceId, title: clean(source?.title ?? m.sourceId) },
      title: clean(m.title).trim() || url,
      url,
    })
  }
  return out
}

/**
 * The "Also reported by" paragraph appended to an item's HTML content (readers that show content
 * show the links): `<p class="topicwire-also-reported">Also reported by: <a href="…" title="…">Geo
 * News</a>, …</p>`.
 */
export const alsoReportedHtml = (others: readonly AlsoReported[]): string =>
  `<p class="topicwire-also-reported">Also reported by: ${others
    .map(
      (o) =>
        `<a href="${escapeHtml(o.url)}" title="${escapeHtml(o.title)}">${escapeHtml(o.source.title)}</a>`,
    )
    .join(', ')}</p>`

/** The document item with its other reports: listed, and appended to its HTML content. */
export const withAlsoReported = (doc: DocItem, others: readonly AlsoReported[]): DocItem => {
  const body = doc.contentHtml ?? (doc.summary ? `<p>${escapeHtml(doc.summary)}</p>` : '')
  return { ...doc, contentHtml: `${body}${alsoReportedHtml(others)}`, alsoReportedBy: [...others] }
}
