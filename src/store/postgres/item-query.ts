/** Item reads in PostgreSQL: queryItems (SQL narrows and orders, query.ts `applyQuery` decides, so the semantics are the embedded store's), counts, recent items, stories. */
import { createHash } from 'node:crypto'
import type pg from 'pg'
import { StoreError } from '../../model/errors.js'
import type { Item, ItemQuery, Page } from '../../model/types.js'
import { normalizeText } from '../../topics/text.js'
import { applyQuery, decodeCursor, encodeCursor } from '../query.js'
import { UNDATED } from './migrations.js'
import type { Queryable } from './pg-pool.js'

/** Lean rows: the columns applyQuery reads, never the stored document. */
interface LeanRow {
  id: string
  source_id: string
  cluster_id: string
  published: string
  language: string | null
  topics: string[]
  search_text: string
  /** 0: a row of the page's walk, in order; 1: a member of one of their stories. */
  part: number
  doc?: Item
}

/**
 * The fields of an item `applyQuery` reads (id, source, story, date, language, topics; text via
 * `textOf`), built from a lean row: documents are parsed only for the items a page returns.
 */
type LeanItem = Pick<Item, 'id' | 'sourceId' | 'clusterId' | 'publishedAt' | 'topics'> &
  Pick<Partial<Item>, 'language'>

const leanItem = (r: LeanRow): LeanItem => {
  const t = Number(r.published)
  return {
    id: r.id,
    sourceId: r.source_id,
    clusterId: r.cluster_id,
    // An undated item's date parses to NaN, as its stored publishedAt does.
    publishedAt: t === UNDATED ? '' : new Date(t).toISOString(),
    topics: r.topics,
    ...(r.language === null ? {} : { language: r.language }),
  }
}

/** Statement names by SQL text (a name is prepared once per connection, then only bound). */
const names = new Map<string, string>()

/**
 * The query `text` as a named (prepared) statement: PostgreSQL parses and plans it once per
 * connection instead of at every page. Only for statements whose best plan does not depend on
 * their values: a `q` walk's plan depends on how common its words are, and a generic plan would
 * walk every row for a rare word.
 */
const prepared = (text: string, values: unknown[]): pg.QueryConfig => {
  let name = names.get(text)
  if (name === undefined) {
    name = `tw_items_${createHash('sha1').update(text).digest('base64url').slice(0, 16)}`
    // The texts are a few shapes (conditions present or not); the bound guards against a bug.
    if (names.size >= 1_000) names.clear()
    names.set(text, name)
  }
  return { name, text, values }
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
  // One source as `=`: the planner walks that source's newest-first index then, where with
  // `= ANY` it fetches all its rows and sorts them.
  if (q.sources?.length === 1) where.push(`source_id = ${p.add(q.sources[0])}`)
  else if (q.sources?.length) where.push(`source_id = ANY(${p.add(q.sources)}::text[])`)
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
 * One page of `q`. Lean rows (no document) come newest first from SQL, narrowed by
 * {@link conditions} and the cursor, in batches, each with the members of its stories when
 * `collapse` needs them (same statement); `applyQuery` (the embedded store's own code, with its
 * text matcher on the stored `search_text`) keeps the matching ones. Batches continue after the
 * last row read until the page plus one row is found (so `nextCursor` is set only when more
 * follow, as in memory) or the rows run out. Only then are the page's documents read.
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
  // Without collapse or `q` SQL decides alone: the rows are the page, documents and all.
  const exact = !collapse && !q.q
  const texts = new Map<LeanItem, string>()
  const textOf = (item: Item): string => texts.get(item) ?? ''
  const found: LeanItem[] = []
  const docs = new Map<string, Item>()
  const cur = q.cursor === undefined ? undefined : decodeCursor(q.cursor)
  let after = cur ? { published: Date.parse(cur.publishedAt), id: cur.id } : undefined
  // A walk collapsing stories of a few copies keeps about half its rows; a second round trip
  // costs more than the lean rows that make it rare. A `q` walk tests each row's stored words,
  // which costs a row fetch: it starts smaller and grows by what it finds.
  let batch = exact ? limit + 1 : Math.min(MAX_BATCH, (q.q ? 2 : 3) * (limit + 1))
  let read = 0
  // The stored search text is read only when `q` needs it (it is as large as the item).
  const cols = `id, source_id, cluster_id, published, language, topics, ${q.q ? 'search_text' : `'' AS search_text`}${exact ? ', doc' : ''}`
  for (;;) {
    const p = params()
    const where = conditions(q, p)
    if (after) where.push(`(published, id) < (${p.add(after.published)}, ${p.add(after.id)})`)
    const walk = `SELECT ${cols} FROM items
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY published DESC, id DESC LIMIT ${p.add(batch)}`
    const sql = collapse
      ? `WITH walk AS MATERIALIZED (${walk})
         SELECT *, 0 AS part FROM walk
         UNION ALL
         SELECT ${cols}, 1 AS part FROM items
         WHERE cluster_id IN (SELECT cluster_id FROM walk)
         ORDER BY part, published DESC, id DESC`
      : walk
    const { rows } = await db.query<LeanRow>(
      q.q ? { text: sql, values: p.list } : prepared(sql, p.list),
    )
    const walked: LeanItem[] = []
    const members = new Map<string, LeanItem[]>()
    for (const r of rows) {
      const item = leanItem(r)
      if (q.q) texts.set(item, r.search_text)
      if (r.doc) docs.set(r.id, r.doc)
      if (r.part !== 1) walked.push(item)
      else {
        const list = members.get(item.clusterId)
        if (list) list.push(item)
        else members.set(item.clusterId, [item])
      }
    }
    const need = limit + 1 - found.length
    // applyQuery reads only the fields a LeanItem has (and the text through textOf).
    const part = applyQuery(walked as Item[], { ...q, cursor: undefined, limit: need }, textOf, {
      presorted: true,
      ...(collapse ? { clusterMembers: (c: string) => (members.get(c) ?? []) as Item[] } : {}),
      ...(priorityOf ? { priorityOf } : {}),
    })
    found.push(...part.items)
    read += walked.length
    const last = walked.at(-1)
    if (found.length > limit || walked.length < batch || !last) break
    after = { published: Date.parse(last.publishedAt), id: last.id }
    if (Number.isNaN(after.published)) after.published = UNDATED
    // As many rows as the share kept so far says the rest of the page needs, with a margin.
    const kept = Math.max(found.length, 1) / read
    batch = Math.min(MAX_BATCH, Math.max(16, Math.ceil(((limit + 1 - found.length) / kept) * 1.5)))
  }
  const shown = found.slice(0, limit)
  const missing = shown.filter((i) => !docs.has(i.id)).map((i) => i.id)
  if (missing.length > 0) {
    const res = await db.query<{ id: string; doc: Item }>(
      prepared('SELECT id, doc FROM items WHERE id = ANY($1::text[])', [missing]),
    )
    for (const r of res.rows) docs.set(r.id, r.doc)
  }
  // A row deleted between the two reads (retention on another replica) is left out.
  const page: Page<Item> = { items: shown.flatMap((i) => docs.get(i.id) ?? []) }
  const tail = shown.at(-1)
  if (found.length > limit && tail) {
    page.nextCursor = encodeCursor({
      publishedAt: new Date(Date.parse(tail.publishedAt)).toISOString(),
      id: tail.id,
    })
  }
  return page
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
