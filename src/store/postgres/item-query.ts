/** Item reads in PostgreSQL: queryItems (SQL narrows and orders, query.ts `applyQuery` decides, so the semantics are the embedded store's), counts, recent items, stories. */
import { StoreError } from '../../model/errors.js'
import type { Item, ItemQuery, Page } from '../../model/types.js'
import { normalizeText } from '../../topics/text.js'
import { applyQuery, decodeCursor, encodeCursor, searchTextOf } from '../query.js'
import type { Queryable } from './pg-pool.js'

interface Row {
  doc: Item
  search_text: string
  published: string
  id: string
}

/** Builds a parameter list and hands out its `$n` marks. */
const params = () => {
  const list: unknown[] = []
  return {
    list,
    add(v: unknown): string {
      list.push(v)
      return `$${list.length}`
    },
  }
}

const normalisedWords = (term: string): string[] =>
  normalizeText(term)
    .split(' ')
    .filter((w) => w !== '')

/**
 * SQL conditions every row matching `q` meets (a superset: `applyQuery` judges each row after):
 * topics, sources, time, language, and for `q` the words every include term needs and the
 * single words excluded (exact on `words`, see item-rows.ts `wordsOf`).
 */
const conditions = (q: ItemQuery, p: ReturnType<typeof params>): string[] => {
  const where: string[] = []
  if (q.topics?.length) where.push(`topics && ${p.add(q.topics)}::text[]`)
  if (q.notTopics?.length) where.push(`NOT (topics && ${p.add(q.notTopics)}::text[])`)
  if (q.sources?.length) where.push(`source_id = ANY(${p.add(q.sources)}::text[])`)
  if (q.since !== undefined) where.push(`published >= ${p.add(Date.parse(q.since))}`)
  if (q.until !== undefined) where.push(`published < ${p.add(Date.parse(q.until))}`)
  if (q.lang) {
    const lang = q.lang.toLowerCase().replace(/_/g, '-')
    where.push(`(language = ${p.add(lang)} OR starts_with(language, ${p.add(`${lang}-`)}))`)
  }
  if (q.q) {
    const required = new Set<string>()
    for (const t of q.q.include) for (const w of normalisedWords(t)) required.add(w)
    for (const s of q.q.scoped ?? []) {
      if (!s.exclude) for (const w of normalisedWords(s.term)) required.add(w)
    }
    if (required.size > 0) where.push(`words @> ${p.add([...required])}::text[]`)
    const excluded = q.q.exclude.map(normalisedWords).filter((ws) => ws.length === 1)
    if (excluded.length > 0) where.push(`NOT (words && ${p.add(excluded.flat())}::text[])`)
  }
  return where
}

/** Rows fetched per round trip at most, however many a page filtered in JS needs. */
const MAX_BATCH = 2_000

/**
 * One page of `q`. Rows come newest first from SQL, narrowed by {@link conditions} and the cursor,
 * in batches; `applyQuery` (the embedded store's own code, with its text matcher on the stored
 * `search_text` and, for `collapse`, every member of each story in the batch) keeps the matching
 * ones. Batches continue after the last row read until the page plus one row is found (so
 * `nextCursor` is set only when more follow, as in memory) or the rows run out.
 * @throws InvalidParamError for a malformed cursor or since/until, like the embedded store.
 */
