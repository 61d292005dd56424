/** Facts a story guard compares (pure): figures, months, weekdays, places, countries, event direction. */
import type { Direction, StoryFacts } from '../model/types.js'
import { hasNonAscii, normalizeText } from '../topics/text.js'
import {
  AXIS_STEMS,
  BACKGROUND,
  CLAUSE_WORDS,
  CURRENCIES,
  MONTH_ABBR,
  MONTHS,
  NOT_PLACES,
  NUMBER_WORDS,
  ORDINAL_NOUNS,
  ORDINAL_WORDS,
  SCALES,
  SITE_BEFORE,
  UNIT_SKIP,
  WEEKDAYS,
} from './story-lexicon.js'
import { COUNTRY_NAMES, MULTI_WORD_NAMES, PLACES } from './story-places.js'
import { stem } from './story-text.js'

export type { Direction, StoryFacts } from '../model/types.js'

/** A clause of raw text and its normalised words. */
interface Clause {
  raw: string
  words: string[]
}

/** Ends a clause: a figure never counts a word beyond it. A dot inside a number is not one. */
const CLAUSE_END = /,(?!\d)|[;:!?\n()\u2013\u2014]|\s-\s|\.(?!\d)/

const ARABIC_DIGITS = /[\u0660-\u0669\u06f0-\u06f9]/g

const clausesOf = (text: string): Clause[] =>
  // ASCII text has nothing to normalise or fold into ASCII digits.
  (hasNonAscii(text)
    ? text
        .normalize('NFKC')
        .replace(ARABIC_DIGITS, (c) => String((c.charCodeAt(0) - 0x0660) % 0x90))
    : text
  )
    .split(CLAUSE_END)
    .map((raw) => ({ raw, words: normalizeText(raw).split(' ') }))
    .filter((c) => c.words[0] !== '')

/** Rounds to six significant digits, so 1.2 × 10⁹ from "1.2bn" and "1,200,000,000" agree. */
const canonicalNumber = (x: number): number => Number(x.toPrecision(6))

const HAS_DIGIT = /\d/

const NUMBER_RE =
  /(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s?-?\s?(k|m|mn|bn|b|thousand|lakh|crore|million|billion|st|nd|rd|th)\b)?/gi

/** The first word from `from` on that can say what a figure counts, stemmed. */
const unitAt = (words: readonly string[], from: number): string | undefined => {
  for (let i = from; i < Math.min(words.length, from + 4); i++) {
    const w = words[i]!
    if (/^\d+$/.test(w) || SCALES[w] !== undefined || UNIT_SKIP.has(w)) continue
    if (NUMBER_WORDS[w] !== undefined) continue
    return /^[a-z]{3,}$/.test(w) ? stem(w) : undefined
  }
  return undefined
}

const addTo = <K, V>(m: Map<K, Set<V>>, key: K, v: V): void => {
  const set = m.get(key)
  if (set) set.add(v)
  else m.set(key, new Set([v]))
}

/** Figures of the clauses, alone and by what they count. */
const figures = (clauses: readonly Clause[]) => {
  const numbers = new Set<number>()
  const quantities = new Map<string, Set<number>>()
  /** Ordinal words ("second ODI") only count things: as bare figures they would meet "2 wickets". */
  const add = (value: number, unit: string | undefined, ordinal = false): void => {
    const v = canonicalNumber(value)
    if (!ordinal) numbers.add(v)
    if (unit !== undefined) addTo(quantities, unit, v)
  }
  for (const { raw, words } of clauses) {
    // NUMBER_RE needs a digit: most clauses have none.
    const matches = HAS_DIGIT.test(raw) ? raw.matchAll(NUMBER_RE) : []
    for (const m of matches) {
      const at = m.index ?? 0
      const before = raw.slice(Math.max(0, at - 6), at)
      // A number glued to a name ("KSE-100", "Q1", "G-11", "T20") is part of the name.
      if (/[A-Za-z]-?$/.test(before)) {
        const word = /([A-Za-z]+)\.?$/.exec(before)?.[1]?.toLowerCase() ?? ''
        if (!CURRENCIES.has(word)) continue
      }
      const base = Number.parseFloat(`${m[1]!.replace(/,/g, '')}${m[2] ?? ''}`)
      const scale = SCALES[m[3]?.toLowerCase() ?? ''] ?? 1
      const rest = raw.slice(at + m[0].length, at + m[0].length + 40).toLowerCase()
      if (Number.isFinite(base))
        add(base * scale, unitAt(rest.split(/[^\p{L}\p{N}]+/u).filter(Boolean), 0))
    }
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!
      const n = NUMBER_WORDS[w]
      if (n !== undefined) {
        add(n * (SCALES[words[i + 1] ?? ''] ?? 1), unitAt(words, i + 1))
        continue
      }
      const o = ORDINAL_WORDS[w]
      if (o === undefined) continue
      const noun = [words[i + 1], words[i + 2]].find((x) => x !== undefined && ORDINAL_NOUNS.has(x))
      if (noun) add(o, stem(noun), true)
    }
  }
  return { numbers, quantities }
}

