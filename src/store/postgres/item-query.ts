/** Item reads in PostgreSQL: queryItems (SQL narrows and orders, query.ts `applyQuery` decides, so the semantics are the embedded store's), counts, recent items, stories. */
import { createHash } from 'node:crypto'
import pg from 'pg'
import { StoreError } from '../../model/errors.js'
import type { Item, ItemQuery, Page } from '../../model/types.js'
import { normalizeText } from '../../topics/text.js'
import { applyQuery, decodeCursor, encodeCursor } from '../query.js'
import { UNDATED } from './migrations.js'
import type { Queryable } from './pg-pool.js'
import { signatureBits } from './word-signature.js'

/**
 * A lean row as the page statement sends it (`rowMode: 'array'`, every value as text, see
 * {@link RAW_TEXT}): id, source, story, published (epoch ms), language, topics (a text[]
 * literal), search text, part (0: a row of the page's walk; 1: a matching member of
 * one of their stories outside the walk), and the stored document as text (parsed only if the page shows the
 * row), or null.
 */
type LeanRow = [
  id: string,
  sourceId: string,
  clusterId: string,
  published: string,
  language: string | null,
  topics: string,
  searchText: string,
  part: string,
  doc: string | null,
]

/**
 * Every column as the text PostgreSQL sends: pg's per-value parsers (bigint, int, text[]) and
 * its row objects cost more than the page's own work on a page of a few hundred lean rows;
 * {@link leanItem} reads the few it needs.
 */
const RAW_TEXT = { getTypeParser: () => (value: string) => value } as unknown as NonNullable<
  pg.QueryConfig['types']
>

/** pg's own parser of a `text[]` literal (quotes, escapes; 1009 is text[]'s type id), for rows that carry topics. */
const parseTextArray = pg.types.getTypeParser(1009 as never, 'text') as (value: string) => string[]

/** The empty topics list, shared: most rows carry no topic. */
const NO_TOPICS: string[] = []

/**
 * The fields of an item `applyQuery` reads (id, source, story, language, topics; text via
 * `textOf`), built from a lean row, and its date as the epoch ms the row holds (`t`, NaN when
 * undated, as `Date.parse` of its stored publishedAt): `applyQuery` reads it through `timeOf`, so
 * no row's date is formatted as text and parsed back. Documents are parsed only for the items a
 * page returns.
 */
type LeanItem = Pick<Item, 'id' | 'sourceId' | 'clusterId' | 'topics'> &
  Pick<Partial<Item>, 'language'> & { t: number }

/**
 * A lean item of a row; its topics are parsed only when `withTopics` (applyQuery reads them only
 * for `topics` and `notTopics`).
 */
const leanItem = (r: LeanRow, withTopics: boolean): LeanItem => {
  const t = Number(r[3])
  const item: LeanItem = {
    id: r[0],
    sourceId: r[1],
    clusterId: r[2],
    t: t === UNDATED ? Number.NaN : t,
    topics: !withTopics || r[5] === '{}' ? NO_TOPICS : parseTextArray(r[5]),
  }
  if (r[4] !== null) item.language = r[4]
  return item
}

/** Newest first, as SQL orders a walk (an undated row sorts as {@link UNDATED}, last). */
const walkOrder = (a: LeanItem, b: LeanItem): number =>
  (Number.isNaN(b.t) ? UNDATED : b.t) - (Number.isNaN(a.t) ? UNDATED : a.t) ||
  (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)

/**
 * Puts a collapsed page's walk rows in walk order. Its statement sends them without an ORDER BY
 * (PostgreSQL then sorted every row, documents included, before sending the first); they come
 * in walk order as it reads them, which is checked here in one pass, not assumed.
 */
const inWalkOrder = (rows: LeanItem[]): void => {
  for (let i = 1; i < rows.length; i++) {
    if (walkOrder(rows[i - 1]!, rows[i]!) > 0) {
      rows.sort(walkOrder)
      return
    }
  }
}

/** applyQuery's `timeOf` for lean items. */
const leanTime = (item: Item): number => (item as unknown as LeanItem).t

/** Statement names by SQL text (a name is prepared once per connection, then only bound). */
const names = new Map<string, string>()

