/** Query parameters → ItemQuery (or InvalidParamError): the one query grammar of feeds and the API. */
import { InvalidParamError } from '../model/errors.js'
import type { ItemQuery, MatchField, ScopedTerm, SearchTerms } from '../model/types.js'
import { normalizeText } from '../topics/text.js'
import { dict } from '../util/dict.js'
import { parseDuration } from '../util/duration.js'
import { echo } from '../util/echo.js'
import { editDistance } from '../util/edit-distance.js'

/** The query parameters every feed route and `/api/items` understand. */
const ITEM_QUERY_PARAMS = [
  'topic',
  'not_topic',
  'source',
  'q',
  'since',
  'until',
  'lang',
  'limit',
  'cursor',
  'clusters',
] as const

type ItemQueryParam = (typeof ITEM_QUERY_PARAMS)[number]

const DEFAULT_LIMIT = 50
const MAX_LIMIT = 500
const MAX_CURSOR_LENGTH = 200
const MAX_Q_LENGTH = 500

/** Raw query parameters: one value, or every value when the caller kept repeats (Hono `queries()`). */
export type RawParams = Readonly<Record<string, string | readonly string[]>>

/**
 * The one rule every route applies to its query string: only the names in `allowed`, each at
 * most once. Returns each value trimmed; throws InvalidParamError naming the first offender
 * (with a "did you mean" hint for an unknown name).
 * @example checkParams(c.req.queries(), ['token', 'sources'])
 */
export const checkParams = (params: RawParams, allowed: readonly string[]): Map<string, string> => {
  const values = new Map<string, string>()
  for (const [name, raw] of Object.entries(params)) {
    if (!allowed.includes(name)) throw new InvalidParamError(name, unknownMessage(name, allowed))
    const list = typeof raw === 'string' ? [raw] : raw
    if (list.length > 1) {
      throw new InvalidParamError(
        name,
        `"${name}" was given ${list.length} times; give it once (several values go in one comma list: ${name}=a,b)`,
      )
    }
    values.set(name, (list[0] ?? '').trim())
  }
  return values
}

/**
 * Validates a query string into an ItemQuery (pure). Throws InvalidParamError naming the first bad
 * parameter with a sentence for a human.
 *
 * - `topic`, `not_topic`, `source`: comma lists, trimmed and deduplicated; the route checks the
 *   names against the configuration.
 * - `q`: words AND-ed, `"quoted phrase"` (straight or curly quotes), `-word` / `-"phrase"`
 *   excluded; lower-cased.
 * - `since` / `until`: ISO 8601 date (`2025-07-01`, UTC midnight) or date-time (without a zone:
 *   UTC), or a duration back from `now` (`24h`, `7d`, `90m`); `since` must be before `until`.
 * - `lang` (`en`, `ur`, `pt-br`; lower-cased), `limit` (1–500, default 50), `cursor` (opaque, at
 *   most 200 printable ASCII characters), `clusters` (`collapse` default | `all`).
 * - Names in `opts.allowed` (e.g. `token`, `format`, `explain`) are tolerated and ignored here.
 * - Any other name is an error, with a "did you mean" hint: a typo must not widen a feed.
 * - An empty or blank value (`?topic=`) is an error: it would otherwise drop a filter silently.
 * - A parameter given twice (`?limit=5&limit=9`) is rejected rather than guessing which one was
 *   meant; lists are written with commas (`topic=a,b`).
 * @example parseItemQuery({ topic: 'pakistan-afghanistan', since: '24h' }, clock.now())
 */
export const parseItemQuery = (
  params: RawParams,
  now: Date,
  opts: { allowed?: readonly string[] } = {},
): ItemQuery => {
  const known: readonly string[] = ITEM_QUERY_PARAMS
  const values = checkParams(params, [...known, ...(opts.allowed ?? [])])
  for (const [name, value] of values) {
    if (!known.includes(name)) values.delete(name)
    else if (value === '') {
      throw new InvalidParamError(
        name,
        `"${name}" is empty; give a value or leave the parameter out (an empty filter would match everything)`,
      )
    }
  }

  const query: ItemQuery = { limit: DEFAULT_LIMIT, clusters: 'collapse' }
  for (const name of ITEM_QUERY_PARAMS) {
    const value = values.get(name)
    if (value !== undefined) Object.assign(query, PARSERS[name](value, now))
  }
  if (query.since && query.until && query.since >= query.until) {
    throw new InvalidParamError(
      'since',
      `"since" must be before "until", got since ${query.since} and until ${query.until}`,
    )
  }
  return query
}

