/** Pure item querying: filters, newest-first order, story collapsing and stable cursor pages. */
import { InvalidParamError } from '../model/errors.js'
import type { Item, ItemQuery, Page, SearchTerms } from '../model/types.js'
import { htmlToText, normalizeText } from '../topics/text.js'

/** Returns an item's searchable text, normalised and space-padded (see {@link searchTextOf}). */
export type TextOf = (item: Item) => string

/** A position in the newest-first order: the last item of a page. */
export interface CursorPosition {
  /** ISO 8601 UTC, as `Date#toISOString` writes it. */
  publishedAt: string
  id: string
}

/**
 * The text `q` searches: title, summary, content text and categories, each normalised with
 * `normalizeText`, joined by ` | ` so a phrase never matches across two fields, and padded with a
 * space at both ends so a whole-word test is a plain substring test.
 * @example searchTextOf(makeItem({ title: 'Türkiye', summary: 'Talks.' })) // ' turkiye | talks … '
 */
export const searchTextOf: TextOf = (item) => {
  const fields = [item.title, item.summary ?? '', htmlToText(item.contentHtml ?? '')]
  const text = [...fields, ...item.categories]
    .map(normalizeText)
    .filter((s) => s !== '')
    .join(' | ')
  return ` ${text} `
}

/**
 * Compiles search terms into a whole-word/phrase test on text from {@link searchTextOf}
 * (normalised, space-padded): every include term occurs, no exclude term does. Terms are
 * normalised like the text; one that normalises to nothing (`--`) is ignored.
 */
export const compileTerms = (terms: SearchTerms): ((text: string) => boolean) => {
  const pad = (list: string[]): string[] =>
    list
      .map(normalizeText)
      .filter((t) => t !== '')
      .map((t) => ` ${t} `)
  const include = pad(terms.include)
  const exclude = pad(terms.exclude)
  return (text) => include.every((t) => text.includes(t)) && !exclude.some((t) => text.includes(t))
}

/**
 * {@link compileTerms} for one normalised text (padded here when it is not).
 * @example matchesTerms(searchTextOf(item), { include: ['durand line'], exclude: ['cricket'] })
 */
export const matchesTerms = (text: string, terms: SearchTerms): boolean =>
  compileTerms(terms)(text.startsWith(' ') && text.endsWith(' ') ? text : ` ${text} `)

/** Writes the opaque cursor for a position (base64url of `[publishedAt, id]`). */
export const encodeCursor = (pos: CursorPosition): string =>
  Buffer.from(JSON.stringify([pos.publishedAt, pos.id]), 'utf8').toString('base64url')

/**
 * Reads a cursor written by {@link encodeCursor}.
 * @throws InvalidParamError('cursor') when it is not one.
 */
export const decodeCursor = (cursor: string): CursorPosition => {
  const bad = (): InvalidParamError =>
    new InvalidParamError(
      'cursor',
      `cursor "${cursor.slice(0, 80)}" is not a cursor this server wrote; use the nextCursor of a previous page, or drop cursor to start from the first page`,
    )
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad()
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw bad()
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw bad()
  const [publishedAt, id] = parsed as unknown[]
  if (typeof publishedAt !== 'string' || typeof id !== 'string' || id === '') throw bad()
  if (Number.isNaN(Date.parse(publishedAt))) throw bad()
  return { publishedAt, id }
}

/** Newest first: publishedAt descending, then id descending; a total order over distinct ids. */
export const compareKeys = (ta: number, ia: string, tb: number, ib: string): number =>
  tb - ta || (ia < ib ? 1 : ia > ib ? -1 : 0)

/** {@link compareKeys} on items (parses dates on every call; sort decorated keys for big arrays). */
export const compareItems = (a: Item, b: Item): number =>
  compareKeys(Date.parse(a.publishedAt), a.id, Date.parse(b.publishedAt), b.id)

interface Keyed {
  item: Item
  t: number
}

const sortKeyed = (rows: Keyed[]): Keyed[] => {
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1]!
    const b = rows[i]!
    if (compareKeys(a.t, a.item.id, b.t, b.item.id) > 0) {
      return rows.sort((x, y) => compareKeys(x.t, x.item.id, y.t, y.item.id))
    }
  }
  return rows
}

/** Sorts items newest first (decorated, so each date is parsed once). */
export const sortNewestFirst = (items: Iterable<Item>): Item[] =>
  sortKeyed(Array.from(items, (item) => ({ item, t: Date.parse(item.publishedAt) }))).map(
    (r) => r.item,
  )

const timeParam = (param: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const t = Date.parse(value)
  if (Number.isNaN(t)) throw new InvalidParamError(param, `${param} "${value}" is not a date`)
  return t
}

const langMatches = (itemLang: string | undefined, want: string): boolean => {
  if (itemLang === undefined) return false
  const have = itemLang.toLowerCase().replace(/_/g, '-')
  return have === want || have.startsWith(`${want}-`)
}