/**
 * The query `text` as a named (prepared) statement: PostgreSQL parses and plans it once per
 * connection instead of at every page. Only for statements whose best plan does not depend on
 * their values: a `q` walk by `words` (the GIN index) depends on how common its words are, and
 * a generic plan would walk every row for a rare word.
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
 * topics, sources, time, language, and for `q` the words every include term needs: by `words`
 * (exact, see item-rows.ts `wordsOf`; the single words excluded too), or with `bySignature` by
 * the rows' word signatures (migration 6: a row without a needed word is skipped on the walk
 * index alone; a signature may hold the bits of words the row lacks, never lack one it has).
 */
const conditions = (q: ItemQuery, p: ReturnType<typeof params>, bySignature = false): string[] => {
  const where: string[] = []
  // One topic (a topic's feed or page, the common case; routes accept only configured topics,
  // so the texts are few) is written into the statement: the plan PostgreSQL keeps for a
  // prepared page then knows how common the topic is, where with a parameter it plans the
  // statement again at every page. Not with since/until: beside a time parameter, a written
  // topic makes PostgreSQL plan every page again, where both as parameters keep one plan.
  if (q.topics?.length === 1 && untimed(q))
    where.push(`topics && ARRAY[${pg.escapeLiteral(q.topics[0]!)}]`)
  else if (q.topics?.length) where.push(`topics && ${topicsMark(q, p)}::text[]`)
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
    const required = requiredWords(q)
    if (bySignature) {
      if (required.length > 0) {
        // Each of the mask's bits read with `get_bit` (from the walk index's copy of the
        // signature), summed: a row passes when all are set, the same rows as
        // `(word_sig & mask) = mask`, without building a 1,024-bit value per row (`bit_and`
        // and its allocation were 4% of a `q` page's server CPU, perf at 500,000 items; this
        // test: 0.95× the server's CPU per `q` page, median of twelve alternations at 100,000
        // and 500,000 items on a busy machine, 0.89–1.11 per pair).
        // `>=`, not `=`: PostgreSQL, which knows neither the bits (the generic plan) nor the
        // share of rows holding them, guesses a third of the rows pass an inequality where it
        // guessed 1 in 200 for `=`; with that, a walk of 153 rows looked like a walk of every
        // row at 10,000 items, and it sometimes read and sorted all of item_search instead of
        // walking its index. (The count of bits is written into the text: a few texts.)
        const bits = signatureBits(required)
        where.push(
          `(${bits.map((b) => `get_bit(word_sig, ${p.add(b)}::int)`).join(' + ')}) >= ${bits.length}`,
        )
      }
      return where
    }
    if (required.length > 0) where.push(`words @> ${p.add(required)}::text[]`)
    const excluded = q.q.exclude.map(normalisedWords).filter((ws) => ws.length === 1)
    if (excluded.length > 0) where.push(`NOT (words && ${p.add(excluded.flat())}::text[])`)
  }
  return where
}

const untimed = (q: ItemQuery): boolean => q.since === undefined && q.until === undefined

/**
 * The one parameter that holds `q.topics` in a page's statement, added at its first use: the
 * walk of `item_topics` reads it too, and a page that walks it alone must use the parameter.
 */
const topicMarks = new WeakMap<ReturnType<typeof params>, string>()
const topicsMark = (q: ItemQuery, p: ReturnType<typeof params>): string => {
  let mark = topicMarks.get(p)
  if (mark === undefined) {
    mark = p.add(q.topics)
    topicMarks.set(p, mark)
  }
  return mark
}

/**
 * The walk of a page of one topic without `q` reads `item_topics` (migration 8: that topic's
 * rows alone, in walk order, with the columns a walk reads) instead of skipping the other
 * topics' rows in the walk of all items. Its conditions are {@link conditions}' with the topic's
 * (always the first) as `topic =`; story members and documents are still read from `items`.
 * A `q` walk by signature reads `item_search` instead (see {@link batchSql}).
 */