// --- Internal helpers ---

/** One parser per parameter, each returning its slice of the ItemQuery or throwing. */
const PARSERS: Record<ItemQueryParam, (value: string, now: Date) => Partial<ItemQuery>> = {
  topic: (v) => ({ topics: parseList('topic', v) }),
  not_topic: (v) => ({ notTopics: parseList('not_topic', v) }),
  source: (v) => ({ sources: parseList('source', v) }),
  q: (v) => ({ q: parseSearch(v) }),
  since: (v, now) => ({ since: parseTime('since', v, now) }),
  until: (v, now) => ({ until: parseTime('until', v, now) }),
  lang: (v) => ({ lang: parseLang(v) }),
  limit: (v) => ({ limit: parseLimit(v) }),
  cursor: (v) => ({ cursor: parseCursor(v) }),
  clusters: (v) => ({ clusters: parseClusters(v) }),
}

const quote = (value: string): string => echo(value)

/** Names people reach for, mapped to ours, for the "did you mean" hint. */
const ALIASES: Readonly<Record<string, string>> = dict({
  topics: 'topic',
  tag: 'topic',
  tags: 'topic',
  exclude: 'not_topic',
  sources: 'source',
  search: 'q',
  query: 'q',
  from: 'since',
  after: 'since',
  to: 'until',
  before: 'until',
  language: 'lang',
  count: 'limit',
  max: 'limit',
  page: 'cursor',
  cluster: 'clusters',
})

const unknownMessage = (name: string, candidates: readonly string[]): string => {
  const hint = closest(name, candidates)
  return hint
    ? `unknown parameter ${echo(name)} (did you mean "${hint}"?)`
    : candidates.length > 0
      ? `unknown parameter ${echo(name)} (known parameters: ${candidates.join(', ')})`
      : `unknown parameter ${echo(name)} (this route takes no parameters)`
}

/** A likely intended name: an alias, or a candidate at edit distance ≤ 2 and under half its length. */
const closest = (name: string, candidates: readonly string[]): string | undefined => {
  const lower = name.toLowerCase().replace(/-/g, '_')
  const alias = ALIASES[lower]
  if (alias && candidates.includes(alias)) return alias
  let best: { c: string; d: number } | undefined
  for (const c of candidates) {
    const d = editDistance(lower, c)
    if (d <= 2 && d * 2 < c.length && (!best || d < best.d)) best = { c, d }
  }
  return best?.c
}

const MAX_LIST = 100

/** A comma list, trimmed and deduplicated; the route checks the names against the config. */
const parseList = (param: string, value: string): string[] => {
  const names = [...new Set(value.split(',').map((s) => s.trim()))].filter((s) => s !== '')
  if (names.length === 0 || names.length > MAX_LIST) {
    throw new InvalidParamError(
      param,
      `"${param}" must be a comma-separated list of 1 to ${MAX_LIST} ids such as pakistan-afghanistan, got ${quote(value)}`,
    )
  }
  return names
}