/** Months and weekdays named. */
const dates = (words: readonly string[]) => {
  const months = new Set<number>()
  const weekdays = new Set<number>()
  const isDay = (w: string | undefined): boolean => w !== undefined && /^\d{1,2}$/.test(w)
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!
    const day = WEEKDAYS[w]
    if (day !== undefined) weekdays.add(day)
    const full = MONTHS[w]
    const abbr = MONTH_ABBR[w]
    if (full === undefined && abbr === undefined) continue
    const near = isDay(words[i + 1]) || isDay(words[i - 1])
    // "may" is a verb unless a day number stands next to it; abbreviations likewise.
    const month = full ?? (near ? abbr : undefined)
    if (month !== undefined && (w !== 'may' || near)) months.add(month)
  }
  return { months, weekdays }
}

const COUNTRY_OF = new Map<string, string>(
  Object.entries(COUNTRY_NAMES).flatMap(([id, names]) => names.map((n) => [n, id] as const)),
)

/** Multi-word names by their first word, longest first. */
const MULTI_BY_FIRST = new Map<string, string[][]>()
for (const name of MULTI_WORD_NAMES) {
  const parts = name.split(' ')
  const list = MULTI_BY_FIRST.get(parts[0]!) ?? []
  list.push(parts)
  MULTI_BY_FIRST.set(parts[0]!, list)
}

/** Gazetteer places, unknown capitalised places and countries. */
const places = (clauses: readonly Clause[]) => {
  const sites = new Set<string>()
  const others = new Set<string>()
  const countries = new Set<string>()
  // One word list: "in the Afghan capital, Kabul" names its site across the comma.
  const words = clauses.flatMap((c) => c.words)
  for (let i = 0; i < words.length; i++) {
    let name = words[i]!
    let span = 1
    const multis = MULTI_BY_FIRST.get(name)
    if (multis) {
      for (const multi of multis) {
        if (multi.every((part, k) => words[i + k] === part)) {
          name = multi.join(' ')
          span = multi.length
          break
        }
      }
    }
    const place = PLACES[name]
    const country = COUNTRY_OF.get(name)
    if (place) {
      if (place.country) countries.add(place.country)
      if (!place.metonym || SITE_BEFORE.has(words[i - 1] ?? '')) sites.add(place.id)
    } else if (country) {
      countries.add(country)
    }
    i += span - 1
  }
  for (const { raw } of clauses) {
    // Capitalised names after in/at/near (case is lost once normalised); title case skipped: "In".
    for (const m of raw.matchAll(/\b(?:in|at|near) ((?:[A-Z][a-z]+ ?){1,3})/g)) {
      const name = normalizeText(m[1] ?? '')
      const first = name.split(' ')[0] ?? ''
      if (!first || NOT_PLACES.has(first) || PLACES[first] || COUNTRY_OF.has(first)) continue
      if (PLACES[name] || COUNTRY_OF.has(name) || MULTI_BY_FIRST.has(first)) continue
      others.add(stem(first))
    }
  }
  return { places: sites, otherPlaces: others, countries }
}