const topicWalk = (
  q: ItemQuery,
  where: readonly string[],
  p: ReturnType<typeof params>,
  bySignature: boolean,
): { table: string; where: string[] } => {
  // A `q` by signature walks item_search (migration 9), which holds each row's text and
  // signature (with a source index of its own since migration 10).
  if (bySignature) return { table: 'item_search', where: [...where] }
  if (q.topics?.length !== 1 || q.q) return { table: 'items', where: [...where] }
  // A parameter's element keeps the walk in index order, as a parameter would (`= ANY` would not).
  const topic = untimed(q) ? pg.escapeLiteral(q.topics[0]!) : `(${topicsMark(q, p)}::text[])[1]`
  return { table: 'item_topics', where: [`topic = ${topic}`, ...where.slice(1)] }
}

/** The normalised words every include term (and scoped include term) of `q.q` needs. */
const requiredWords = (q: ItemQuery): string[] => {
  const required = new Set<string>()
  for (const t of q.q?.include ?? []) for (const w of normalisedWords(t)) required.add(w)
  for (const s of q.q?.scoped ?? []) {
    if (!s.exclude) for (const w of normalisedWords(s.term)) required.add(w)
  }
  return [...required]
}

/**
 * The terms of a `q` without field scopes, as compileTerms pads them (` word ` or ` a phrase `,
 * folded; a term that folds to nothing is ignored, as there): SQL then decides such a `q` exactly
 * on the stored search text (see {@link holdsSql}) (the very text and test JS would use), so a page needs
 * a yes or no per row instead of each row's search text, as large as the item. Undefined for a
 * `q` with field scopes: JS cuts the text into fields.
 */
const plainTerms = (q: ItemQuery): { include: string[]; exclude: string[] } | undefined => {
  if (!q.q || (q.q.scoped?.length ?? 0) > 0) return undefined
  const pad = (terms: readonly string[]) =>
    terms.map((t) => normalizeText(t)).flatMap((n) => (n === '' ? [] : [` ${n} `]))
  return { include: pad(q.q.include), exclude: pad(q.q.exclude) }
}

/**
 * SQL's test that the text `text` holds `term` (a parameter's mark), or with `holds` false that
 * it does not: exactly `strpos(text, term) > 0` (or `= 0`), without counting the characters up
 * to the match that strpos returns. With split_part the server finds the first match (the same
 * search as strpos) and copies the text before it, or returns the text itself when there is none;
 * `octet_length` of the stored text reads its size from its header (no decompression). In a UTF-8
 * database strpos counted the characters up to each match one by one: a tenth of a `q` page's
 * server CPU (perf, 100,000 items), more than the search itself.
 */
export const holdsSql = (text: string, term: string, holds = true): string =>
  `octet_length(split_part(${text}, ${term}, 1)) ${holds ? '<' : '='} octet_length(${text})`

/**
 * A signature walk keeps going while JS keeps at least this share of the rows it sends; below
 * it the words are rare (the signatures' false matches dominate) and the walk turns to `words`,
 * where the planner can take the GIN index.
 */
const SIGNATURE_KEEPS = 0.1

/** Rows fetched per round trip at most, however many a page filtered in JS needs. */
const MAX_BATCH = 2_000

/** Sources whose priority a page passes to SQL (see {@link leadPriorities}), at most. */
const MAX_KNOWN_SOURCES = 10_000

/** The sources seen in pages, per priority function (one per store). */
const knownSources = new WeakMap<(sourceId: string) => number, Set<string>>()

/**
 * The sources of a non-zero priority among those pages have seen, as two parallel arrays for
 * SQL. Asked of `priorityOf` at each page (a reload changes priorities); a source not seen yet
 * counts as 0 in SQL's guess of the leads, which JS corrects (one more round trip, once).
 */
const leadPriorities = (priorityOf: ((sourceId: string) => number) | undefined) => {
  const ids: string[] = []
  const prios: number[] = []
  for (const s of (priorityOf && knownSources.get(priorityOf)) ?? []) {
    const p = priorityOf!(s)
    if (p !== 0) {
      ids.push(s)
      prios.push(p)
    }
  }
  return { ids, prios }
}

