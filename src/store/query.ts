/** Pure item querying: filters, newest-first order, story collapsing and stable cursor pages. */
import { InvalidParamError } from '../model/errors.js'
import type { Item, ItemQuery, MatchField, Page, SearchTerms } from '../model/types.js'
import { normalizeText } from '../topics/text.js'
import { searchFieldsOf } from '../topics/word-filter.js'

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
 * space at both ends so a whole-word test is a plain substring test. The layout is positional
 * (an empty field stays an empty segment): title, summary, content, then one segment per category,
 * so a field-scoped term finds its field (`|` never survives normalisation).
 * @example searchTextOf(makeItem({ title: 'Türkiye', summary: 'Talks.' })) // ' turkiye | talks | … '
 */
export const searchTextOf: TextOf = (item) =>
  ` ${searchFieldsOf(item).map(normalizeText).join(' | ')} `

/** Segment positions of each field in {@link searchTextOf}'s text (categories: 3 to the end). */
const FIELD_SEGMENT: Record<MatchField, number> = {
  title: 0,
  summary: 1,
  content: 2,
  categories: 3,
}

/** The padded text of one field, cut out of a {@link searchTextOf} text. */
const fieldText = (segments: readonly string[], field: MatchField): string => {
  const at = FIELD_SEGMENT[field]
  const parts = field === 'categories' ? segments.slice(at) : segments.slice(at, at + 1)
  return ` ${parts.map((p) => p.trim()).join(' | ')} `
}

/**
 * Compiles search terms into a whole-word/phrase test on text from {@link searchTextOf}
 * (normalised, space-padded): every include term occurs, no exclude term does, and each scoped
 * term does (or does not) occur in its field. Terms are normalised like the text; one that
 * normalises to nothing (`--`) is ignored.
 */
export const compileTerms = (terms: SearchTerms): ((text: string) => boolean) => {
  const padOne = (t: string): string => {
    const n = normalizeText(t)
    return n === '' ? '' : ` ${n} `
  }
  const pad = (list: string[]): string[] => list.map(padOne).filter((t) => t !== '')
  const include = pad(terms.include)
  const exclude = pad(terms.exclude)
  const scoped = (terms.scoped ?? [])
    .map((s) => ({ field: s.field, term: padOne(s.term), exclude: s.exclude }))
    .filter((s) => s.term !== '')
  const plain = (text: string): boolean =>
    include.every((t) => text.includes(t)) && !exclude.some((t) => text.includes(t))
  if (scoped.length === 0) return plain
  return (text) => {
    if (!plain(text)) return false
    const segments = text.split('|')
    return scoped.every((s) => fieldText(segments, s.field).includes(s.term) !== s.exclude)
  }
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
const itemFilter = (
  q: ItemQuery,
  textOf: TextOf,
  matcher?: QueryOptions['matcher'],
): ((item: Item) => boolean) => {
  const topics = q.topics?.length ? new Set(q.topics) : undefined
  const notTopics = q.notTopics?.length ? new Set(q.notTopics) : undefined
  const sources = q.sources?.length ? new Set(q.sources) : undefined
  const lang = q.lang ? q.lang.toLowerCase().replace(/_/g, '-') : undefined
  const words = q.q
  const searched =
    words &&
    (words.include.length > 0 || words.exclude.length > 0 || (words.scoped?.length ?? 0) > 0)
  const onText = searched && !matcher ? compileTerms(words) : undefined
  const terms = !searched
    ? undefined
    : matcher
      ? matcher(words)
      : (item: Item): boolean => onText!(textOf(item))
  return (item) =>
    (!sources || sources.has(item.sourceId)) &&
    (!topics || item.topics.some((t) => topics.has(t))) &&
    (!notTopics || !item.topics.some((t) => notTopics.has(t))) &&
    (!lang || langMatches(item.language, lang)) &&
    (!terms || terms(item))
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
  /**
   * A source's preference as the lead of a story (config `priority`, higher wins); absent: every
   * source is 0 and the earliest member leads.
   */
  priorityOf?: (sourceId: string) => number
  /**
   * The `q` test of a store that does not keep every item's whole text (same answers as
   * {@link compileTerms} on `textOf`); absent: compileTerms on `textOf`.
   */
  matcher?: (terms: SearchTerms) => (item: Item) => boolean
  /**
   * An item's publishedAt as epoch ms (NaN when it cannot be read), for a store that already
   * holds it as a number; absent: `Date.parse(item.publishedAt)`.
   */
  timeOf?: (item: Item) => number
}

const parseTime = (item: Item): number => Date.parse(item.publishedAt)

/**
 * The order in which members compete to lead a story, best first: the highest source priority,
 * then the earliest published, then the smallest id.
 */
const leadOrder =
  (priorityOf: ((sourceId: string) => number) | undefined) =>
  (a: Keyed, b: Keyed): number =>
    (priorityOf ? priorityOf(b.item.sourceId) - priorityOf(a.item.sourceId) : 0) ||
    -compareKeys(a.t, a.item.id, b.t, b.item.id)

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
 * `clusters: 'collapse'` keeps one item per clusterId, its lead: the matching member from the
 * source with the highest `opts.priorityOf`, then the EARLIEST published (ties: the smallest id).
 * Among equal priorities the earliest is chosen because later copies of a story then never move
 * it, so pages stay stable while copies keep arriving; a later copy from a preferred source does
 * take the lead (and the story's place in the order).
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
  const keep = itemFilter(q, textOf, opts.matcher)
  const inTime = (t: number): boolean =>
    (since === undefined || t >= since) && (until === undefined || t < until)
  const afterCursor = (r: Keyed): boolean => !cur || compareKeys(curT, cur.id, r.t, r.item.id) < 0
  const { presorted = false, clusterMembers, priorityOf, timeOf = parseTime } = opts
  const better = leadOrder(priorityOf)

  if (presorted && (!collapse || clusterMembers)) {
    // A cluster's lead is computed once per cluster and query from all its matching members
    // (cursor or not), so a huge cluster costs its size once, not once per member.
    const leadOf = new Map<string, Keyed | null>()
    const leads = (r: Keyed): boolean => {
      let lead = leadOf.get(r.item.clusterId)
      if (lead === undefined) {
        lead = null
        for (const m of clusterMembers?.(r.item.clusterId) ?? []) {
          const row = { item: m, t: timeOf(m) }
          if (!inTime(row.t) || !keep(m)) continue
          if (!lead || better(row, lead) < 0) lead = row
        }
        leadOf.set(r.item.clusterId, lead)
      }
      return !lead || better(r, lead) <= 0
    }
    const page: Keyed[] = []
    for (const item of items) {
      const row = { item, t: timeOf(item) }
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
    const row = { item, t: timeOf(item) }
    // A row before the cursor may still lead (by priority) a story whose other rows follow it.
    if (inTime(row.t) && (collapse || afterCursor(row)) && keep(item)) rows.push(row)
  }
  let ordered = presorted ? rows : sortKeyed(rows)
  if (collapse) {
    const lead = new Map<string, Keyed>()
    for (const r of ordered) {
      const best = lead.get(r.item.clusterId)
      if (!best || better(r, best) < 0) lead.set(r.item.clusterId, r)
    }
    ordered = ordered.filter((r) => lead.get(r.item.clusterId) === r && afterCursor(r))
  }
  return toPage(ordered.slice(0, limit), ordered.length > limit)
}