/** A predicate for every filter of `q` except time, cursor and clusters. */
const itemFilter = (q: ItemQuery, textOf: TextOf): ((item: Item) => boolean) => {
  const topics = q.topics?.length ? new Set(q.topics) : undefined
  const notTopics = q.notTopics?.length ? new Set(q.notTopics) : undefined
  const sources = q.sources?.length ? new Set(q.sources) : undefined
  const lang = q.lang ? q.lang.toLowerCase().replace(/_/g, '-') : undefined
  const terms =
    q.q && (q.q.include.length > 0 || q.q.exclude.length > 0) ? compileTerms(q.q) : undefined
  return (item) =>
    (!sources || sources.has(item.sourceId)) &&
    (!topics || item.topics.some((t) => topics.has(t))) &&
    (!notTopics || !item.topics.some((t) => notTopics.has(t))) &&
    (!lang || langMatches(item.language, lang)) &&
    (!terms || terms(textOf(item)))
}

/** Hints from a store that keeps items indexed; without them applyQuery filters and sorts all. */
export interface QueryOptions {
  /** The caller guarantees `items` are newest first: no sort, and the walk stops early. */
  presorted?: boolean
  /**
   * Every stored member of a cluster (any order). With `presorted`, lets `collapse` decide per
   * item whether it leads its story, so it too stops once the page is full.
   */
  clusterMembers?: (clusterId: string) => Iterable<Item>
}

const toPage = (page: Keyed[], more: boolean): Page<Item> => {
  const result: Page<Item> = { items: page.map((r) => r.item) }
  const last = page[page.length - 1]
  if (more && last) {
    result.nextCursor = encodeCursor({
      publishedAt: new Date(last.t).toISOString(),
      id: last.item.id,
    })
  }
  return result
}

/**
 * Filters, orders and pages items (pure). Filters: `topics` (any of), `notTopics` (none of),
 * `sources`, `since` (inclusive) / `until` (exclusive) on publishedAt, `lang` (subtag prefix:
 * `en` matches `en-GB`), `q` (whole words/phrases on {@link searchTextOf}); an empty list is no
 * filter. Order: newest first by publishedAt, then id (see {@link compareKeys}).
 *
 * `clusters: 'collapse'` keeps one item per clusterId: the lead is the EARLIEST published matching
 * member (ties: the smallest id). The earliest is chosen because later copies of a story then
 * never move it, so pages stay stable while copies keep arriving.
 *
 * Pages: `nextCursor` (set only when more items follow) encodes the last item's (publishedAt, id);
 * the next page starts strictly after that position, so items that arrive in between (newer ones)
 * neither shift nor repeat what a reader already paged through.
 *
 * @param textOf normalised search text of an item; stores pass a cached one.
 * @param opts hints that let an indexed store avoid a full filter and sort (same results).
 * @throws InvalidParamError for a malformed cursor or an unparsable since/until.
 */
export const applyQuery = (
  items: Iterable<Item>,
  q: ItemQuery,
  textOf: TextOf = searchTextOf,
  opts: QueryOptions = {},
): Page<Item> => {
  const since = timeParam('since', q.since)
  const until = timeParam('until', q.until)
  const cur = q.cursor === undefined ? undefined : decodeCursor(q.cursor)
  const curT = cur ? Date.parse(cur.publishedAt) : 0
  const limit = Math.max(1, Math.floor(q.limit))
  const collapse = q.clusters === 'collapse'
  const keep = itemFilter(q, textOf)
  const inTime = (t: number): boolean =>
    (since === undefined || t >= since) && (until === undefined || t < until)
  const afterCursor = (r: Keyed): boolean => !cur || compareKeys(curT, cur.id, r.t, r.item.id) < 0
  const { presorted = false, clusterMembers } = opts

  if (presorted && (!collapse || clusterMembers)) {
    // A cluster's lead is its matching member that comes last in the order (computed once per
    // cluster and query, so a huge cluster costs its size once, not once per member).
    const lastOf = new Map<string, Keyed | null>()
    const leads = (r: Keyed): boolean => {
      let last = lastOf.get(r.item.clusterId)
      if (last === undefined) {
        last = null
        for (const m of clusterMembers?.(r.item.clusterId) ?? []) {
          const t = Date.parse(m.publishedAt)
          if (!inTime(t) || !keep(m)) continue
          if (!last || compareKeys(last.t, last.item.id, t, m.id) < 0) last = { item: m, t }
        }
        lastOf.set(r.item.clusterId, last)
      }
      return !last || compareKeys(last.t, last.item.id, r.t, r.item.id) <= 0
    }
    const page: Keyed[] = []
    for (const item of items) {
      const row = { item, t: Date.parse(item.publishedAt) }
      if (since !== undefined && row.t < since) break
      if (!inTime(row.t) || !afterCursor(row) || !keep(item)) continue
      if (collapse && !leads(row)) continue
      if (page.length === limit) return toPage(page, true)
      page.push(row)
    }
    return toPage(page, false)
  }

  const rows: Keyed[] = []
  for (const item of items) {
    const row = { item, t: Date.parse(item.publishedAt) }
    // Rows before the cursor never decide a lead after it: a lead is its cluster's last row.
    if (inTime(row.t) && afterCursor(row) && keep(item)) rows.push(row)
  }
  let ordered = presorted ? rows : sortKeyed(rows)
  if (collapse) {
    // Walking newest first, the last row seen for a cluster is its earliest: the lead.
    const lead = new Map<string, Keyed>()
    for (const r of ordered) lead.set(r.item.clusterId, r)
    ordered = ordered.filter((r) => lead.get(r.item.clusterId) === r)
  }
  return toPage(ordered.slice(0, limit), ordered.length > limit)
}