const learnSources = (
  priorityOf: ((sourceId: string) => number) | undefined,
  rows: readonly LeanRow[],
): void => {
  if (!priorityOf) return
  let known = knownSources.get(priorityOf)
  if (!known) {
    known = new Set()
    knownSources.set(priorityOf, known)
  }
  for (const r of rows) {
    if (known.size >= MAX_KNOWN_SOURCES) return
    known.add(r[1])
  }
}

/**
 * The statement of one batch of a page. When SQL decides alone (`exact`): the walk, newest
 * first, each row with its document. Without collapse: the walk, newest first, the first
 * `$docs` rows with their documents. With collapse, in the same statement: the walk's stories'
 * members that meet the same conditions (`mem`), each story's lead among them as
 * `applyQuery` chooses it (priority, then earliest, then smallest id; SQL's conditions are a
 * superset of the query, so this is a guess JS confirms), the documents of the first `$docs`
 * walk rows that lead, and the members the walk does not hold (JS adds the walk rows to their
 * stories' members itself: sent twice, they were most of the rows a page sent). `rowText` is a row `i`'s search text
 * or SQL's verdict on it (read outside the walk, which then can read an index alone). `sure`,
 * for a `q`, is a test of a row `i` of item_search (exact on its search text, or of the words a
 * `q` with field scopes needs) that the guesses apply (to the few rows they weigh), so a false
 * match of the signatures does not cost the page a second read. `where` holds the conditions of
 * the members (on item_search for a `q`).
 */
const batchSql = (
  cols: string,
  rowText: string,
  where: string[],
  walkFrom: { table: string; where: string[] },
  cursor: string | undefined,
  marks: { batch: string; docs: string; prioIds: string; prios: string },
  collapse: boolean,
  exact: boolean,
  sure?: string,
): string => {
  const conds = where.length ? `WHERE ${where.join(' AND ')}` : ''
  const walkList = cursor ? [...walkFrom.where, cursor] : walkFrom.where
  const walkConds = walkList.length ? `WHERE ${walkList.join(' AND ')}` : ''
  const walk = `SELECT ${cols} FROM ${walkFrom.table} ${walkConds}
      ORDER BY published DESC, id DESC LIMIT ${marks.batch}`
  const shownDocs = `CASE WHEN w.id IN (SELECT id FROM shown)
        THEN (SELECT d.doc::text FROM items d WHERE d.id = w.id) END AS doc`
  if (exact && walkFrom.table === 'items') {
    // SQL decides alone (no stories, no `q`): the walk is the page, and reads each document
    // from the row it visits (no second lookup by id); the one row past the page comes along.
    return `SELECT ${cols}, '' AS search_text, 0 AS part, doc::text AS doc FROM items ${walkConds}
      ORDER BY published DESC, id DESC LIMIT ${marks.batch}`
  }
  if (exact) {
    return `SELECT w.*, '' AS search_text, 0 AS part,
        (SELECT d.doc::text FROM items d WHERE d.id = w.id) AS doc
      FROM (${walk}) w ORDER BY w.published DESC, w.id DESC`
  }
  // A `q` reads each row's text in item_search (beside the walk, for a walk of it): since
  // migration 10 items hold none. Without `q` the members come from the items' story index.
  const texts = rowText === `''` ? 'items' : 'item_search'
  if (!collapse) {
    // Rows the guess of shown rows considers: with `sure`, those that pass it.
    return `WITH walk AS MATERIALIZED (${walk}),
      shown AS (SELECT w.id FROM walk w
        ${sure ? `JOIN ${texts} i ON i.id = w.id AND ${sure}` : ''}
        ORDER BY w.published DESC, w.id DESC LIMIT ${marks.docs})
      SELECT w.*, (SELECT ${rowText} FROM ${texts} i WHERE i.id = w.id) AS search_text, 0 AS part,
        ${shownDocs}
      FROM walk w ORDER BY w.published DESC, w.id DESC`
  }
  const noText = rowText === `''`
  // A member is in the walk exactly when it is past the cursor and not older than the walk's
  // last row: the walk is the newest rows of the same conditions. Tested on its key, not by
  // looking it up in the walk: PostgreSQL, which cannot count the members beforehand, joined
  // every member with every walk row (a nested loop of thousands of comparisons a page).
  const outsideWalk = `((m.published, m.id) < (SELECT published, id FROM walk
      ORDER BY published, id LIMIT 1)${cursor ? ` OR NOT (${cursor})` : ''})`
  // The members hold every walk row (each is a member of its own story and meets the
  // conditions), so each row's text and `sure` test are read once, where `mem` visits the row,
  // and the walk rows take theirs from it; only the members outside the walk are sent again. The walk's stories as an array make `mem` one lookup
  // per story in the story index: with `IN (SELECT …)` and a since/until the planner walked the
  // whole time range instead and skipped the rows of other stories.
  // When a row's text verdict is its `sure` test (a `q` without field scopes), it is computed
  // once, as `s`, and sent as text from it: each test of a row's search text reads it from TOAST
  // again, and the two tests read it twice.
  const textFromSure = sure !== undefined && rowText === `(${sure})::text`
  const textOf = (alias: string) => (textFromSure ? `${alias}.s::text` : `${alias}.t`)
  return `WITH walk AS MATERIALIZED (${walk}),
    mem AS MATERIALIZED (SELECT ${cols}, ${textFromSure ? '' : `${rowText} AS t, `}${sure ?? 'true'} AS s FROM ${texts} i
      ${conds ? `${conds} AND` : 'WHERE'} cluster_id = ANY(ARRAY(SELECT DISTINCT cluster_id FROM walk))),
    lead AS (SELECT DISTINCT ON (m.cluster_id) m.id FROM mem m WHERE m.s
      ORDER BY m.cluster_id,
        coalesce((${marks.prios}::int[])[array_position(${marks.prioIds}::text[], m.source_id::text)], 0) DESC,
        m.published, m.id),
    shown AS (SELECT w.id FROM walk w JOIN lead l ON l.id = w.id
      ORDER BY w.published DESC, w.id DESC LIMIT ${marks.docs})
    SELECT w.*, ${noText ? `''` : textOf('mt')} AS search_text, 0 AS part, ${shownDocs}
    FROM walk w ${noText ? '' : 'LEFT JOIN mem mt ON mt.id = w.id'}
    UNION ALL
    SELECT ${cols
      .split(', ')
      .map((c) => `m.${c}`)
      .join(', ')}, ${textOf('m')} AS search_text, 1 AS part, NULL AS doc
    FROM mem m WHERE ${outsideWalk}`
}