const QUOTES = /["\u201C\u201D\u201E]/

/** Field names `q` accepts before a colon (`title:kabul`), with the singular `category`. */
const SEARCH_FIELDS: Readonly<Record<string, MatchField>> = dict({
  title: 'title',
  summary: 'summary',
  content: 'content',
  categories: 'categories',
  category: 'categories',
})

/** A field prefix (`title:`) followed by a word or a quote. */
const FIELD_PREFIX = /^([a-z]+):(?=[^\s:])/

/**
 * Splits `q` into terms. A term is a word (up to whitespace) or a quoted phrase, optionally
 * preceded by `-` (excluded) and a field (`title:`, `-summary:"world cup"`). A word before a
 * colon that is not a field is kept as text (`10:30`), unless it looks like a misspelt field
 * (`titel:`), which is an error: a typo must not silently change a feed.
 */
const parseSearch = (value: string): SearchTerms => {
  if (value.length > MAX_Q_LENGTH) {
    throw new InvalidParamError(
      'q',
      `"q" must be at most ${MAX_Q_LENGTH} characters, got ${value.length}`,
    )
  }
  const include: string[] = []
  const exclude: string[] = []
  const scoped: ScopedTerm[] = []
  let rest = value.toLowerCase().trimStart()
  while (rest !== '') {
    const negated = rest.startsWith('-')
    let body = negated ? rest.slice(1) : rest
    const prefix = FIELD_PREFIX.exec(body)
    const field = prefix ? searchField(prefix[1] ?? '', value) : undefined
    if (prefix && field) body = body.slice(prefix[0].length)
    let term: string
    if (QUOTES.test(body[0] ?? '')) {
      const close = body.slice(1).search(QUOTES)
      if (close < 0) {
        throw new InvalidParamError('q', `"q" has a quote that is never closed, in ${quote(value)}`)
      }
      term = body
        .slice(1, close + 1)
        .replace(/\s+/g, ' ')
        .trim()
      rest = body.slice(close + 2)
      if (term === '') {
        throw new InvalidParamError('q', `"q" has empty quotes, in ${quote(value)}`)
      }
    } else {
      const end = body.search(/\s/)
      term = end < 0 ? body : body.slice(0, end)
      rest = end < 0 ? '' : body.slice(end)
      if (term === '') {
        throw new InvalidParamError(
          'q',
          `"q" has a "-" with no word after it (write -word to exclude a word), in ${quote(value)}`,
        )
      }
    }
    if (normalizeText(term) === '') {
      throw new InvalidParamError(
        'q',
        `"q" has the term ${quote(term)} with no letter or digit to search for, in ${quote(value)}`,
      )
    }
    if (field) {
      if (!scoped.some((s) => s.field === field && s.term === term && s.exclude === negated)) {
        scoped.push({ field, term, exclude: negated })
      }
    } else {
      const list = negated ? exclude : include
      if (!list.includes(term)) list.push(term)
    }
    rest = rest.trimStart()
  }
  return scoped.length > 0 ? { include, exclude, scoped } : { include, exclude }
}

/** The field a `name:` prefix names; undefined for text; throws for a likely misspelt field. */
const searchField = (name: string, value: string): MatchField | undefined => {
  const field = SEARCH_FIELDS[name]
  if (field) return field
  const names = Object.keys(SEARCH_FIELDS)
  const hint = closest(name, names)
  if (hint) {
    throw new InvalidParamError(
      'q',
      `"q" scopes a term to the unknown field ${echo(`${name}:`)} (did you mean "${hint}:"? fields: ${names.join(', ')}), in ${quote(value)}`,
    )
  }
  return undefined
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i

const parseTime = (param: 'since' | 'until', value: string, now: Date): string => {
  const ms = parseDuration(value)
  if (ms !== undefined) return new Date(now.getTime() - ms).toISOString()
  const iso = parseIsoDate(value)
  if (iso !== undefined) return iso
  throw new InvalidParamError(
    param,
    `"${param}" must be an ISO 8601 date or a duration such as 24h or 7d, got ${quote(value)}`,
  )
}

/** ISO 8601 date or date-time → ISO UTC string; undefined when not one (e.g. 2025-02-30). */
const parseIsoDate = (value: string): string | undefined => {
  const m = ISO_RE.exec(value)
  if (!m) return undefined
  const [, y = '', mo = '', d = '', h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m
  const [year, month, day] = [Number(y), Number(mo), Number(d)]
  const probe = new Date(Date.UTC(year, month - 1, day))
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return undefined
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined
  const z = zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2')
  if (z !== 'Z' && (Number(z.slice(1, 3)) > 23 || Number(z.slice(4, 6)) > 59)) return undefined
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${z}`)
  return Number.isNaN(t) ? undefined : new Date(t).toISOString()
}

const parseLang = (value: string): string => {
  if (!/^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i.test(value)) {
    throw new InvalidParamError(
      'lang',
      `"lang" must be a language code such as en, ur or pt-BR, got ${quote(value)}`,
    )
  }
  return value.toLowerCase()
}

const parseLimit = (value: string): number => {
  const n = /^\d{1,6}$/.test(value) ? Number(value) : Number.NaN
  if (!(n >= 1 && n <= MAX_LIMIT)) {
    throw new InvalidParamError(
      'limit',
      `"limit" must be a whole number from 1 to ${MAX_LIMIT}, got ${quote(value)}`,
    )
  }
  return n
}

const parseCursor = (value: string): string => {
  if (value.length > MAX_CURSOR_LENGTH || !/^[\x21-\x7e]+$/.test(value)) {
    throw new InvalidParamError(
      'cursor',
      `"cursor" must be the nextCursor of a previous page (at most ${MAX_CURSOR_LENGTH} printable ASCII characters), got ${quote(value)}`,
    )
  }
  return value
}

const parseClusters = (value: string): 'collapse' | 'all' => {
  if (value === 'collapse' || value === 'all') return value
  throw new InvalidParamError(
    'clusters',
    `"clusters" must be "collapse" or "all", got ${quote(value)}`,
  )
}