/** Stem → the axes it moves: bit 1 up, bit 2 down. */
const AXES_OF_STEM = new Map<string, [string, number][]>()
for (const [axis, up, down] of AXIS_STEMS) {
  for (const [set, bit] of [
    [up, 1],
    [down, 2],
  ] as const) {
    for (const s of set) {
      const list = AXES_OF_STEM.get(s) ?? []
      list.push([axis, bit])
      AXES_OF_STEM.set(s, list)
    }
  }
}

/**
 * The direction of each axis the clauses speak of. Words of a background clause (from "after",
 * "following", "since", "amid"… to the clause's end) are left out: "Internet restored after
 * 48-hour shutdown" goes up only.
 */
const directions = (clauses: readonly Clause[]): Record<string, Direction> => {
  const out: Record<string, Direction> = {}
  const stems: string[] = []
  for (const { words } of clauses) {
    let background = false
    for (const w of words) {
      if (CLAUSE_WORDS.has(w)) background = false
      else if (BACKGROUND.has(w)) background = true
      else if (!background) stems.push(stem(w))
    }
  }
  const seen = new Map<string, number>()
  for (const s of stems) {
    const moves = AXES_OF_STEM.get(s)
    if (moves) for (const [axis, bit] of moves) seen.set(axis, (seen.get(axis) ?? 0) | bit)
  }
  // In AXIS_STEMS order, as before.
  for (const [axis] of AXIS_STEMS) {
    const bits = seen.get(axis)
    if (bits !== undefined) out[axis] = bits === 3 ? 0 : bits === 1 ? 1 : -1
  }
  return out
}

const NONE: readonly never[] = Object.freeze([])
const NO_QUANTITIES: ReadonlyMap<string, readonly number[]> = new Map()
const NO_DIRECTION: Readonly<Record<string, Direction>> = Object.freeze({})

const list = <T>(s: ReadonlySet<T>): readonly T[] => (s.size === 0 ? NONE : [...s])

const maskOf = (s: ReadonlySet<number>, first: number): number => {
  let m = 0
  for (const x of s) m |= 1 << (x - first)
  return m
}

/**
 * The facts of one item for the guards (pure).
 * @example storyFacts('Torkham reopens after 25 days').numbers // [25]
 */
export const storyFacts = (title: string, summary = ''): StoryFacts =>
  readStory(title, summary).facts

/**
 * {@link storyFacts} and the normalised words of title and summary (what `normalizeText` would
 * give for each: clauses split at separators only), for callers that need both.
 */
export const readStory = (
  title: string,
  summary = '',
): { facts: StoryFacts; titleWords: string[]; summaryWords: string[] } => {
  const head = clausesOf(title)
  const body = clausesOf(summary)
  return {
    facts: factsOf(head, body),
    titleWords: head.flatMap((c) => c.words),
    summaryWords: body.flatMap((c) => c.words),
  }
}

const factsOf = (head: readonly Clause[], body: readonly Clause[]): StoryFacts => {
  const all = [...head, ...body]
  const { numbers, quantities } = figures(all)
  const { months, weekdays } = dates(all.flatMap((c) => c.words))
  const where = places(all)
  // The headline says what happened; the summary often recalls what happened before.
  const direction = { ...directions(body), ...directions(head) }
  return {
    numbers: list(numbers),
    quantities:
      quantities.size === 0
        ? NO_QUANTITIES
        : new Map([...quantities].map(([unit, values]) => [unit, [...values]])),
    months: maskOf(months, 1),
    weekdays: maskOf(weekdays, 0),
    places: list(where.places),
    otherPlaces: list(where.otherPlaces),
    countries: list(where.countries),
    direction: Object.keys(direction).length === 0 ? NO_DIRECTION : direction,
  }
}

/** The same facts with empty lists, maps and records replaced by the shared empties. */
export const compactFacts = (f: StoryFacts): StoryFacts => ({
  numbers: f.numbers.length === 0 ? NONE : f.numbers,
  quantities: f.quantities.size === 0 ? NO_QUANTITIES : f.quantities,
  months: f.months,
  weekdays: f.weekdays,
  places: f.places.length === 0 ? NONE : f.places,
  otherPlaces: f.otherPlaces.length === 0 ? NONE : f.otherPlaces,
  countries: f.countries.length === 0 ? NONE : f.countries,
  direction: Object.keys(f.direction).length === 0 ? NO_DIRECTION : f.direction,
})