/**
 * One page of `q`, usually in one statement. Lean rows (no document) come newest first from
 * SQL, narrowed by {@link conditions} and the cursor, in batches, each with the matching members
 * of its stories when `collapse` needs them and the documents of the rows SQL expects the page to
 * show ({@link batchSql}); `applyQuery` (the embedded store's own code, with its text matcher on
 * the stored `search_text`) decides. Batches continue after the last row read until the page plus
 * one row is found (so `nextCursor` is set only when more follow, as in memory) or the rows run
 * out. Documents are parsed only for the rows shown; one SQL did not send (its guess of a lead or
 * of a `q` match was wrong) is read in one more round trip.
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
  const withTopics = (q.topics?.length ?? 0) > 0 || (q.notTopics?.length ?? 0) > 0
  // Without collapse or `q` SQL decides alone: the rows are the page.
  const exact = !collapse && !q.q
  // Keyed by the lean items applyQuery is handed (as Items: it reads no other field).
  const texts = new Map<unknown, string>()
  const textOf = (item: Item): string => texts.get(item) ?? ''
  // A `q` without field scopes: SQL says per row whether it matches, JS reads that.
  const simple = plainTerms(q)
  const matches = new Set<unknown>()
  const matcher = () => (item: Item) => matches.has(item)
  const found: LeanItem[] = []
  const docs = new Map<string, string>()
  const cur = q.cursor === undefined ? undefined : decodeCursor(q.cursor)
  let after = cur ? { published: Date.parse(cur.publishedAt), id: cur.id } : undefined
  // `q` walks by word signature first; rare words turn to `words` (see SIGNATURE_KEEPS).
  let bySignature = q.q !== undefined && requiredWords(q).length > 0
  // A walk collapsing stories of a few copies keeps about half its rows, a signature walk loses
  // a few more to false matches; a second round trip costs more than the lean rows that make it
  // rare. A signature walk's rows cost a text test each (and their stories' lookups): it walks
  // 2.5 times the page, which leaves a second statement to 4% of the bench's pages at 100,000
  // items, 13% at 10,000 and 15% at 500,000 (3 times: 1.5%, 5%, 6%) for a sixth fewer rows on
  // every page. A `q` walk by `words` tests each
  // row's stored words, which costs a row fetch: it starts smaller and grows by what it finds.
  const share = !q.q ? 3 : bySignature ? 2.5 : 2
  let batch = exact ? limit + 1 : Math.min(MAX_BATCH, Math.ceil(share * (limit + 1)))
  let read = 0
  const cols = 'id, source_id, cluster_id, published, language, topics'
  const prio = leadPriorities(priorityOf)
  for (let first = true; ; first = false) {
    const p = params()
    const where = conditions(q, p, bySignature)
    const cursor = after
      ? `(published, id) < (${p.add(after.published)}, ${p.add(after.id)})`
      : undefined
    // The limits are written into the text (integers of this code's): with them as parameters
    // the generic plan of a prepared page cannot tell a walk of 153 rows from one of all, and
    // PostgreSQL plans the statement again at every page. Beside since/until (parameters that
    // vary at every request) it is the other way round: written limits make it plan every page.
    const timed = q.since !== undefined || q.until !== undefined
    const marks = {
      batch: timed ? p.add(batch) : String(batch),
      // (A page SQL decides alone reads no `docs`: a parameter it does not use has no type.) A
      // later batch's is a parameter too (any number up to the limit): its texts stay few.
      docs:
        (timed || !first) && !exact ? p.add(limit - found.length) : String(limit - found.length),
      prioIds: collapse ? p.add(prio.ids) : '',
      prios: collapse ? p.add(prio.prios) : '',
    }
    // SQL's exact test of a `q` without field scopes on a row `i` (see plainTerms).
    const plainTest =
      simple &&
      [
        ...simple.include.map((t) => holdsSql('i.search_text', p.add(t))),
        ...simple.exclude.map((t) => holdsSql('i.search_text', p.add(t), false)),
        'true',
      ].join(' AND ')
    const required = requiredWords(q)
    // (item_search holds no `words`: a word is in a row's words exactly when the padded word is
    // in its search text.)
    const sure =
      required.length === 0
        ? undefined
        : plainTest || required.map((w) => holdsSql('i.search_text', p.add(` ${w} `))).join(' AND ')
    // The stored search text (of a row `i`) is read only when `q` needs it (it is as large as
    // the item), and sent only for a `q` with field scopes; otherwise SQL tests it.
    const rowText = !q.q ? `''` : !plainTest ? 'i.search_text' : `(${plainTest})::text`
    const walkFrom = topicWalk(q, where, p, bySignature)
    // The members of a `q` page come from item_search, which holds no `words`: a walk by words
    // takes them by signature (a superset, which `sure` and JS narrow).
    const memWhere = collapse && q.q && !bySignature ? conditions(q, p, true) : where
    const sql = batchSql(cols, rowText, memWhere, walkFrom, cursor, marks, collapse, exact, sure)
    // A page's first statement is one of a few texts per limit, prepared; so is a later batch
    // (its size a power of two, its documents' count a parameter: a few texts per shape), which
    // unnamed was planned again each time (planning a `q` batch costs the server ~1.3 ms, more
    // than running it; `perf`: 5% of a `q` page's server CPU at 500,000 items, where 15% of
    // pages take a second batch). A walk by signature is prepared too (its only plan is the walk
    // of item_search_walk: the planner cannot weigh a signature); a walk by `words` is sent
    // unnamed, so not kept, but like every statement here it runs its generic plan (pg-pool.ts
    // sets plan_cache_mode).
    const named = !q.q || bySignature
    const { rows } = await db.query<LeanRow>({
      ...(named ? prepared(sql, p.list) : { text: sql, values: p.list }),
      rowMode: 'array',
      types: RAW_TEXT,
    })
    learnSources(priorityOf, rows)
    const walked: LeanItem[] = []
    // A story's members: its walk rows and the members SQL sent apart (part 1).
    const members = new Map<string, LeanItem[]>()
    for (const r of rows) {
      const item = leanItem(r, withTopics)
      if (simple) {
        if (r[6] === 'true') matches.add(item)
      } else if (q.q) texts.set(item, r[6])
      if (r[8] !== null) docs.set(r[0], r[8])
      if (r[7] !== '1') walked.push(item)
      if (!collapse) continue
      const list = members.get(item.clusterId)
      if (list) list.push(item)
      else members.set(item.clusterId, [item])
    }
    inWalkOrder(walked)
    const need = limit + 1 - found.length
    // applyQuery reads only the fields a LeanItem has (and the text through textOf).
    const part = applyQuery(
      walked as unknown as Item[],
      { ...q, cursor: undefined, limit: need },
      textOf,
      {
        presorted: true,
        timeOf: leanTime,
        ...(collapse
          ? { clusterMembers: (c: string) => (members.get(c) ?? []) as unknown as Item[] }
          : {}),
        ...(priorityOf ? { priorityOf } : {}),
        ...(simple ? { matcher } : {}),
      },
    )
    found.push(...(part.items as unknown as LeanItem[]))
    if (bySignature && part.items.length < SIGNATURE_KEEPS * walked.length) bySignature = false
    read += walked.length
    const last = walked.at(-1)
    if (found.length > limit || walked.length < batch || !last) break
    after = { published: Number.isNaN(last.t) ? UNDATED : last.t, id: last.id }
    // As many rows as the share kept so far says the rest of the page needs, with a margin,
    // rounded up to a power of two (see `named`).
    const kept = Math.max(found.length, 1) / read
    const want = Math.max(16, Math.ceil(((limit + 1 - found.length) / kept) * 1.5))
    batch = Math.min(MAX_BATCH, 2 ** Math.ceil(Math.log2(want)))
  }
  const shown = found.slice(0, limit)
  const missing = shown.filter((i) => !docs.has(i.id)).map((i) => i.id)
  if (missing.length > 0) {
    const res = await db.query<{ id: string; doc: string }>(
      prepared('SELECT id, doc::text AS doc FROM items WHERE id = ANY($1::text[])', [missing]),
    )
    for (const r of res.rows) docs.set(r.id, r.doc)
  }
  // A row deleted between the two reads (retention on another replica) is left out.
  const page: Page<Item> = {
    items: shown.flatMap((i) => {
      const doc = docs.get(i.id)
      return doc === undefined ? [] : [JSON.parse(doc) as Item]
    }),
  }
  const tail = shown.at(-1)
  if (found.length > limit && tail) {
    page.nextCursor = encodeCursor({
      publishedAt: new Date(tail.t).toISOString(),
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
  // A topic's items are its rows of item_topics (migration 8): counted on that index alone,
  // where the items' GIN index of topics leads to a row read per item of the topic.
  if (filter.topic !== undefined) where.push(`topic = ${p.add(filter.topic)}`)
  if (filter.since !== undefined)
    where.push(`published >= ${p.add(toTime('countItems since', filter.since))}`)
  const what = filter.stories ? 'count(DISTINCT cluster_id)' : 'count(*)'
  const from = filter.topic !== undefined ? 'item_topics' : 'items'
  const { rows } = await db.query<{ n: string }>(
    `SELECT ${what} AS n FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
    p.list,
  )
  return Number(rows[0]?.n ?? 0)
}

/** Items fetched or published since `since`, newest first (candidates for clustering). */
export const recentItemsPg = async (db: Queryable, since: string): Promise<Item[]> => {
  const t = toTime('recentItems since', since)
  // The time in the text (an integer of toTime's), planned for its value: how many rows are
  // that recent decides between the two time indexes and a scan, which a generic plan (the
  // pool's mode) cannot tell.
  const { rows } = await db.query<{ doc: Item }>(
    `SELECT doc FROM items WHERE published >= ${Math.trunc(t)} OR fetched >= ${Math.trunc(t)} ORDER BY published DESC, id DESC`,
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