export const queryItemsPg = async (
  db: Queryable,
  q: ItemQuery,
  priorityOf?: (sourceId: string) => number,
): Promise<Page<Item>> => {
  applyQuery([], q) // validates cursor, since and until with the embedded store's messages
  const limit = Math.max(1, Math.floor(q.limit))
  const collapse = q.clusters === 'collapse'
  const exact = !collapse && !q.q
  const texts = new Map<Item, string>()
  const textOf = (item: Item): string => texts.get(item) ?? searchTextOf(item)
  const found: Item[] = []
  const cur = q.cursor === undefined ? undefined : decodeCursor(q.cursor)
  let after = cur ? { published: Date.parse(cur.publishedAt), id: cur.id } : undefined
  let batch = exact ? limit + 1 : Math.min(MAX_BATCH, 2 * (limit + 1))
  let read = 0
  // The stored search text is read only when `q` needs it (it is as large as the item).
  const textColumn = q.q ? 'search_text' : `'' AS search_text`
  for (;;) {
    const p = params()
    const where = conditions(q, p)
    if (after) where.push(`(published, id) < (${p.add(after.published)}, ${p.add(after.id)})`)
    const sql = `SELECT doc, ${textColumn}, published, id FROM items
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY published DESC, id DESC LIMIT ${p.add(batch)}`
    const { rows } = await db.query<Row>(sql, p.list)
    if (q.q) for (const r of rows) texts.set(r.doc, r.search_text)
    const members = collapse ? await storyMembers(db, rows, texts, textColumn) : undefined
    const need = limit + 1 - found.length
    const part = applyQuery(
      rows.map((r) => r.doc),
      { ...q, cursor: undefined, limit: need },
      textOf,
      {
        presorted: true,
        ...(members ? { clusterMembers: (c: string) => members.get(c) ?? [] } : {}),
        ...(priorityOf ? { priorityOf } : {}),
      },
    )
    found.push(...part.items)
    read += rows.length
    const last = rows.at(-1)
    if (found.length > limit || rows.length < batch || !last) break
    after = { published: Number(last.published), id: last.id }
    // As many rows as the share kept so far says the rest of the page needs, with a margin.
    const kept = Math.max(found.length, 1) / read
    batch = Math.min(MAX_BATCH, Math.max(16, Math.ceil(((limit + 1 - found.length) / kept) * 1.5)))
  }
  const page: Page<Item> = { items: found.slice(0, limit) }
  const tail = page.items.at(-1)
  if (found.length > limit && tail) {
    page.nextCursor = encodeCursor({
      publishedAt: new Date(Date.parse(tail.publishedAt)).toISOString(),
      id: tail.id,
    })
  }
  return page
}

/** Every stored member of the stories of `rows`, by story id (texts noted for the matcher). */
const storyMembers = async (
  db: Queryable,
  rows: readonly Row[],
  texts: Map<Item, string>,
  textColumn: string,
): Promise<Map<string, Item[]>> => {
  const ids = [...new Set(rows.map((r) => r.doc.clusterId))]
  const out = new Map<string, Item[]>()
  if (ids.length === 0) return out
  const res = await db.query<Row>(
    `SELECT doc, ${textColumn} FROM items WHERE cluster_id = ANY($1::text[])`,
    [ids],
  )
  for (const r of res.rows) {
    if (r.search_text) texts.set(r.doc, r.search_text)
    const list = out.get(r.doc.clusterId)
    if (list) list.push(r.doc)
    else out.set(r.doc.clusterId, [r.doc])
  }
  return out
}

const toTime = (what: string, iso: string): number => {
  const t = Date.parse(iso)
  if (Number.isNaN(t)) throw new StoreError(`${what}: "${iso}" is not an ISO 8601 date`)
  return t
}

/** Stored items matching the filter; with `stories`, their distinct stories. */
export const countItemsPg = async (
  db: Queryable,
  filter: { sourceId?: string; topic?: string; since?: string; stories?: boolean } = {},
): Promise<number> => {
  const p = params()
  const where: string[] = []
  if (filter.sourceId !== undefined) where.push(`source_id = ${p.add(filter.sourceId)}`)
  if (filter.topic !== undefined) where.push(`topics @> ARRAY[${p.add(filter.topic)}::text]`)
  if (filter.since !== undefined)
    where.push(`published >= ${p.add(toTime('countItems since', filter.since))}`)
  const what = filter.stories ? 'count(DISTINCT cluster_id)' : 'count(*)'
  const { rows } = await db.query<{ n: string }>(
    `SELECT ${what} AS n FROM items ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
    p.list,
  )
  return Number(rows[0]?.n ?? 0)
}

/** Items fetched or published since `since`, newest first (candidates for clustering). */
export const recentItemsPg = async (db: Queryable, since: string): Promise<Item[]> => {
  const t = toTime('recentItems since', since)
  const { rows } = await db.query<{ doc: Item }>(
    'SELECT doc FROM items WHERE published >= $1 OR fetched >= $1 ORDER BY published DESC, id DESC',
    [t],
  )
  return rows.map((r) => r.doc)
}

export const getItemPg = async (db: Queryable, id: string): Promise<Item | undefined> => {
  const { rows } = await db.query<{ doc: Item }>('SELECT doc FROM items WHERE id = $1', [id])
  return rows[0]?.doc
}

export const clusterMembersPg = async (db: Queryable, clusterId: string): Promise<Item[]> => {
  const { rows } = await db.query<{ doc: Item }>('SELECT doc FROM items WHERE cluster_id = $1', [
    clusterId,
  ])
  return rows.map((r) => r.doc)
}
